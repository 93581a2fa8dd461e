//! Face alignment: the least-squares similarity between two 5-point sets, and a bilinear warp
//! of the source image through it into a square chip.

use image::{Rgb, RgbImage};

/// x' = a·x − b·y + tx, y' = b·x + a·y + ty.
#[derive(Debug, Clone, Copy)]
pub struct Similarity {
    a: f32,
    b: f32,
    tx: f32,
    ty: f32,
}

impl Similarity {
    /// The similarity that best maps `from` onto `to` (least squares, no reflection).
    pub fn fit(from: &[[f32; 2]; 5], to: &[[f32; 2]; 5]) -> Similarity {
        let mean = |p: &[[f32; 2]; 5]| {
            let (sx, sy) = p.iter().fold((0.0, 0.0), |(x, y), q| (x + q[0], y + q[1]));
            (sx / 5.0, sy / 5.0)
        };
        let (fx, fy) = mean(from);
        let (tx, ty) = mean(to);
        let (mut dot, mut cross, mut norm) = (0.0f32, 0.0f32, 0.0f32);
        for (f, t) in from.iter().zip(to) {
            let (ux, uy) = (f[0] - fx, f[1] - fy);
            let (vx, vy) = (t[0] - tx, t[1] - ty);
            dot += ux * vx + uy * vy;
            cross += ux * vy - uy * vx;
            norm += ux * ux + uy * uy;
        }
        let norm = norm.max(1e-6);
        let (a, b) = (dot / norm, cross / norm);
        Similarity {
            a,
            b,
            tx: tx - (a * fx - b * fy),
            ty: ty - (b * fx + a * fy),
        }
    }

    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        (
            self.a * x - self.b * y + self.tx,
            self.b * x + self.a * y + self.ty,
        )
    }
}

/// A `size`×`size` chip whose pixel (u, v) is sampled at `chip_to_image(u, v)` in `image`.
pub fn warp(image: &RgbImage, chip_to_image: Similarity, size: u32) -> RgbImage {
    RgbImage::from_fn(size, size, |u, v| {
        let (x, y) = chip_to_image.apply(u as f32 + 0.5, v as f32 + 0.5);
        bilinear(image, x - 0.5, y - 0.5)
    })
}

fn bilinear(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
    let (w, h) = (image.width() as i64, image.height() as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (dx, dy) = (x - x0, y - y0);
    let clamp = |v: i64, max: i64| v.clamp(0, max - 1) as u32;
    let px = |xi: i64, yi: i64| image.get_pixel(clamp(xi, w), clamp(yi, h));
    let (x0, y0) = (x0 as i64, y0 as i64);
    let (p00, p10, p01, p11) = (
        px(x0, y0),
        px(x0 + 1, y0),
        px(x0, y0 + 1),
        px(x0 + 1, y0 + 1),
    );
    let mut out = [0u8; 3];
    for c in 0..3 {
        let top = p00[c] as f32 * (1.0 - dx) + p10[c] as f32 * dx;
        let bottom = p01[c] as f32 * (1.0 - dx) + p11[c] as f32 * dx;
        out[c] = (top * (1.0 - dy) + bottom * dy).round().clamp(0.0, 255.0) as u8;
    }
    Rgb(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fit_recovers_an_exact_similarity(scale in 0.2f32..5.0, angle in -3.0f32..3.0, tx in -100f32..100.0, ty in -100f32..100.0) {
            let from = [[10.0, 12.0], [40.0, 11.0], [25.0, 30.0], [14.0, 45.0], [37.0, 44.0]];
            let (a, b) = (scale * angle.cos(), scale * angle.sin());
            let to = from.map(|p| [a * p[0] - b * p[1] + tx, b * p[0] + a * p[1] + ty]);
            let s = Similarity::fit(&from, &to);
            for (f, t) in from.iter().zip(&to) {
                let (x, y) = s.apply(f[0], f[1]);
                prop_assert!((x - t[0]).abs() < 1e-2 * scale.max(1.0) && (y - t[1]).abs() < 1e-2 * scale.max(1.0));
            }
        }
    }
}
