//! `GET/PUT /v1/settings` (ours): the tenant's switch for biometric face attributes. Off, image
//! requests naming `face_attributes` and enrolments answer 403, and video people carry only
//! their id, prominence and allowlist flag.

use axum::extract::State;
use axum::Json;
use platform::http::{ApiError, ApiKeyAuth, AppJson};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ErrorBody, VisionState};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VisionSettings {
    /// Embeddings, age, gender and thumbnails of faces may be produced (default: the server's
    /// `vision.face_attributes_enabled`, on).
    pub face_attributes_enabled: bool,
}

/// The tenant's vision settings (ours).
#[utoipa::path(get, path = "/v1/settings", tag = "Settings", security(("apiKeyAuth" = [])), responses(
    (status = 200, body = VisionSettings), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
) -> Result<Json<VisionSettings>, ApiError> {
    let face_attributes_enabled = state.face_attributes_enabled(caller.tenant_id()).await?;
    Ok(Json(VisionSettings {
        face_attributes_enabled,
    }))
}

/// Change the tenant's vision settings (ours).
#[utoipa::path(put, path = "/v1/settings", tag = "Settings", request_body = VisionSettings, security(("apiKeyAuth" = [])), responses(
    (status = 200, body = VisionSettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn put(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    AppJson(body): AppJson<VisionSettings>,
) -> Result<Json<VisionSettings>, ApiError> {
    state
        .store
        .set_face_attributes_enabled(caller.tenant_id(), body.face_attributes_enabled)
        .await?;
    get(State(state), caller).await
}
