//! Decoding with a pixel budget checked against the header before any pixel is allocated, and
//! the EXIF orientation applied so that boxes refer to the image as a person sees it.

use std::io::Cursor;

use image::{DynamicImage, ImageReader, Limits, RgbImage};

use crate::exif::{self, ExifFacts};
use crate::sniff::{sniff, Format};
use crate::MediaError;

#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    /// Largest accepted width × height, from the header, before decoding.
    pub max_pixels: u64,
    /// Largest accepted side.
    pub max_side: u32,
    /// Largest sum of decoder allocations.
    pub max_alloc_bytes: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        // 50 MP covers phone and DSLR photos; a 20,000 × 20,000 bomb (400 MP) is refused.
        DecodeLimits {
            max_pixels: 50_000_000,
            max_side: 20_000,
            max_alloc_bytes: 512 * 1024 * 1024,
        }
    }
}

/// A decoded image, upright.
pub struct Decoded {
    pub format: Format,
    /// Stored dimensions (before orientation).
    pub stored_width: u32,
    pub stored_height: u32,
    pub rgb: RgbImage,
    pub exif: Option<ExifFacts>,
}

pub fn decode(bytes: &[u8], limits: DecodeLimits) -> Result<Decoded, MediaError> {
    let format = sniff(bytes).ok_or_else(|| {
        MediaError::UnsupportedFormat("not a JPEG, PNG, WebP, GIF, BMP or TIFF image".into())
    })?;
    let decoder = format.decoder().ok_or_else(|| {
        MediaError::UnsupportedFormat(format!(
            "{} images are recognised but no decoder is built in",
            format.name()
        ))
    })?;
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), decoder)
        .into_dimensions()
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    let pixels = width as u64 * height as u64;
    if pixels > limits.max_pixels || width > limits.max_side || height > limits.max_side {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            budget: limits.max_pixels,
        });
    }
    if pixels == 0 {
        return Err(MediaError::Corrupt("the image has no pixels".into()));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), decoder);
    let mut bounds = Limits::default();
    bounds.max_image_width = Some(limits.max_side);
    bounds.max_image_height = Some(limits.max_side);
    bounds.max_alloc = Some(limits.max_alloc_bytes);
    reader.limits(bounds);
    let image = reader
        .decode()
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    let exif = exif::read(bytes);
    let orientation = exif.as_ref().and_then(|e| e.orientation).unwrap_or(1);
    let rgb = orient(image, orientation).into_rgb8();
    Ok(Decoded {
        format,
        stored_width: width,
        stored_height: height,
        rgb,
        exif,
    })
}

/// Applies EXIF orientation 1–8.
fn orient(image: DynamicImage, orientation: u16) -> DynamicImage {
    match orientation {
        2 => image.fliph(),
        3 => image.rotate180(),
        4 => image.flipv(),
        5 => image.rotate90().fliph(),
        6 => image.rotate90(),
        7 => image.rotate270().fliph(),
        8 => image.rotate270(),
        _ => image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::new(width, height)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_small_png_decodes() {
        let d = decode(&png(40, 30), DecodeLimits::default()).unwrap();
        assert_eq!((d.rgb.width(), d.rgb.height()), (40, 30));
        assert_eq!(d.format, Format::Png);
    }

    #[test]
    fn the_budget_is_checked_from_the_header() {
        let limits = DecodeLimits {
            max_pixels: 100,
            ..DecodeLimits::default()
        };
        let err = decode(&png(11, 10), limits).err().unwrap();
        assert_eq!(err.code(), "image_too_large");
    }

    #[test]
    fn truncated_and_garbage_input_fail_cleanly() {
        let bytes = png(64, 64);
        let err = decode(&bytes[..bytes.len() / 2], DecodeLimits::default())
            .err()
            .unwrap();
        assert_eq!(err.code(), "corrupt_image");
        let err = decode(b"plain text", DecodeLimits::default())
            .err()
            .unwrap();
        assert_eq!(err.code(), "unsupported_format");
    }
}
