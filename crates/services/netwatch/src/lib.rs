//! netwatch: the network-threat detection API (contract: seeds/netwatch-network-security-api.txt).
//! Base path `/api/v1`; errors are `{"detail": "<message>"}` (FastAPI style); the dashboard's
//! login is Supabase-compatible under `/auth/v1`. Agents run the netdetect engine and upload
//! what it finds; each alert carries a signed, hash-chained decision trace.

mod api;
mod auth;
mod compliance;
pub mod licenses;
pub mod model;
pub mod reports;
mod store;
mod trail;

use axum::extract::FromRef;
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

use crate::api::{
    agents, alerts, analytics, audit_log, billing, config, detections, health, tenant, token,
    traces, whitelist,
};
pub use crate::store::{NetwatchStore, TENANT_TABLES};

pub static MIGRATIONS: platform::store::Migrations = platform::store::Migrations {
    owner: "netwatch",
    versions: 2000..=2999,
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
    renumbered: &[],
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt netwatch API", description = "Network threat detection, triage, decision traces with proof trails."),
    modifiers(&BearerJwtScheme),
    tags((name = "alerts"), (name = "agents"), (name = "traces"), (name = "settings"), (name = "analytics"), (name = "compliance"),
        (name = "reports"), (name = "billing"), (name = "gdpr"), (name = "auth"), (name = "health"))
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
/// The contract's heartbeat limit: 2 per minute per agent.
pub const HEARTBEAT: RateRule = RateRule::per_minute(
    "netwatch.heartbeat",
    2,
    KeyBy::Agent,
    "Rate limit exceeded: 2 heartbeats per minute per agent",
);
/// The contract's report limit: 10 per hour (per tenant).
pub const REPORTS: RateRule = RateRule::new(
    "netwatch.reports",
    10,
    std::time::Duration::from_secs(3600),
    KeyBy::Tenant,
    "Rate limit exceeded: 10 reports per hour",
);
/// The contract's export limit: 1 per hour, per user (so a refused caller cannot spend an
/// admin's export).
pub const EXPORT: RateRule = RateRule::new(
    "netwatch.export",
    1,
    std::time::Duration::from_secs(3600),
    KeyBy::Subject,
    "Rate limit exceeded: 1 data export per hour",
);
/// Ours: logins and licence exchanges, 20 per minute per client address.
pub const SIGN_IN: RateRule = RateRule::per_minute(
    "netwatch.sign_in",
    20,
    KeyBy::Ip,
    "Rate limit exceeded: 20 sign-in attempts per minute",
);

#[derive(Clone)]
pub struct NetwatchState {
    shared: ServiceState,
    store: NetwatchStore,
}

impl FromRef<NetwatchState> for ServiceState {
    fn from_ref(state: &NetwatchState) -> ServiceState {
        state.shared.clone()
    }
}

impl FromRef<NetwatchState> for NetwatchStore {
    fn from_ref(state: &NetwatchState) -> NetwatchStore {
        state.store.clone()
    }
}

pub fn router(state: ServiceState) -> Router {
    let store = NetwatchStore::new(state.platform.db().clone());
    let api = limited(
        OpenApiRouter::new()
            .routes(routes!(detections::upload))
            .routes(routes!(alerts::list_alerts))
            .routes(routes!(alerts::list_alerts_no_slash))
            .routes(routes!(alerts::get_alert, alerts::update_alert))
            .routes(routes!(traces::list_traces))
            .routes(routes!(traces::list_traces_no_slash))
            .routes(routes!(traces::get_trace))
            .routes(routes!(traces::proof_trail))
            .routes(routes!(traces::public_key))
            .routes(routes!(whitelist::list, whitelist::add))
            .routes(routes!(whitelist::remove))
            .routes(routes!(config::get_rules, config::put_rules))
            .routes(routes!(agents::config))
            .routes(routes!(agents::version))
            .routes(routes!(agents::devices))
            .routes(routes!(audit_log::list_audit_log))
            .routes(routes!(analytics::summary))
            .routes(routes!(analytics::alerts_over_time))
            .routes(routes!(analytics::severity_distribution))
            .routes(routes!(analytics::top_rules))
            .routes(routes!(analytics::device_risk))
            .routes(routes!(api::compliance::status))
            .routes(routes!(
                api::compliance::get_settings,
                api::compliance::put_settings
            ))
            .routes(routes!(billing::subscription))
            .routes(routes!(billing::checkout))
            .routes(routes!(billing::portal))
            .routes(routes!(tenant::erase))
            .routes(routes!(token::user))
            .routes(routes!(token::logout)),
        &state,
        API,
    );
    let heartbeat = limited(
        OpenApiRouter::new().routes(routes!(agents::heartbeat)),
        &state,
        HEARTBEAT,
    );
    let reports = limited(
        OpenApiRouter::new()
            .routes(routes!(api::reports::nis2))
            .routes(routes!(api::reports::gdpr)),
        &state,
        REPORTS,
    );
    let export = limited(
        OpenApiRouter::new().routes(routes!(tenant::export)),
        &state,
        EXPORT,
    );
    let sign_in = limited(
        OpenApiRouter::new()
            .routes(routes!(agents::auth))
            .routes(routes!(token::token)),
        &state,
        SIGN_IN,
    );
    let api = OpenApiRouter::with_openapi(NetwatchApi::openapi())
        .merge(api)
        .merge(heartbeat)
        .merge(reports)
        .merge(export)
        .merge(sign_in)
        .routes(routes!(health::health));
    let docs = DocsPaths {
        ui: "/docs",
        json: "/openapi.json",
        yaml: None,
    };
    // Bodies keep the platform's default limit (1 MiB): an upload batch fits (≤ 200 detections).
    // Every response carries X-RateLimit-*: those outside the groups above (health, docs,
    // unknown paths) draw from the general budget.
    // The GDPR export of a large tenant takes longer than the platform's default 30 s.
    let spec = ServiceSpec::new(NetwatchEnvelope, docs)
        .rate_limit_every_response(API)
        .request_timeout(std::time::Duration::from_secs(300));
    assemble(
        api,
        NetwatchState {
            shared: state,
            store,
        },
        spec,
    )
}
