//! netwatch: the network-threat detection API (contract: seeds/netwatch-network-security-api.txt).
//! Base path `/api/v1`; errors are `{"detail": "<message>"}` (FastAPI style).

mod audit_log;
mod health;

use axum::Router;
use platform::http::docs::{BearerJwtScheme, DocsPaths};
use platform::http::stack::{assemble, ServiceSpec};
use platform::http::{ApiError, ErrorEnvelope};
use platform::ratelimit::{limited, KeyBy, RateRule};
use platform::ServiceState;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt netwatch API", description = "Network threat detection, triage, NIS2/GDPR reporting."),
    modifiers(&BearerJwtScheme),
    tags((name = "settings"), (name = "health"))
)]
struct NetwatchApi;

/// Every netwatch error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable error message.
    pub detail: String,
}

pub struct NetwatchEnvelope;

impl ErrorEnvelope for NetwatchEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        platform::http::envelope::to_body(ErrorBody {
            detail: err.message.clone(),
        })
    }
}

/// The contract's general limit: 100 requests per minute (per tenant).
pub const API: RateRule = RateRule::per_minute(
    "netwatch.api",
    100,
    KeyBy::Tenant,
    "Rate limit exceeded: 100 requests per minute",
);

pub fn router(state: ServiceState) -> Router {
    let api = limited(
        OpenApiRouter::new().routes(routes!(audit_log::list_audit_log)),
        &state,
        API,
    );
    let api = OpenApiRouter::with_openapi(NetwatchApi::openapi())
        .merge(api)
        .routes(routes!(health::health));
    let docs = DocsPaths {
        ui: "/docs",
        json: "/openapi.json",
        yaml: None,
    };
    let spec = ServiceSpec::new(NetwatchEnvelope, docs);
    assemble(api, state, spec)
}
