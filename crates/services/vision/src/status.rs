//! `GET /v1/status/capacity`: the share of this node's analysis workers busy right now.

use axum::extract::State;
use axum::Json;
use platform::http::{ApiError, ApiKeyAuth};
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;

use crate::ErrorBody;

/// Analysis jobs run on queues named `vision.*`.
pub const QUEUE_PREFIX: &str = "vision.";

#[derive(Serialize, ToSchema)]
pub struct Capacity {
    /// Fraction of analysis capacity in use, 0..1.
    #[schema(example = 0.63)]
    used_system_capacity: f64,
}

/// Get current system-wide capacity utilization.
#[utoipa::path(get, path = "/v1/status/capacity", tag = "Status", security(("apiKeyAuth" = [])), responses(
    (status = 200, body = Capacity), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn capacity(
    State(state): State<ServiceState>,
    _caller: ApiKeyAuth,
) -> Result<Json<Capacity>, ApiError> {
    let platform = &state.platform;
    let running = platform.jobs().running_count(QUEUE_PREFIX).await?;
    let slots = platform.settings().jobs.workers.max(1) as f64;
    Ok(Json(Capacity {
        used_system_capacity: (running as f64 / slots).min(1.0),
    }))
}
