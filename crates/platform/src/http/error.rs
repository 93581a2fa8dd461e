//! `ApiError`: the one error type handlers return. It carries status, a machine code and a
//! human message; each service's envelope decides how it is written on the wire.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};

/// What a 429 tells the client about the limit it hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitInfo {
    pub retry_after_secs: u64,
    pub limit: u32,
    pub window_ms: u64,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Machine-readable code in the enclave contract's style (`NotFound`, `RateLimited`, …).
    pub code: &'static str,
    /// Human-readable message, safe to show to the caller.
    pub message: String,
    /// A short error title for contracts that carry one (testops' `error` field).
    pub title: Option<&'static str>,
    pub rate_limit: Option<RateLimitInfo>,
    /// Fields a contract adds to some error bodies (testops' `upgradeUrl` and `usage` on a plan
    /// limit, `retryAfter` on a lockout, `details` on a validation error): its envelope writes
    /// them beside the usual ones.
    pub extra: Option<Arc<serde_json::Map<String, serde_json::Value>>>,
    /// What went wrong underneath, for the log only: the envelope middleware logs it with the
    /// request id; the caller never sees it.
    pub source: Option<Arc<anyhow::Error>>,
}

/// The code a status gets when nothing more specific is said.
pub fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "BadRequest",
        401 => "Unauthorized",
        402 => "QuotaExceeded",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        408 => "RequestTimeout",
        409 => "Conflict",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        423 => "Locked",
        429 => "RateLimited",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        _ if status.is_client_error() => "BadRequest",
        _ => "InternalError",
    }
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code_for(status),
            message: message.into(),
            title: None,
            rate_limit: None,
            extra: None,
            source: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, message)
    }
    pub fn rate_limited(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, message)
    }
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }
    /// A 500 that tells the caller nothing about the cause (which is logged instead).
    pub fn internal() -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }

    pub fn with_title(mut self, title: &'static str) -> ApiError {
        self.title = Some(title);
        self
    }

    pub fn with_code(mut self, code: &'static str) -> ApiError {
        self.code = code;
        self
    }

    /// The same error with `prefix: ` before its message (e.g. which batch item failed).
    pub fn in_context(mut self, prefix: impl std::fmt::Display) -> ApiError {
        self.message = format!("{prefix}: {}", self.message);
        self
    }

    /// The same error, keeping `cause` for the log.
    pub fn with_source(mut self, cause: impl Into<anyhow::Error>) -> ApiError {
        self.source = Some(Arc::new(cause.into()));
        self
    }

    /// Adds `key: value` to the fields the envelope writes beside the usual ones.
    pub fn with_extra(mut self, key: &str, value: serde_json::Value) -> ApiError {
        let mut extra = self.extra.as_deref().cloned().unwrap_or_default();
        extra.insert(key.to_string(), value);
        self.extra = Some(Arc::new(extra));
        self
    }

    pub fn with_rate_limit(mut self, info: RateLimitInfo) -> ApiError {
        self.rate_limit = Some(info);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// The response carries the error in its extensions; the service's envelope middleware writes
/// the body. The fallback body below is only seen if a router forgot that middleware.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message }).to_string();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response.extensions_mut().insert(self);
        response
    }
}

/// An unexpected failure: a 500 whose cause travels with it to the envelope middleware, which
/// logs it once, with the request id (converting does not log: it has no side effects).
impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> ApiError {
        ApiError::internal().with_source(err)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        ApiError::internal().with_source(anyhow::Error::new(err).context("database error"))
    }
}

impl From<crate::identity::AccountError> for ApiError {
    fn from(err: crate::identity::AccountError) -> ApiError {
        use crate::identity::AccountError;
        match err {
            AccountError::Invalid(m) => ApiError::bad_request(m),
            AccountError::Conflict(m) => ApiError::conflict(m),
            AccountError::Other(e) => e.into(),
        }
    }
}
