//! Error envelopes: every error a service returns, its own or the framework's (bad JSON, wrong
//! method, unknown route, oversize body, timeout, panic), leaves in that service's shape.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use http_body_util::BodyExt;

use super::error::ApiError;

/// How one contract writes an error body.
pub trait ErrorEnvelope: Send + Sync + 'static {
    fn body(&self, err: &ApiError) -> serde_json::Value;
}

/// An envelope's typed body as JSON: each envelope serialises the very type its OpenAPI
/// document declares, so the schema and the wire cannot drift apart.
pub fn to_body(body: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(body).expect("error bodies serialise")
}

/// Marks an error-status response whose body is already the contract's (health checks that
/// report "degraded" in their own documented shape).
#[derive(Debug, Clone, Copy)]
pub struct EnvelopeExempt;

/// Middleware: rewrites every error response into the service's envelope.
pub async fn envelope_errors(
    State(envelope): State<Arc<dyn ErrorEnvelope>>,
    req: Request,
    next: Next,
) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<EnvelopeExempt>().is_some()
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<ApiError>() {
        Some(error) => error,
        None => framework_error(status, body).await,
    };
    log_cause(&error);
    parts.status = error.status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = Body::from(envelope.body(&error).to_string());
    Response::from_parts(parts, body)
}

/// Logs what caused an error, inside the request's span (so with its request id): server
/// errors at error level, client errors that carry a cause at debug level.
fn log_cause(error: &ApiError) {
    let status = error.status.as_u16();
    match &error.source {
        Some(cause) if error.status.is_server_error() => {
            tracing::error!(
                status,
                code = error.code,
                cause = format!("{cause:#}"),
                "request failed"
            )
        }
        Some(cause) => {
            tracing::debug!(
                status,
                code = error.code,
                cause = format!("{cause:#}"),
                "request refused"
            )
        }
        None if error.status.is_server_error() => {
            tracing::error!(status, code = error.code, message = %error.message, "request failed")
        }
        None => {}
    }
}

/// An error produced below the handlers (axum rejections, tower-http layers, the router): keep
/// the status (422 becomes 400, as the contracts say validation errors are 400) and the
/// framework's text where it helps the caller.
async fn framework_error(status: StatusCode, body: Body) -> ApiError {
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let text = match body.collect().await {
        Ok(collected) => String::from_utf8_lossy(&collected.to_bytes())
            .trim()
            .to_string(),
        Err(_) => String::new(),
    };
    let message = if status.is_server_error()
        || status == StatusCode::PAYLOAD_TOO_LARGE
        || text.is_empty()
        || text.len() > 500
    {
        default_message(status).to_string()
    } else {
        text
    };
    ApiError::new(status, message)
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Authentication required",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        408 => "Request timed out",
        413 => "Request body too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ if status.is_client_error() => "Bad request",
        _ => "Internal server error",
    }
}

/// The router fallback for unknown routes.
pub async fn route_not_found() -> Response {
    ApiError::not_found("Not found").into_response()
}

/// The router fallback for known routes called with a method they do not have.
pub async fn method_not_allowed() -> Response {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response()
}

/// What `CatchPanicLayer` answers: a 500 in the envelope; the panic itself is logged.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    metrics::counter!("http_panics_total").increment(1);
    ApiError::internal().into_response()
}
