//! OCR with PP-OCRv4: the DB text detector finds line regions, the CTC recogniser reads each.
//! Gated: the detector first runs on a small copy, and recognition (the costly part) runs only
//! where that copy shows text.

use image::RgbImage;
use serde::Serialize;

use crate::faces::BoundingBox;
use crate::language::language_code;
use crate::models::{ModelSet, OCR_DET, OCR_REC};
use crate::tensor::{nchw, run};
use crate::MediaError;

/// Long side of the gate's copy.
pub const GATE_SIDE: u32 = 320;
/// Long side of the detection copy (a multiple of 32).
pub const DETECTION_SIDE: u32 = 960;
const PIXEL_THRESHOLD: f32 = 0.3;
const BOX_THRESHOLD: f32 = 0.5;
const UNCLIP_RATIO: f32 = 1.6;
const REC_HEIGHT: u32 = 48;
const REC_MAX_WIDTH: u32 = 1600;
/// Lines read with less mean confidence are dropped.
pub const LINE_CONFIDENCE: f32 = 0.5;
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

#[derive(Debug, Clone, Serialize)]
pub struct OcrLine {
    pub text: String,
    #[serde(rename = "box")]
    pub bounding_box: BoundingBox,
    pub confidence: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct OcrResult {
    pub full_text: String,
    pub language_code: String,
    pub lines: Vec<OcrLine>,
    /// False when the gate saw no text and recognition did not run.
    pub text_detected: bool,
}

impl OcrResult {
    fn empty() -> OcrResult {
        OcrResult {
            full_text: String::new(),
            language_code: "und".into(),
            lines: Vec::new(),
            text_detected: false,
        }
    }
}

pub fn read_text(models: &mut ModelSet, image: &RgbImage) -> Result<OcrResult, MediaError> {
    read_text_on(models, image, image)
}

/// [`read_text`] with the gate run on `small`, a downscaled copy of `image`.
pub fn read_text_on(
    models: &mut ModelSet,
    image: &RgbImage,
    small: &RgbImage,
) -> Result<OcrResult, MediaError> {
    if !models.has(OCR_REC) {
        models.session(OCR_REC)?;
    }
    let gate = detect_regions(models, small, GATE_SIDE)?;
    if gate.is_empty() {
        return Ok(OcrResult::empty());
    }
    let regions = detect_regions(models, image, DETECTION_SIDE)?;
    let mut lines = Vec::new();
    for region in regions {
        if let Some(line) = recognise(models, image, region)? {
            lines.push(line);
        }
    }
    lines.sort_by(|a, b| {
        let (ay, by) = (a.bounding_box.top, b.bounding_box.top);
        let same_row = (ay - by).abs() < a.bounding_box.height.min(b.bounding_box.height) / 2.0;
        if same_row {
            a.bounding_box.left.total_cmp(&b.bounding_box.left)
        } else {
            ay.total_cmp(&by)
        }
    });
    let full_text = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(OcrResult {
        language_code: language_code(&full_text),
        full_text,
        text_detected: true,
        lines,
    })
}

/// A text region in original pixels: x0, y0, x1, y1.
type Region = [f32; 4];

fn detect_regions(
    models: &mut ModelSet,
    image: &RgbImage,
    side: u32,
) -> Result<Vec<Region>, MediaError> {
    let (w, h) = (image.width(), image.height());
    let scale = (side as f32 / w.max(h) as f32).min(1.0);
    let (sw, sh) = (
        (((w as f32 * scale).round() as u32).max(32)).div_ceil(32) * 32,
        (((h as f32 * scale).round() as u32).max(32)).div_ceil(32) * 32,
    );
    let small = crate::resize::resize(image, sw, sh);
    let tensor = nchw(&small, false, |c, v| (v as f32 / 255.0 - MEAN[c]) / STD[c]);
    let out = run(
        models.session(OCR_DET)?,
        [1, 3, sh as usize, sw as usize],
        tensor,
    )?;
    let map = &out[0].1;
    let (mw, mh) = (sw as usize, sh as usize);
    if map.len() < mw * mh {
        return Err(MediaError::Inference(
            "detector map has an unexpected size".into(),
        ));
    }
    let (kx, ky) = (w as f32 / sw as f32, h as f32 / sh as f32);
    let mut seen = vec![false; mw * mh];
    let mut regions = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mw * mh {
        if seen[start] || map[start] < PIXEL_THRESHOLD {
            continue;
        }
        // One connected component (8-neighbour) of the thresholded map.
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let (mut sum, mut count) = (0f32, 0usize);
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % mw, i / mw);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            sum += map[i];
            count += 1;
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= mw as i64 || ny >= mh as i64 {
                        continue;
                    }
                    let j = ny as usize * mw + nx as usize;
                    if !seen[j] && map[j] >= PIXEL_THRESHOLD {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        if bw.min(bh) < 3.0 || sum / (count as f32) < BOX_THRESHOLD {
            continue;
        }
        // DB's unclip: grow the shrunk kernel by area × ratio / perimeter.
        let grow = bw * bh * UNCLIP_RATIO / (2.0 * (bw + bh));
        let region = [
            ((x0 as f32 - grow) * kx).max(0.0),
            ((y0 as f32 - grow) * ky).max(0.0),
            ((x1 as f32 + 1.0 + grow) * kx).min(w as f32),
            ((y1 as f32 + 1.0 + grow) * ky).min(h as f32),
        ];
        regions.push(region);
    }
    Ok(regions)
}

/// Between two Latin letters or digits, a space where the recogniser's space class rose to
/// [`SPACE_EVIDENCE`] in the steps between them without winning: the Chinese-English PP-OCRv4
/// recogniser often drops spaces between English words on small text, but its space class
/// still shows them.
fn with_word_spaces(emitted: &[(usize, &str, f32)], space_seen: &[f32]) -> String {
    let latin = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric());
    let mut text = String::new();
    for (i, (_, symbol, _)) in emitted.iter().enumerate() {
        if i > 0 && latin(emitted[i - 1].1) && latin(symbol) && space_seen[i] >= SPACE_EVIDENCE {
            text.push(' ');
        }
        text.push_str(symbol);
    }
    text
}

