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
