//! Faces: YuNet 2023mar detection (boxes, 5 landmarks, score), and per face the opt-in
//! attributes — SFace 128-d embedding, Cydral age and gender, a small JPEG thumbnail.

use std::io::Cursor;

use base64::Engine as _;
use image::RgbImage;
use serde::Serialize;

use crate::align::{warp, Similarity};
use crate::models::{ModelSet, AGE, FACE_DETECTOR, FACE_EMBEDDING, GENDER};
use crate::tensor::{nchw, output_names, run};
use crate::MediaError;

/// Detection runs on a copy whose long side is at most this (YuNet is trained on 10–300 px faces).
pub const DETECTION_SIDE: u32 = 640;
pub const SCORE_THRESHOLD: f32 = 0.6;
const NMS_IOU: f32 = 0.3;
/// Attributes are computed only for faces at least this many pixels wide in the original.
pub const MIN_ATTRIBUTE_FACE: f32 = 24.0;
/// Below this confidence the gender is reported as `unidentified`.
pub const GENDER_CONFIDENCE: f32 = 0.75;
const THUMBNAIL_SIDE: u32 = 96;

/// Normalised to the upright image, 0..1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BoundingBox {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Face {
    #[serde(rename = "box")]
    pub bounding_box: BoundingBox,
    pub score: f32,
    /// Eye on the image's left, eye on the right, nose tip, mouth corners left and right.
    pub landmarks: [Point; 5],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender_confidence: Option<f32>,
    /// L2-normalised SFace embedding; compare by cosine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_embedding: Option<Vec<f32>>,
    /// Base64 JPEG, at most 96 px a side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_thumbnail: Option<String>,
    /// Whether the face matches the tenant's allowlist (with attributes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowlisted: Option<bool>,
    /// Pixel geometry in the image analysed, for the attribute pass.
    #[serde(skip)]
    pixels: Detection,
}

#[derive(Debug, Clone, Copy)]
struct Detection {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    score: f32,
    landmarks: [[f32; 2]; 5],
}

/// Detects faces in `image` (upright RGB).
pub fn detect(models: &mut ModelSet, image: &RgbImage) -> Result<Vec<Face>, MediaError> {
    detect_on(models, image, &downscale(image, DETECTION_SIDE))
}

/// A copy whose long side is at most `side` (area-averaged), or the image itself.
pub(crate) fn downscale(image: &RgbImage, side: u32) -> RgbImage {
    let (w, h) = (image.width(), image.height());
    let scale = (side as f32 / w.max(h) as f32).min(1.0);
    if scale >= 1.0 {
        return image.clone();
    }
    let (sw, sh) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    crate::resize::resize(image, sw, sh)
}

