//! What the submit handlers share: the Max-Processing-Time header, webhook settings, the 202.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use platform::http::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::webhook;

/// `Max-Processing-Time`: whole seconds ≥ 0; 0 or absent means no limit.
pub fn max_processing_time(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get("max-processing-time") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    match text.parse::<i64>() {
        Ok(0) => Ok(None),
        Ok(n) if n > 0 && n <= 7 * 24 * 3600 => Ok(Some(n)),
        _ => Err(ApiError::bad_request(
            "Max-Processing-Time must be a whole number of seconds between 0 (no limit) and 604800",
        )),
    }
}

/// Where the final result is POSTed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct WebhookConfig {
    /// https URL (http and private addresses only where the operator allows them).
    pub url: String,
    /// When given, deliveries carry `X-Webhook-Signature` = hex HMAC-SHA256(secret, raw body)
    /// and the Standard Webhooks `webhook-signature`.
    pub secret: Option<String>,
}

/// The webhook URL checked and the secret sealed, ready to store.
pub async fn checked_webhook(
    platform: &platform::Platform,
    config: Option<WebhookConfig>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let Some(config) = config else {
        return Ok((None, None));
    };
    webhook::check_url(platform, &config.url)
        .await
        .map_err(ApiError::bad_request)?;
    if config.secret.as_ref().is_some_and(|s| s.len() > 512) {
        return Err(ApiError::bad_request(
            "webhook.secret is longer than 512 characters",
        ));
    }
    let sealed = config
        .secret
        .filter(|s| !s.is_empty())
        .map(|s| webhook::seal_secret(platform, &s));
    Ok((Some(config.url), sealed))
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    #[schema(example = "image_batch_0190f1c2d3e4f5a6b7c8d9e0f1a2b3c4")]
    pub job_id: String,
}

/// 202 with `Location` to the result URL.
pub fn accepted(location: String, job_id: String) -> Response {
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(Accepted { job_id }),
    )
        .into_response()
}

/// Stores a submitted job and its items, queues it, and answers 202 with its result URL.
pub async fn store_and_queue(
    state: &crate::VisionState,
    job: &crate::store::NewJob,
    items: &[crate::store::NewItem],
    location: String,
) -> Result<Response, ApiError> {
    state.store.create_job(job, items).await?;
    let row =
        state.store.job_for_worker(&job.id).await?.ok_or_else(|| {
            ApiError::from(anyhow::anyhow!("the job vanished after it was stored"))
        })?;
    state.analyser.enqueue(&row).await?;
    Ok(accepted(location, job.id.clone()))
}

/// The caller's job of `kind`; another tenant's, another kind's or an unknown id → 404.
pub async fn owned_job(
    state: &crate::VisionState,
    tenant_id: uuid::Uuid,
    job_id: &str,
    kind: crate::model::JobKind,
) -> Result<crate::model::JobRow, ApiError> {
    state
        .store
        .job(tenant_id, job_id)
        .await?
        .filter(|r| r.kind == kind.as_str())
        .ok_or_else(|| {
            ApiError::not_found(format!("no such {} job", kind.as_str().replace('_', " ")))
        })
}

/// Cancels a job's queue entry and deletes the job, its items, its results and its media.
pub async fn purge(
    state: &crate::VisionState,
    row: &crate::model::JobRow,
) -> Result<StatusCode, ApiError> {
    state
        .shared
        .platform
        .jobs()
        .cancel(row.queue_job_id)
        .await?;
    state.store.delete_job(row.tenant_id, &row.id).await?;
    state.media.delete_folder(&row.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
