//! Technical cues from a small grey copy: blur (variance of the Laplacian) and darkness (mean luma).

use image::{GrayImage, RgbImage};
use serde::Serialize;

/// Below this Laplacian variance (on a 256-px grey copy) an image is called blurry.
pub const BLUR_THRESHOLD: f64 = 60.0;
/// Below this mean luma (0–255) an image is called dark.
pub const DARK_THRESHOLD: f64 = 50.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quality {
    /// Variance of the 4-neighbour Laplacian on the 256-px grey copy; higher is sharper.
    pub sharpness: f64,
    pub blurry: bool,
    /// Mean luma 0–255.
    pub brightness: f64,
    pub dark: bool,
}

pub fn grey_thumbnail(image: &RgbImage, long_side: u32) -> GrayImage {
    let (w, h) = (image.width(), image.height());
    let scale = long_side as f64 / w.max(h) as f64;
    let (tw, th) = if scale < 1.0 {
        (
            ((w as f64 * scale).round() as u32).max(1),
            ((h as f64 * scale).round() as u32).max(1),
        )
    } else {
        (w, h)
    };
    let small = crate::resize::resize(image, tw, th);
    image::DynamicImage::ImageRgb8(small).into_luma8()
}

pub fn quality(grey: &GrayImage) -> Quality {
    let (w, h) = (grey.width() as i64, grey.height() as i64);
    let at = |x: i64, y: i64| grey.get_pixel(x as u32, y as u32)[0] as f64;
    let brightness = grey.pixels().map(|p| p[0] as f64).sum::<f64>() / (w * h).max(1) as f64;
    let (mut sum, mut sum_sq, mut n) = (0.0, 0.0, 0.0);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let l = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y);
            sum += l;
            sum_sq += l * l;
            n += 1.0;
        }
    }
    let sharpness = if n > 0.0 {
        sum_sq / n - (sum / n).powi(2)
    } else {
        0.0
    };
    Quality {
        sharpness,
        blurry: sharpness < BLUR_THRESHOLD,
        brightness,
        dark: brightness < DARK_THRESHOLD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_grey_is_blurry_and_black_is_dark() {
        let flat = GrayImage::from_pixel(64, 64, image::Luma([128]));
        let q = quality(&flat);
        assert!(q.blurry && !q.dark);
        let black = GrayImage::from_pixel(64, 64, image::Luma([5]));
        assert!(quality(&black).dark);
    }

    #[test]
    fn a_checkerboard_is_sharp() {
        let board = GrayImage::from_fn(64, 64, |x, y| {
            image::Luma([if (x / 2 + y / 2) % 2 == 0 { 0 } else { 255 }])
        });
        assert!(!quality(&board).blurry);
    }
}
