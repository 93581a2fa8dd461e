//! `GET /v1/status/latency` (observed ms per image or per video-second, from finished jobs)
//! and `GET /v1/status/capacity` (busy worker time over the last minute / (workers × minute)).

use axum::extract::{Query, State};
use axum::Json;
use chrono::Utc;
use platform::http::{ApiError, ApiKeyAuth};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::store::VisionStore;
use crate::{ErrorBody, VisionState};

/// Latency is averaged over this many of the most recent finished jobs.
pub const LATENCY_WINDOW_JOBS: i64 = 100;
/// Capacity is measured over this window.
pub const CAPACITY_WINDOW_SECS: i64 = 60;

#[derive(Deserialize, IntoParams)]
pub struct LatencyQuery {
    /// `video` or `image`.
    pub media_type: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Latency {
    #[schema(example = "image")]
    media_type: &'static str,
    /// `image` or `second` (of video).
    #[schema(example = "image")]
    unit: &'static str,
    /// Observed milliseconds per unit; null until a job of that type has finished.
    #[schema(example = 120)]
    latency_ms_per_unit: Option<f64>,
}

/// Get system latency per media unit.
#[utoipa::path(get, path = "/v1/status/latency", tag = "Status", params(LatencyQuery), security(("apiKeyAuth" = [])), responses(
    (status = 200, body = Latency), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn latency(
    State(store): State<VisionStore>,
    _caller: ApiKeyAuth,
    Query(query): Query<LatencyQuery>,
) -> Result<Json<Latency>, ApiError> {
    let (media_type, unit, kind) = match query.media_type.as_deref() {
        Some("image") => ("image", "image", "image_batch"),
        Some("video") => ("video", "second", "video"),
        _ => {
            return Err(ApiError::bad_request(
                "media_type must be `video` or `image`",
            ))
        }
    };
    let observed = store.latency_ms_per_unit(kind, LATENCY_WINDOW_JOBS).await?;
    Ok(Json(Latency {
        media_type,
        unit,
        latency_ms_per_unit: observed.map(|ms| (ms * 10.0).round() / 10.0),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Capacity {
    /// Fraction of analysis capacity in use over the last minute, 0..1.
    #[schema(example = 0.63)]
    used_system_capacity: f64,
}

/// Get current system-wide capacity utilization.
#[utoipa::path(get, path = "/v1/status/capacity", tag = "Status", security(("apiKeyAuth" = [])), responses(
    (status = 200, body = Capacity), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn capacity(
    State(state): State<VisionState>,
    _caller: ApiKeyAuth,
) -> Result<Json<Capacity>, ApiError> {
    let now = Utc::now();
    let since = now - chrono::Duration::seconds(CAPACITY_WINDOW_SECS);
    let spans = state.store.busy_spans(since).await?;
    let busy_ms: i64 = spans
        .iter()
        .map(|(start, end)| {
            let (s, e) = ((*start).max(since), end.unwrap_or(now).min(now));
            (e - s).num_milliseconds().max(0)
        })
        .sum();
    // Every node's workers: the busy spans are the whole cluster's too.
    let recent =
        now - chrono::Duration::from_std(crate::worker::NODE_HEARTBEAT * 3).unwrap_or_default();
    let workers = state
        .store
        .cluster_workers(recent)
        .await?
        .max(state.workers as i64);
    let capacity_ms = (workers * CAPACITY_WINDOW_SECS * 1000).max(1);
    let used = (busy_ms as f64 / capacity_ms as f64).clamp(0.0, 1.0);
    Ok(Json(Capacity {
        used_system_capacity: (used * 1000.0).round() / 1000.0,
    }))
}