/// [`detect`] on `small`, a downscaled copy of `image` (long side ≤ [`DETECTION_SIDE`]) made once
/// for every model of the menu; boxes and landmarks refer to `image`.
pub fn detect_on(
    models: &mut ModelSet,
    image: &RgbImage,
    small: &RgbImage,
) -> Result<Vec<Face>, MediaError> {
    let session = models.session(FACE_DETECTOR)?;
    let (w, h) = (image.width(), image.height());
    let small = if small.width().max(small.height()) > DETECTION_SIDE {
        downscale(small, DETECTION_SIDE)
    } else {
        small.clone()
    };
    let (sw, sh) = (small.width(), small.height());
    let scale = sw as f32 / w as f32;
    let (pw, ph) = (sw.div_ceil(32) * 32, sh.div_ceil(32) * 32);
    let mut padded = RgbImage::new(pw, ph);
    image::imageops::replace(&mut padded, &small, 0, 0);
    let names = output_names(session);
    let outputs = run(
        session,
        [1, 3, ph as usize, pw as usize],
        nchw(&padded, true, |_, v| v as f32),
    )?;
    let output = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .map(|i| &outputs[i].1)
            .ok_or_else(|| MediaError::Inference(format!("YuNet has no output {name}")))
    };
    let mut found = Vec::new();
    for stride in [8u32, 16, 32] {
        let (cls, obj) = (
            output(&format!("cls_{stride}"))?,
            output(&format!("obj_{stride}"))?,
        );
        let (bbox, kps) = (
            output(&format!("bbox_{stride}"))?,
            output(&format!("kps_{stride}"))?,
        );
        let cols = (pw / stride) as usize;
        let s = stride as f32;
        for i in 0..cls.len().min(obj.len()) {
            let score = (cls[i].clamp(0.0, 1.0) * obj[i].clamp(0.0, 1.0)).sqrt();
            if score < SCORE_THRESHOLD || bbox.len() < (i + 1) * 4 || kps.len() < (i + 1) * 10 {
                continue;
            }
            let (row, col) = ((i / cols) as f32, (i % cols) as f32);
            let (cx, cy) = ((col + bbox[i * 4]) * s, (row + bbox[i * 4 + 1]) * s);
            let (bw, bh) = (bbox[i * 4 + 2].exp() * s, bbox[i * 4 + 3].exp() * s);
            let mut landmarks = [[0f32; 2]; 5];
            for (k, point) in landmarks.iter_mut().enumerate() {
                *point = [
                    (kps[i * 10 + 2 * k] + col) * s / scale,
                    (kps[i * 10 + 2 * k + 1] + row) * s / scale,
                ];
            }
            found.push(Detection {
                x: (cx - bw / 2.0) / scale,
                y: (cy - bh / 2.0) / scale,
                w: bw / scale,
                h: bh / scale,
                score,
                landmarks,
            });
        }
    }
    let kept = non_maximum_suppression(found, NMS_IOU);
    let (fw, fh) = (w as f32, h as f32);
    Ok(kept
        .into_iter()
        .map(|d| {
            let (x0, y0) = (d.x.clamp(0.0, fw), d.y.clamp(0.0, fh));
            let (x1, y1) = ((d.x + d.w).clamp(0.0, fw), (d.y + d.h).clamp(0.0, fh));
            Face {
                bounding_box: BoundingBox {
                    left: x0 / fw,
                    top: y0 / fh,
                    width: (x1 - x0) / fw,
                    height: (y1 - y0) / fh,
                },
                score: d.score,
                landmarks: d.landmarks.map(|p| Point {
                    x: (p[0] / fw).clamp(0.0, 1.0),
                    y: (p[1] / fh).clamp(0.0, 1.0),
                }),
                age: None,
                gender: None,
                gender_confidence: None,
                face_embedding: None,
                face_thumbnail: None,
                allowlisted: None,
                pixels: d,
            }
        })
        .collect())
}

fn iou(a: &Detection, b: &Detection) -> f32 {
    let (x0, y0) = (a.x.max(b.x), a.y.max(b.y));
    let (x1, y1) = ((a.x + a.w).min(b.x + b.w), (a.y + a.h).min(b.y + b.h));
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    inter / (a.w * a.h + b.w * b.h - inter).max(1e-6)
}

fn non_maximum_suppression(mut all: Vec<Detection>, threshold: f32) -> Vec<Detection> {
    all.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for d in all {
        if kept.iter().all(|k| iou(k, &d) <= threshold) {
            kept.push(d);
        }
    }
    kept
}

/// ArcFace's 112×112 five-point template, which SFace expects.
const ARCFACE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];
/// YuNet's five points in the unit chip of dlib's `get_face_chip_details(padding = 0.2)`, which
/// the Cydral age and gender models were trained on.
const DLIB_CHIP: [[f32; 2]; 5] = [
    [0.2917, 0.2887],
    [0.7083, 0.2887],
    [0.5, 0.5074],
    [0.3174, 0.7039],
    [0.6826, 0.7039],
];
const AGE_WEIGHTS_LEN: usize = 81;
const DLIB_MEAN: [f32; 3] = [122.782, 117.001, 104.298];

