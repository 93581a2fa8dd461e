//! `POST /v1/video` (the raw video body, streamed to disk under its own size limit → 202 +
//! Location) and `GET /v1/video/{job_id}`, `DELETE /v1/video/{job_id}` (ours).

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use futures::StreamExt;
use platform::http::{ApiError, ApiKeyAuth};
use serde::Deserialize;
use utoipa::IntoParams;

use super::jobs::{
    checked_webhook, max_processing_time, owned_job, purge, store_and_queue, Accepted,
    WebhookConfig,
};
use crate::model::{feature_names, job_document, JobKind};
use crate::store::{NewItem, NewJob};
use crate::{ErrorBody, VisionState};

#[derive(Debug, Deserialize, IntoParams)]
pub struct VideoQuery {
    /// Where the final result is POSTed (also as the `Webhook-Url` header).
    #[serde(rename = "webhook.url")]
    #[param(rename = "webhook.url")]
    pub webhook_url: Option<String>,
    /// Signs the webhook (also as the `Webhook-Secret` header).
    #[serde(rename = "webhook.secret")]
    #[param(rename = "webhook.secret")]
    pub webhook_secret: Option<String>,
    /// Ours: comma-separated `faces` (people with their attributes, as the contract's sample
    /// shows), `ocr`; default both. Shots, activity and sections always run.
    pub features: Option<String>,
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The features of a video request.
fn video_features(list: Option<&str>) -> Result<Vec<media::Feature>, ApiError> {
    let Some(list) = list else {
        return Ok(vec![media::Feature::Faces, media::Feature::Ocr]);
    };
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let feature = match name {
            "faces" => media::Feature::Faces,
            "ocr" => media::Feature::Ocr,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown video feature `{other}`; known: faces, ocr"
                )))
            }
        };
        if !out.contains(&feature) {
            out.push(feature);
        }
    }
    Ok(out)
}

/// Submit a new video analysis request.
#[utoipa::path(post, path = "/v1/video", tag = "Request",
    request_body(content = Vec<u8>, description = "The binary video to be processed", content_type = "application/octet-stream"),
    params(VideoQuery,
        ("Max-Processing-Time" = Option<i64>, Header, description = "Seconds; 0 means no limit"),
        ("Webhook-Url" = Option<String>, Header, description = "Same as the webhook.url query parameter"),
        ("Webhook-Secret" = Option<String>, Header, description = "Same as the webhook.secret query parameter")),
    security(("apiKeyAuth" = [])), responses(
    (status = 202, body = Accepted, headers(("Location" = String, description = "The result URL"))),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
    (status = 415, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    headers: HeaderMap,
    Query(query): Query<VideoQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let content_type = header_text(&headers, header::CONTENT_TYPE.as_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !(essence == "application/octet-stream" || essence.starts_with("video/")) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Expected the video as the body, with Content-Type application/octet-stream or video/*",
        ));
    }
    let max_time = max_processing_time(&headers)?;
    let features = video_features(query.features.as_deref())?;
    let url = query
        .webhook_url
        .or_else(|| header_text(&headers, "webhook-url"));
    let secret = query
        .webhook_secret
        .or_else(|| header_text(&headers, "webhook-secret"));
    let webhook = url.map(|url| WebhookConfig { url, secret });
    let (webhook_url, webhook_secret) = checked_webhook(&state.shared.platform, webhook).await?;
    let limit = state.shared.platform.settings().vision.max_video_bytes;

    let kind = JobKind::Video;
    let job_id = kind.new_job_id();
    let key = format!("{job_id}/video");
    let mut writer = state.media.writer(&key).await?;
    let mut stream = body.into_data_stream();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                writer.abort().await;
                let too_large = std::error::Error::source(&e)
                    .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
                    || e.to_string().contains("length limit");
                return Err(if too_large {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
                } else {
                    ApiError::bad_request(format!("the upload broke off: {e}"))
                });
            }
        };
        size += chunk.len() as u64;
        if size > limit {
            writer.abort().await;
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the video is larger than {limit} bytes"),
            ));
        }
        writer.write(chunk).await?;
    }
    if size == 0 {
        writer.abort().await;
        return Err(ApiError::bad_request(
            "the request body is empty: send the video's bytes",
        ));
    }
    writer.commit().await?;
    let job = NewJob {
        id: job_id.clone(),
        tenant_id: caller.tenant_id(),
        kind: kind.as_str(),
        features: feature_names(&features),
        media_bytes: size as i64,
        max_processing_seconds: max_time,
        webhook_url,
        webhook_secret,
        queue_job_id: uuid::Uuid::now_v7(),
    };
    let item = NewItem {
        external_id: None,
        media_key: Some(key),
        error: None,
    };
    store_and_queue(&state, &job, &[item], format!("/v1/video/{job_id}")).await
}

/// Get the results of a video analysis.
#[utoipa::path(get, path = "/v1/video/{job_id}", tag = "Results", params(("job_id" = String, Path, example = "video_12345")),
    security(("apiKeyAuth" = [])), responses(
    (status = 200, description = "`{job_id, status, progress?, error?, result?}`", body = Object),
    (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    Path(job_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let row = owned_job(&state, caller.tenant_id(), &job_id, JobKind::Video).await?;
    Ok(Json(job_document(&row)))
}

/// Cancel a video job and delete it, its media and its result (ours).
#[utoipa::path(delete, path = "/v1/video/{job_id}", tag = "Results", params(("job_id" = String, Path)),
    security(("apiKeyAuth" = [])), responses(
    (status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn delete(
    State(state): State<VisionState>,
    caller: ApiKeyAuth,
    Path(job_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let row = owned_job(&state, caller.tenant_id(), &job_id, JobKind::Video).await?;
    purge(&state, &row).await
}
