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
