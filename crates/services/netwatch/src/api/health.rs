//! `GET /api/v1/health` (no auth): liveness plus the database check.

use axum::extract::State;
use axum::response::Response;
use platform::http::health::{basic_health, BasicHealth};
use platform::ServiceState;

#[utoipa::path(get, path = "/api/v1/health", tag = "health", responses(
    (status = 200, body = BasicHealth), (status = 503, body = BasicHealth)))]
pub async fn health(State(state): State<ServiceState>) -> Response {
    basic_health(&state.platform).await
}