/// Peak space probability between two letters that marks a dropped space. On the development
/// slides (DejaVu Sans Bold capitals, 640 px frames) dropped spaces peak at 0.21–0.44 and
/// letters of one word at 0.00; an earlier rule on step gaps put spaces inside wide capitals
/// ("WELCO ME") at 1280 px (scripts/eval-vision).
const SPACE_EVIDENCE: f32 = 0.1;

fn recognise(
    models: &mut ModelSet,
    image: &RgbImage,
    r: Region,
) -> Result<Option<OcrLine>, MediaError> {
    let (x0, y0) = (r[0] as u32, r[1] as u32);
    let (cw, ch) = (((r[2] - r[0]) as u32).max(1), ((r[3] - r[1]) as u32).max(1));
    if cw < 4 || ch < 4 {
        return Ok(None);
    }
    let crop = image::imageops::crop_imm(
        image,
        x0,
        y0,
        cw.min(image.width() - x0),
        ch.min(image.height() - y0),
    )
    .to_image();
    let width = ((REC_HEIGHT as f32 * crop.width() as f32 / crop.height() as f32).ceil() as u32)
        .clamp(REC_HEIGHT / 4, REC_MAX_WIDTH);
    let line = crate::resize::resize(&crop, width, REC_HEIGHT);
    let tensor = nchw(&line, false, |_, v| (v as f32 / 255.0 - 0.5) / 0.5);
    let out = run(
        models.session(OCR_REC)?,
        [1, 3, REC_HEIGHT as usize, width as usize],
        tensor,
    )?;
    let (shape, probs) = &out[0];
    if shape.len() != 3 {
        return Err(MediaError::Inference(
            "recogniser output is not [1, T, C]".into(),
        ));
    }
    let (steps, classes) = (shape[1] as usize, shape[2] as usize);
    let alphabet = models.rec_alphabet();
    // (time step, symbol, probability) of each symbol CTC emits.
    let mut emitted: Vec<(usize, &str, f32)> = Vec::new();
    // Per emitted symbol: the space class's peak since the symbol before it.
    let mut space_seen: Vec<f32> = Vec::new();
    let mut space_max = 0f32;
    let mut previous = 0usize;
    for t in 0..steps {
        let row = &probs[t * classes..(t + 1) * classes];
        space_max = space_max.max(row[classes - 1]);
        let (best, p) =
            row.iter().enumerate().fold(
                (0, f32::MIN),
                |acc, (i, &v)| if v > acc.1 { (i, v) } else { acc },
            );
        if best != 0 && best != previous {
            if let Some(symbol) = alphabet.get(best - 1) {
                emitted.push((t, symbol.as_str(), p));
                space_seen.push(space_max);
                space_max = 0.0;
            }
        }
        previous = best;
    }
    let kept = emitted.len();
    let confidence: f32 = emitted.iter().map(|e| e.2).sum();
    let text = with_word_spaces(&emitted, &space_seen);
    let text = text.trim().to_string();
    if kept == 0 || text.is_empty() {
        return Ok(None);
    }
    let confidence = confidence / kept as f32;
    if confidence < LINE_CONFIDENCE {
        return Ok(None);
    }
    let (fw, fh) = (image.width() as f32, image.height() as f32);
    Ok(Some(OcrLine {
        text,
        bounding_box: BoundingBox {
            left: r[0] / fw,
            top: r[1] / fh,
            width: (r[2] - r[0]) / fw,
            height: (r[3] - r[1]) / fh,
        },
        confidence,
    }))
}
