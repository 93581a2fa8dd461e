//! EXIF facts: camera, capture time, orientation and GPS position (the `gps_present` privacy flag).

use std::io::Cursor;

use ::exif::{In, Reader, Tag, Value};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExifFacts {
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    /// `DateTimeOriginal` as written by the camera (local time, no zone): `YYYY-MM-DDTHH:MM:SS`.
    pub captured_at: Option<String>,
    /// 1–8; the decoder has already applied it.
    pub orientation: Option<u16>,
    pub gps: Option<Gps>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gps {
    pub latitude: f64,
    pub longitude: f64,
}

/// The EXIF block of a JPEG, TIFF, PNG or WebP file; None when there is none.
pub fn read(bytes: &[u8]) -> Option<ExifFacts> {
    let exif = Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()?;
    let text = |tag| {
        exif.get_field(tag, In::PRIMARY)
            .and_then(|f| match &f.value {
                Value::Ascii(parts) => parts.first().map(|p| {
                    String::from_utf8_lossy(p)
                        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                        .to_string()
                }),
                _ => None,
            })
    };
    let orientation = exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u16::try_from(v).ok())
        .filter(|v| (1..=8).contains(v));
    let captured_at = text(Tag::DateTimeOriginal)
        .or_else(|| text(Tag::DateTime))
        .and_then(|t| iso_datetime(&t));
    let coordinate = |value_tag, ref_tag, negative: &str| {
        let field = exif.get_field(value_tag, In::PRIMARY)?;
        let Value::Rational(parts) = &field.value else {
            return None;
        };
        if parts.len() < 3 || parts.iter().any(|r| r.denom == 0) {
            return None;
        }
        let degrees = parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0;
        let sign = if text(ref_tag).as_deref() == Some(negative) {
            -1.0
        } else {
            1.0
        };
        Some(sign * degrees)
    };
    let gps = match (
        coordinate(Tag::GPSLatitude, Tag::GPSLatitudeRef, "S"),
        coordinate(Tag::GPSLongitude, Tag::GPSLongitudeRef, "W"),
    ) {
        (Some(latitude), Some(longitude)) if latitude.abs() <= 90.0 && longitude.abs() <= 180.0 => {
            Some(Gps {
                latitude,
                longitude,
            })
        }
        _ => None,
    };
    Some(ExifFacts {
        camera_make: text(Tag::Make).filter(|s| !s.is_empty()),
        camera_model: text(Tag::Model).filter(|s| !s.is_empty()),
        captured_at,
        orientation,
        gps,
    })
}

/// `2024:05:01 13:45:10` → `2024-05-01T13:45:10`.
fn iso_datetime(exif: &str) -> Option<String> {
    let b = exif.as_bytes();
    if b.len() < 19
        || !b[..19].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b':' || *c == b'-',
            10 => *c == b' ' || *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
    {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}",
        &exif[0..4],
        &exif[5..7],
        &exif[8..10],
        &exif[11..19]
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn exif_dates_become_iso() {
        assert_eq!(
            super::iso_datetime("2024:05:01 13:45:10").as_deref(),
            Some("2024-05-01T13:45:10")
        );
        assert_eq!(super::iso_datetime("    :  :     :  :  "), None);
        assert_eq!(super::iso_datetime(""), None);
    }

    #[test]
    fn no_exif_is_none() {
        assert_eq!(super::read(b"not an image"), None);
    }
}
