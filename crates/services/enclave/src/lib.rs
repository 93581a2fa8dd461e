//! enclave: ephemeral sandboxes destroyed with a signed, verifiable Cryptographic Destruction
//! Proof (contract: seeds/enclave-ephemeral-sandbox-api.txt). Paths under `/v1`; errors are
//! `{"error": "<Code>", "message": "<text>", "status": <n>}`.

mod api;
mod auth;
mod destruction;
mod live;
mod model;
mod regulatory;
mod store;
mod tiers;

use std::time::Duration;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use platform::http::docs::{BearerKeyScheme, DocsPaths};
use platform::http::openapi::{document_rate_limit, require_bearer};
use platform::http::stack::{assemble, ServiceSpec};
use platform::http::{ApiError, ErrorEnvelope};
use platform::ratelimit::{limited, KeyBy, RateRule};
use platform::ServiceState;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use api::health::EngineChecks;
use api::{billing, customers, health, proofs, sessions};
pub use live::LiveSessions;
use store::EnclaveStore;

/// enclave's tables (`enclave_*`), versions 3000–3999.
pub static MIGRATIONS: platform::store::Migrations = platform::store::Migrations {
    owner: "enclave",
    versions: 3000..=3999,
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
    renumbered: &[(4, 3001)],
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt enclave API", description = "Ephemeral Linux sandboxes destroyed with a signed, verifiable destruction proof (CDP 1.0). \
        Authenticate with `Authorization: Bearer nrx_live_…` (from POST /v1/signup). See docs/cdp.md for what a CDP does and does not guarantee."),
    modifiers(&BearerKeyScheme),
    tags((name = "customers"), (name = "sessions"), (name = "proofs"), (name = "billing"), (name = "health"))
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
        platform::http::envelope::to_body(ErrorBody {
            error: err.code.to_string(),
            message: err.message.clone(),
            status: err.status.as_u16(),
        })
    }
}

pub const SIGNUP: RateRule = RateRule::per_minute(
    "enclave.signup",
    10,
    KeyBy::Ip,
    "Too many signups from this address; retry after the indicated period.",
);

pub const VERIFY: RateRule = RateRule::per_minute(
    "enclave.verify",
    60,
    KeyBy::Ip,
    "Too many verifications from this address; retry after the indicated period.",
);

/// What enclave's handlers are given, each part taken by type: the shared service state, the
/// store, this node's live sessions and the cached engine checks.
#[derive(Clone)]
struct EnclaveState {
    shared: ServiceState,
    store: EnclaveStore,
    sessions: Arc<LiveSessions>,
    checks: Arc<EngineChecks>,
}

macro_rules! part_of_state {
    ($($part:ident: $ty:ty),*) => {$(
        impl FromRef<EnclaveState> for $ty {
            fn from_ref(state: &EnclaveState) -> $ty {
                state.$part.clone()
            }
        }
    )*};
}
part_of_state!(shared: ServiceState, store: EnclaveStore, sessions: Arc<LiveSessions>, checks: Arc<EngineChecks>);

pub fn router(state: ServiceState) -> Router {
    let store = EnclaveStore::new(state.platform.db().clone());
    let sessions = LiveSessions::start(&state.platform.settings().sandbox, store.clone());
    let signup = limited(
        OpenApiRouter::<EnclaveState>::new().routes(routes!(customers::signup)),
        &state,
        SIGNUP,
    );
    let verify = limited(
        OpenApiRouter::new().routes(routes!(proofs::verify)),
        &state,
        VERIFY,
    );
    // Every customer route authenticates a key and applies the tier's request rate.
    let mut customer = OpenApiRouter::new()
        .routes(routes!(customers::me))
        .routes(routes!(sessions::create_session))
        .routes(routes!(sessions::get_session, sessions::delete_session))
        .routes(routes!(sessions::exec))
        .routes(routes!(proofs::get_proof))
        .routes(routes!(billing::checkout));
    document_rate_limit(customer.get_openapi_mut());
    require_bearer(customer.get_openapi_mut());
    let mut api = OpenApiRouter::with_openapi(EnclaveApi::openapi())
        .merge(signup)
        .merge(verify)
        .merge(customer)
        .routes(routes!(proofs::get_key))
        .routes(routes!(billing::stripe_webhook))
        .routes(routes!(health::health));
    // The body of POST /v1/sessions is optional (none means every default).
    let create = api.get_openapi_mut().paths.paths.get_mut("/v1/sessions");
    let body = create
        .and_then(|p| p.post.as_mut())
        .and_then(|o| o.request_body.as_mut());
    if let Some(utoipa::openapi::RefOr::T(body)) = body {
        body.required = Some(utoipa::openapi::Required::False);
    }
    let docs = DocsPaths {
        ui: "/v1/docs",
        json: "/v1/openapi.json",
        yaml: None,
    };
    // An exec answers when its command ends: up to MAX_EXEC plus the kill grace period.
    let spec = ServiceSpec::new(EnclaveEnvelope, docs)
        .request_timeout(sessions::MAX_EXEC + Duration::from_secs(60));
    let state = EnclaveState {
        shared: state,
        store,
        sessions,
        checks: Arc::default(),
    };
    assemble(api, state, spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn every_status_renders_code_message_and_status() {
        for (status, code) in [
            (StatusCode::BAD_REQUEST, "BadRequest"),
            (StatusCode::UNAUTHORIZED, "Unauthorized"),
            (StatusCode::PAYMENT_REQUIRED, "QuotaExceeded"),
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
