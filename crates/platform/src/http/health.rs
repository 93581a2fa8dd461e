//! Health answers in a service's own documented shape: 200 when healthy, 503 when degraded,
//! the body left as it is by the error envelope.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, StatusCode};
use serde::Serialize;

use super::envelope::EnvelopeExempt;

pub fn health_response<T: Serialize>(healthy: bool, body: T) -> Response {
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Extension(EnvelopeExempt),
        Json(body),
    )
        .into_response()
}

/// The health body of services whose contract documents none (netwatch, vision).
#[derive(Serialize, utoipa::ToSchema)]
pub struct BasicHealth {
    /// `ok`, or `degraded` (503) when the database does not answer.
    pub status: &'static str,
    pub database: bool,
    pub uptime_seconds: u64,
    pub version: &'static str,
}

/// Checks the database and answers [`BasicHealth`].
pub async fn basic_health(platform: &crate::Platform) -> Response {
    let database = platform.db().ping().await;
    let body = BasicHealth {
        status: if database { "ok" } else { "degraded" },
        database,
        uptime_seconds: platform.uptime_secs(),
        version: env!("CARGO_PKG_VERSION"),
    };
    health_response(database, body)
}
