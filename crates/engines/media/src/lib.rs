//! Media analysis engine: image bytes in, metadata, perceptual hash, faces, text and technical
//! cues out. No HTTP, no SQL: the vision service stores jobs and calls [`analyse_image`].
//!
//! Untrusted input is handled with limits checked before allocation: the format is sniffed from
//! magic bytes, the header's dimensions are checked against a pixel budget before any pixel is
//! decoded, and every model runs on a bounded resize of the image.

mod align;
mod cues;
mod decode;
mod error;
mod exif;
mod faces;
mod hash;
mod language;
pub mod models;
mod ocr;
mod pipeline;
mod resize;
mod sniff;
mod tensor;
pub mod video;

pub use decode::{DecodeLimits, Decoded};
pub use error::MediaError;
pub use exif::{ExifFacts, Gps};
pub use faces::{enrol as enrol_face, on_allowlist, BoundingBox, Face, Point, SAME_PERSON};
pub use hash::{duplicate_groups, PerceptualHash, DUPLICATE_DISTANCE};
pub use models::{ModelSet, Models};
pub use ocr::{OcrLine, OcrResult};
pub use pipeline::{
    analyse_image, Feature, FeatureError, ImageAnalysis, ImageOptions, MediaFacts, Quality,
};
pub use sniff::{sniff, Format};
