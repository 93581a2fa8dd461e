//! `POST /v1/images` (a batch of base64 images → 202 + Location), `GET /v1/images/{job_id}`
//! (status, progress, per-item results), `DELETE /v1/images/{job_id}` (cancel and purge; ours).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use base64::Engine as _;
use platform::http::{ApiError, ApiKeyAuth, AppJson};
use serde::Deserialize;
use utoipa::ToSchema;

use super::jobs::{
    checked_webhook, max_processing_time, owned_job, purge, store_and_queue, Accepted,
    WebhookConfig,
};
use crate::model::{feature_names, job_document, parse_features, JobKind};
use crate::store::{NewItem, NewJob};
use crate::{ErrorBody, VisionState};

#[derive(Debug, Deserialize, ToSchema)]
pub struct ImageIn {
    /// Your id for the image, echoed in its result.
    #[schema(example = "abc")]
    pub external_id: Option<String>,
    /// Raw base64 of the image file (no `data:` prefix).
    #[schema(example = "/9j/4AAQSkZJRgABAQAAAQABAAD...")]
    pub data_base64: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SubmitImages {
    /// One or more images (at most `vision.max_batch_images`, default 64).
    pub images: Vec<ImageIn>,
    pub webhook: Option<WebhookConfig>,
    /// Ours: `faces`, `face_attributes` (biometric, opt-in), `ocr`, `quality`. Default:
    /// faces, ocr and quality; metadata, pHash and duplicates always.
    pub features: Option<Vec<String>>,
}

/// Submit a batch of images for analysis (JSON base64).
#[utoipa::path(post, path = "/v1/images", tag = "Request", request_body = SubmitImages,
    params(("Max-Processing-Time" = Option<i64>, Header, description = "Seconds; 0 means no limit")),
    security(("apiKeyAuth" = [])), responses(
    (status = 202, body = Accepted, headers(("Location" = String, description = "The result URL"))),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    headers: HeaderMap,
    AppJson(body): AppJson<SubmitImages>,
) -> Result<Response, ApiError> {
    let settings = &state.shared.platform.settings().vision;
    let max_time = max_processing_time(&headers)?;
    if body.images.is_empty() {
        return Err(ApiError::bad_request("images must be a non-empty array"));
    }
    if body.images.len() > settings.max_batch_images {
        return Err(ApiError::bad_request(format!(
            "a batch holds at most {} images",
            settings.max_batch_images
        )));
    }
    let features = parse_features(body.features.as_deref()).map_err(ApiError::bad_request)?;
    let biometric = features.contains(&media::Feature::FaceAttributes);
    if biometric && !state.face_attributes_enabled(caller.tenant_id()).await? {
        return Err(ApiError::forbidden(
            "face attributes are switched off for this tenant",
        ));
    }
    let (webhook_url, webhook_secret) =
        checked_webhook(&state.shared.platform, body.webhook).await?;

    let kind = JobKind::ImageBatch;
    let job_id = kind.new_job_id();
    let mut items = Vec::with_capacity(body.images.len());
    let mut stored = Vec::new();
    let mut media_bytes = 0i64;
    for (n, image) in body.images.into_iter().enumerate() {
        if image.external_id.as_ref().is_some_and(|id| id.len() > 256) {
            return Err(ApiError::bad_request(
                "external_id is longer than 256 characters",
            ));
        }
        match decode_item(&image.data_base64, settings.max_image_bytes) {
            Ok(bytes) => {
                let key = format!("{job_id}/{n}");
                media_bytes += bytes.len() as i64;
                stored.push((key.clone(), bytes));
                items.push(NewItem {
                    external_id: image.external_id,
                    media_key: Some(key),
                    error: None,
                });
            }
            Err((code, message)) => items.push(NewItem {
                external_id: image.external_id,
                media_key: None,
                error: Some((code.into(), message)),
            }),
        }
    }
    // Durable before acknowledged: the media on disk, then the job and its queue entry.
    state
        .media
        .put_all(stored)
        .await
        .map_err(|e| ApiError::from(e.context("storing media")))?;
    let job = NewJob {
        id: job_id.clone(),
        tenant_id: caller.tenant_id(),
        kind: kind.as_str(),
        features: feature_names(&features),
        media_bytes,
        max_processing_seconds: max_time,
        webhook_url,
        webhook_secret,
        queue_job_id: uuid::Uuid::now_v7(),
    };
    store_and_queue(&state, &job, &items, format!("/v1/images/{job_id}")).await
}

/// Raw base64 (standard alphabet, padding optional, line breaks tolerated) → bytes, or the
/// item's error code and message.
fn decode_item(data: &str, max_bytes: usize) -> Result<Vec<u8>, (&'static str, String)> {
    if data.trim_start().starts_with("data:") {
        return Err((
            "data_uri_not_accepted",
            "data_base64 must be raw base64, without a data: URI prefix".into(),
        ));
    }
    if data.len() / 4 * 3 > max_bytes + 3 {
        return Err((
            "image_too_large",
            format!("the image is larger than {max_bytes} bytes"),
        ));
    }
    // Line breaks are tolerated; most bodies have none, and then nothing is copied.
    let compact: std::borrow::Cow<str> = if data.bytes().any(|b| b.is_ascii_whitespace()) {
        data.chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect::<String>()
            .into()
    } else {
        data.into()
    };
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(compact.as_bytes()).map_err(|e| {
        (
            "invalid_base64",
            format!("data_base64 is not valid base64: {e}"),
        )
    })?;
    if bytes.is_empty() {
        return Err(("empty_image", "data_base64 decodes to no bytes".into()));
    }
    if bytes.len() > max_bytes {
        return Err((
            "image_too_large",
            format!("the image is larger than {max_bytes} bytes"),
        ));
    }
    if media::sniff(&bytes).is_none() {
        return Err((
            "unsupported_format",
            "not a JPEG, PNG, WebP, GIF, BMP or TIFF image".into(),
        ));
    }
    Ok(bytes)
}

/// Get the results of an image analysis.
#[utoipa::path(get, path = "/v1/images/{job_id}", tag = "Results", params(("job_id" = String, Path, example = "image_batch_123")),
    security(("apiKeyAuth" = [])), responses(
    (status = 200, description = "`{job_id, status, progress?, error?, items?}`", body = Object),
    (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    Path(job_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let row = owned_job(&state, caller.tenant_id(), &job_id, JobKind::ImageBatch).await?;
    Ok(Json(job_document(&row)))
}

/// Cancel an image job and delete it, its media and its results (ours).
#[utoipa::path(delete, path = "/v1/images/{job_id}", tag = "Results", params(("job_id" = String, Path)),
    security(("apiKeyAuth" = [])), responses(
    (status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn delete(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    Path(job_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let row = owned_job(&state, caller.tenant_id(), &job_id, JobKind::ImageBatch).await?;
    purge(&state, &row).await
}

#[cfg(test)]
mod tests {
    use super::decode_item;

    #[test]
    fn item_decoding_errors_are_named() {
        assert_eq!(
            decode_item("data:image/png;base64,AAAA", 100)
                .unwrap_err()
                .0,
            "data_uri_not_accepted"
        );
        assert_eq!(
            decode_item("!!!not base64", 100).unwrap_err().0,
            "invalid_base64"
        );
        assert_eq!(decode_item("", 100).unwrap_err().0, "empty_image");
        assert_eq!(
            decode_item("aGVsbG8gd29ybGQ=", 100).unwrap_err().0,
            "unsupported_format"
        );
        assert_eq!(
            decode_item(&"A".repeat(400), 100).unwrap_err().0,
            "image_too_large"
        );
        // A PNG signature, with line breaks and without padding.
        assert!(decode_item("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk\n+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg", 1000).is_ok());
    }
}
