//! `GET /v1/health` (no auth): liveness, the database check, and which models are missing.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use platform::http::health::{basic_health, BasicHealth};

use crate::VisionState;

/// Healthy with models missing: the features they serve answer `model_unavailable`.
#[utoipa::path(get, path = "/v1/health", tag = "health", responses(
    (status = 200, body = BasicHealth), (status = 503, body = BasicHealth)))]
pub async fn health(State(state): State<VisionState>) -> Response {
    let response = basic_health(&state.shared.platform).await;
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 16).await else {
        return parts.status.into_response();
    };
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let models = state.analyser.pool.models();
    if let Some(object) = doc.as_object_mut() {
        object.insert(
            "models".into(),
            serde_json::json!({
                "dir": models.dir().display().to_string(),
                "missing": models.missing(),
                "runtime_error": models.runtime_error(),
            }),
        );
        object.insert(
            "media_store".into(),
            serde_json::json!(state.media.location()),
        );
        object.insert(
            "video_decoders".into(),
            serde_json::json!(state.analyser.decoders.mode()),
        );
    }
    (parts.status, Json(doc)).into_response()
}
