//! `GET /api/v1/health` (no auth): liveness plus the database check.

use axum::extract::State;
use axum::response::Response;
use platform::http::health::health_response;
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` (503) when the database does not answer.
    status: &'static str,
    database: bool,
    uptime_seconds: u64,
    version: &'static str,
}

#[utoipa::path(get, path = "/api/v1/health", tag = "health", responses(
    (status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<ServiceState>) -> Response {
    let database = state.platform.db().ping().await;
    let body = Health {
        status: if database { "ok" } else { "degraded" },
        database,
        uptime_seconds: state.platform.uptime_secs(),
        version: env!("CARGO_PKG_VERSION"),
    };
    health_response(database, body)
}
