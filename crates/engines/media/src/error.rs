//! Why an image could not be analysed; each variant has a stable snake_case code.

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    #[error("image of {width}x{height} pixels exceeds the budget of {budget} pixels")]
    TooManyPixels {
        width: u32,
        height: u32,
        budget: u64,
    },
    #[error("image is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("image cannot be decoded: {0}")]
    Corrupt(String),
    #[error("model unavailable: {0}")]
    ModelUnavailable(String),
    #[error("inference failed: {0}")]
    Inference(String),
    #[error("no face large enough to recognise was found")]
    NoFace,
}

impl MediaError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::UnsupportedFormat(_) => "unsupported_format",
            MediaError::TooManyPixels { .. } => "image_too_large",
            MediaError::TooLarge { .. } => "image_too_large",
            MediaError::Corrupt(_) => "corrupt_image",
            MediaError::ModelUnavailable(_) => "model_unavailable",
            MediaError::Inference(_) => "inference_failed",
            MediaError::NoFace => "no_face",
        }
    }
}

impl From<ort::Error> for MediaError {
    fn from(e: ort::Error) -> MediaError {
        MediaError::Inference(e.to_string())
    }
}
