//! enclave: ephemeral sandboxes with destruction proofs (contract:
//! seeds/enclave-ephemeral-sandbox-api.txt). Paths under `/v1`; errors are
//! `{"error": "<Code>", "message": "<text>", "status": <n>}`.

mod health;

use std::sync::Arc;

use axum::Router;
use platform::http::docs::DocsPaths;
use platform::http::stack::{assemble, ServiceSpec};
use platform::http::{ApiError, ErrorEnvelope};
use platform::ServiceState;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt enclave API", description = "Ephemeral Linux sandboxes destroyed with a signed, verifiable destruction proof."),
    tags((name = "health"))
)]
struct EnclaveApi;

/// Every enclave error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine code: BadRequest, Unauthorized, QuotaExceeded, NotFound, Conflict, RateLimited, InternalError, …
    pub error: String,
    pub message: String,
    /// The HTTP status, repeated.
    pub status: u16,
}

pub struct EnclaveEnvelope;

impl ErrorEnvelope for EnclaveEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        serde_json::json!({ "error": err.code, "message": err.message, "status": err.status.as_u16() })
    }
}

pub fn router(state: ServiceState) -> Router {
    let api = OpenApiRouter::with_openapi(EnclaveApi::openapi()).routes(routes!(health::health));
    let spec = ServiceSpec {
        envelope: Arc::new(EnclaveEnvelope),
        docs: DocsPaths {
            ui: "/v1/docs",
            json: "/v1/openapi.json",
            yaml: None,
        },
        metrics_path: "/metrics",
    };
    assemble(api, state, spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    /// Statuses no enclave route can produce yet still render in the documented shape.
    #[test]
    fn every_status_renders_code_message_and_status() {
        for (status, code) in [
            (StatusCode::BAD_REQUEST, "BadRequest"),
            (StatusCode::UNAUTHORIZED, "Unauthorized"),
            (StatusCode::PAYMENT_REQUIRED, "QuotaExceeded"),
            (StatusCode::FORBIDDEN, "Forbidden"),
            (StatusCode::NOT_FOUND, "NotFound"),
            (StatusCode::CONFLICT, "Conflict"),
            (StatusCode::TOO_MANY_REQUESTS, "RateLimited"),
            (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),
        ] {
            let body = EnclaveEnvelope.body(&ApiError::new(status, "why"));
            assert_eq!(
                body,
                serde_json::json!({ "error": code, "message": "why", "status": status.as_u16() })
            );
        }
    }
}
