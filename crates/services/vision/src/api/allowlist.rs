//! The face allowlist (ours): `POST /v1/allowlist` enrols the face of a photo, `GET` lists the
//! entries, `DELETE /v1/allowlist/{id}` removes one. People and faces that match an entry
//! (SFace cosine ≥ 0.45) are reported with `allowlisted: true`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use platform::http::{ApiError, ApiKeyAuth, AppJson};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::AllowlistEntry;
use crate::{ErrorBody, VisionState};

#[derive(Debug, Deserialize, ToSchema)]
pub struct Enrol {
    /// A label of yours for the person (1–200 characters).
    pub name: String,
    /// Raw base64 of a photo with one face (the largest is taken).
    pub data_base64: String,
}

#[derive(Serialize, ToSchema)]
pub struct Allowlist {
    pub allowlist: Vec<AllowlistEntry>,
}

/// Enrol a face on the tenant's allowlist (ours).
#[utoipa::path(post, path = "/v1/allowlist", tag = "Allowlist", request_body = Enrol, security(("apiKeyAuth" = [])), responses(
    (status = 201, body = AllowlistEntry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn enrol(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    AppJson(body): AppJson<Enrol>,
) -> Result<Response, ApiError> {
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_request("name must be 1 to 200 characters"));
    }
    if !state.face_attributes_enabled(caller.tenant_id()).await? {
        return Err(ApiError::forbidden(
            "face attributes are switched off for this tenant",
        ));
    }
    let max = state.shared.platform.settings().vision.max_image_bytes;
    if body.data_base64.len() / 4 * 3 > max + 3 {
        return Err(ApiError::bad_request(format!(
            "the photo is larger than {max} bytes"
        )));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.data_base64.trim())
        .map_err(|e| ApiError::bad_request(format!("data_base64 is not valid base64: {e}")))?;
    let pool = state.analyser.pool.clone();
    let embedding = tokio::task::spawn_blocking(move || pool.enrol(&bytes))
        .await
        .map_err(|e| ApiError::from(anyhow::anyhow!("enrolling: {e}")))?;
    let embedding = match embedding {
        Ok(e) => e,
        Err(media::MediaError::ModelUnavailable(why)) => {
            return Err(ApiError::unavailable(format!("model unavailable: {why}")))
        }
        Err(e @ media::MediaError::NoFace) => {
            let error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
            return Err(error.with_code("NoFace"));
        }
        Err(e) => return Err(ApiError::bad_request(e.to_string())),
    };
    let entry = state
        .store
        .add_allowlisted(caller.tenant_id(), &name, &embedding)
        .await?;
    Ok((StatusCode::CREATED, Json(entry)).into_response())
}

/// List the tenant's allowlist (ours; embeddings are never returned).
#[utoipa::path(get, path = "/v1/allowlist", tag = "Allowlist", security(("apiKeyAuth" = [])), responses(
    (status = 200, body = Allowlist), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
) -> Result<Json<Allowlist>, ApiError> {
    Ok(Json(Allowlist {
        allowlist: state.store.allowlist(caller.tenant_id()).await?,
    }))
}

/// Remove a face from the allowlist (ours).
#[utoipa::path(delete, path = "/v1/allowlist/{id}", tag = "Allowlist", params(("id" = String, Path)), security(("apiKeyAuth" = [])), responses(
    (status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn remove(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state
        .store
        .remove_allowlisted(caller.tenant_id(), &id)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("no such allowlist entry"))
    }
}
