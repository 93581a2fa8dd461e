//! One image through the menu: decode, metadata and hash always; faces, face attributes, OCR
//! and quality cues as asked. A feature whose model is missing reports `model_unavailable`
//! for itself and leaves the others alone.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cues::{grey_thumbnail, quality};
use crate::decode::{decode, DecodeLimits};
use crate::exif::ExifFacts;
use crate::faces::{self, Face};
use crate::hash::PerceptualHash;
use crate::models::{
    describe, ModelSet, AGE, FACE_DETECTOR, FACE_EMBEDDING, GENDER, OCR_DET, OCR_REC,
};
use crate::ocr::{self, OcrResult};
use crate::MediaError;

pub use crate::cues::Quality;

/// Optional analyses; metadata and the perceptual hash always run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    Faces,
    /// Embedding, age, gender and thumbnail per face (biometric: opt-in).
    FaceAttributes,
    Ocr,
    Quality,
}

impl Feature {
    pub const ALL: [Feature; 4] = [
        Feature::Faces,
        Feature::FaceAttributes,
        Feature::Ocr,
        Feature::Quality,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Feature::Faces => "faces",
            Feature::FaceAttributes => "face_attributes",
            Feature::Ocr => "ocr",
            Feature::Quality => "quality",
        }
    }

    pub fn parse(name: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What runs when a request names no features: everything but the biometric attributes.
    pub fn defaults() -> BTreeSet<Feature> {
        [Feature::Faces, Feature::Ocr, Feature::Quality].into()
    }
}

#[derive(Debug, Clone)]
pub struct ImageOptions {
    pub features: BTreeSet<Feature>,
    pub limits: DecodeLimits,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaFacts {
    pub format: &'static str,
    /// Upright dimensions (EXIF orientation applied).
    pub width: u32,
    pub height: u32,
    pub exif: Option<ExifFacts>,
    /// True when the file carries a GPS position: a privacy flag.
    pub gps_present: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeatureError {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageAnalysis {
    pub media: MediaFacts,
    /// 64-bit DCT perceptual hash, hex.
    pub phash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faces: Option<Vec<Face>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocr: Option<OcrResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<Quality>,
    /// Features asked for that could not run, by feature name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<&'static str, FeatureError>,
    /// The model (name, package, version) behind each feature that ran.
    pub models: BTreeMap<&'static str, String>,
    #[serde(skip)]
    pub hash: PerceptualHash,
}

impl ImageAnalysis {
    /// Marks each face with an embedding as on `allowlist` or not.
    pub fn mark_allowlisted(&mut self, allowlist: &[Vec<f32>]) {
        for face in self.faces.iter_mut().flatten() {
            if let Some(embedding) = &face.face_embedding {
                face.allowlisted = Some(faces::on_allowlist(embedding, allowlist));
            }
        }
    }
}

pub fn analyse_image(
    bytes: &[u8],
    options: &ImageOptions,
    models: &mut ModelSet,
) -> Result<ImageAnalysis, MediaError> {
    let decoded = decode(bytes, options.limits)?;
    let image = &decoded.rgb;
    // One small copy serves the hash, the cues, face detection and the OCR gate.
    let small = faces::downscale(image, faces::DETECTION_SIDE);
    let hash = PerceptualHash::of(&small);
    let gps_present = decoded.exif.as_ref().is_some_and(|e| e.gps.is_some());
    let mut analysis = ImageAnalysis {
        media: MediaFacts {
            format: decoded.format.name(),
            width: image.width(),
            height: image.height(),
            exif: decoded.exif.clone(),
            gps_present,
        },
        phash: hash.hex(),
        faces: None,
        ocr: None,
        quality: None,
        errors: BTreeMap::new(),
        models: BTreeMap::new(),
        hash,
    };
    let wants = |f| options.features.contains(&f);
    let fail = |analysis: &mut ImageAnalysis, feature: Feature, e: MediaError| {
        analysis.errors.insert(
            feature.name(),
            FeatureError {
                code: e.code(),
                message: e.to_string(),
            },
        );
    };
    if wants(Feature::Quality) {
        analysis.quality = Some(quality(&grey_thumbnail(&small, 256)));
    }
    if wants(Feature::Faces) || wants(Feature::FaceAttributes) {
        match faces::detect_on(models, image, &small) {
            Ok(mut found) => {
                analysis.models.insert("faces", describe(FACE_DETECTOR));
                if wants(Feature::FaceAttributes) {
                    match faces::add_attributes(models, image, &mut found) {
                        Ok(()) => {
                            let roles = [FACE_EMBEDDING, AGE, GENDER].map(describe).join(", ");
                            analysis.models.insert("face_attributes", roles);
                        }
                        Err(e) => fail(&mut analysis, Feature::FaceAttributes, e),
                    }
                }
                analysis.faces = Some(found);
            }
            Err(e) => {
                fail(&mut analysis, Feature::Faces, e);
            }
        }
    }
    if wants(Feature::Ocr) {
        match ocr::read_text_on(models, image, &small) {
            Ok(text) => {
                analysis.models.insert(
                    "ocr",
                    format!(
                        "{}, {}, whatlang 0.16",
                        describe(OCR_DET),
                        describe(OCR_REC)
                    ),
                );
                analysis.ocr = Some(text);
            }
            Err(e) => fail(&mut analysis, Feature::Ocr, e),
        }
    }
    Ok(analysis)
}
