//! Liveness and readiness probes (no auth).

use axum::extract::State;
use axum::Json;
use platform::http::ApiError;
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;

use crate::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct Probe {
    /// `ok` when alive, `ready` when ready to serve.
    status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/api/v1/healthz", tag = "health", responses((status = 200, body = Probe)))]
pub async fn healthz() -> Json<Probe> {
    Json(Probe { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/api/v1/readyz", tag = "health", responses(
    (status = 200, body = Probe), (status = 503, body = ErrorBody, description = "Database unavailable")))]
pub async fn readyz(State(state): State<ServiceState>) -> Result<Json<Probe>, ApiError> {
    if state.platform.db().ping().await {
        Ok(Json(Probe { status: "ready" }))
    } else {
        Err(ApiError::unavailable("database unavailable"))
    }
}
