//! guard's error envelope: `{"error": "<human-readable message>"}`.

use platform::http::{ApiError, ErrorEnvelope};
use serde::Serialize;
use utoipa::ToSchema;

/// Every guard error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable error message.
    pub error: String,
}

pub struct GuardEnvelope;

impl ErrorEnvelope for GuardEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        platform::http::envelope::to_body(ErrorBody {
            error: err.message.clone(),
        })
    }
}