/// Adds embedding, age, gender and thumbnail to faces large enough to judge.
pub fn add_attributes(
    models: &mut ModelSet,
    image: &RgbImage,
    faces: &mut [Face],
) -> Result<(), MediaError> {
    for face in faces.iter_mut() {
        let d = face.pixels;
        face.face_thumbnail = Some(thumbnail(image, &d)?);
        if d.w < MIN_ATTRIBUTE_FACE {
            continue;
        }
        let to_chip =
            |template: &[[f32; 2]; 5], side: f32| template.map(|p| [p[0] * side, p[1] * side]);
        let chip = warp(image, Similarity::fit(&ARCFACE, &d.landmarks), 112);
        let session = models.session(FACE_EMBEDDING)?;
        let out = run(
            session,
            [1, 3, 112, 112],
            nchw(&chip, false, |_, v| v as f32),
        )?;
        let embedding = &out[0].1;
        let norm = embedding
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
            .sqrt()
            .max(1e-6);
        face.face_embedding = Some(embedding.iter().map(|v| v / norm).collect());

        let dlib = |side: u32| -> RgbImage {
            let big = side * 4;
            let chip = warp(
                image,
                Similarity::fit(&to_chip(&DLIB_CHIP, big as f32), &d.landmarks),
                big,
            );
            crate::resize::resize(&chip, side, side)
        };
        let normalise = |c: usize, v: u8| (v as f32 - DLIB_MEAN[c]) / 256.0;
        let age_chip = dlib(64);
        let out = run(
            models.session(AGE)?,
            [1, 3, 64, 64],
            nchw(&age_chip, false, normalise),
        )?;
        let probabilities = &out[0].1;
        if probabilities.len() == AGE_WEIGHTS_LEN {
            let age: f32 = probabilities
                .iter()
                .enumerate()
                .map(|(i, p)| p * if i == 0 { 0.25 } else { i as f32 })
                .sum();
            face.age = Some((age * 10.0).round() / 10.0);
        }
        let gender_chip = dlib(32);
        let out = run(
            models.session(GENDER)?,
            [1, 3, 32, 32],
            nchw(&gender_chip, false, normalise),
        )?;
        if let [female, male] = out[0].1[..] {
            let (label, confidence) = if male >= female {
                ("male", male)
            } else {
                ("female", female)
            };
            face.gender = Some(if confidence >= GENDER_CONFIDENCE {
                label
            } else {
                "unidentified"
            });
            face.gender_confidence = Some(confidence);
        }
    }
    Ok(())
}

fn thumbnail(image: &RgbImage, d: &Detection) -> Result<String, MediaError> {
    let side = d.w.max(d.h) * 1.2;
    let (cx, cy) = (d.x + d.w / 2.0, d.y + d.h / 2.0);
    let x0 = (cx - side / 2.0).clamp(0.0, image.width() as f32 - 1.0) as u32;
    let y0 = (cy - side / 2.0).clamp(0.0, image.height() as f32 - 1.0) as u32;
    let cw = (side as u32).clamp(1, image.width() - x0);
    let ch = (side as u32).clamp(1, image.height() - y0);
    let crop = image::imageops::crop_imm(image, x0, y0, cw, ch).to_image();
    let scale = (THUMBNAIL_SIDE as f32 / cw.max(ch) as f32).min(1.0);
    let small = crate::resize::resize(
        &crop,
        ((cw as f32 * scale) as u32).max(1),
        ((ch as f32 * scale) as u32).max(1),
    );
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 80)
        .encode_image(&small)
        .map_err(|e| MediaError::Inference(format!("encoding a thumbnail: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(jpeg))
}

/// Cosine of two L2-normalised embeddings.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Whether `embedding` is the same person as any of `allowlist` (cosine ≥ [`SAME_PERSON`]).
pub fn on_allowlist(embedding: &[f32], allowlist: &[Vec<f32>]) -> bool {
    allowlist
        .iter()
        .any(|a| a.len() == embedding.len() && cosine(a, embedding) >= SAME_PERSON)
}

/// Cosine at or above which two SFace embeddings are one person (OpenCV gives 0.363; a margin
/// above it keeps different people apart).
pub const SAME_PERSON: f32 = 0.45;

/// The embedding of the one face (the largest, if several) in an enrolment photo.
pub fn enrol(
    models: &mut ModelSet,
    bytes: &[u8],
    limits: crate::DecodeLimits,
) -> Result<Vec<f32>, MediaError> {
    let decoded = crate::decode::decode(bytes, limits)?;
    let mut found = detect(models, &decoded.rgb)?;
    found.sort_by(|a, b| (b.pixels.w * b.pixels.h).total_cmp(&(a.pixels.w * a.pixels.h)));
    found.truncate(1);
    if found.is_empty() || found[0].pixels.w < MIN_ATTRIBUTE_FACE {
        return Err(MediaError::NoFace);
    }
    add_attributes(models, &decoded.rgb, &mut found)?;
    found.remove(0).face_embedding.ok_or(MediaError::NoFace)
}
