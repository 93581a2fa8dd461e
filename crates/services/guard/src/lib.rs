//! guard: the AI-interaction governance API (contract: seeds/guard-ai-interactions-api.txt).
//! Base path `/api/v1`; errors are `{"error": "<message>"}`.

mod announce;
mod api;
mod envelope;
mod model;
mod store;

use axum::extract::FromRef;
use axum::Router;
use platform::http::docs::{BearerJwtScheme, DocsPaths};
use platform::http::stack::{assemble, ServiceSpec};
use platform::ratelimit::{limited, KeyBy, RateRule};
use platform::ServiceState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use api::{
    alerts, audit_log, auth, classify, health, interactions, inventory, policies, stats, tenants,
    users, webhooks, ws,
};

pub use envelope::{ErrorBody, GuardEnvelope};
use store::GuardStore;

/// guard's tables (`guard_*`), versions 1000–1999.
pub static MIGRATIONS: platform::store::Migrations = platform::store::Migrations {
    owner: "guard",
    versions: 1000..=1999,
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
    renumbered: &[(2, 1001), (3, 1002)],
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt guard API", description = "AI-interaction governance: classification, policies, inventory, alerts."),
    servers((url = "/", description = "This server; all paths are under /api/v1")),
    modifiers(&BearerJwtScheme),
    // Vocabularies that only query parameters use (the derive collects body schemas itself).
    components(schemas(model::vocabulary::Action, model::vocabulary::Severity)),
    tags((name = "auth"), (name = "interactions"), (name = "policies"), (name = "inventory"), (name = "alerts"),
        (name = "dashboard"), (name = "classification"), (name = "webhooks"), (name = "users"), (name = "tenants"),
        (name = "audit"), (name = "live"), (name = "health"))
)]
struct GuardApi;

/// The login limit of the contract: 5 requests per minute per IP.
pub const LOGIN: RateRule = RateRule::per_minute(
    "guard.login",
    5,
    KeyBy::Ip,
    "Too many login attempts. Please try again in a few minutes.",
);

/// Everything else: 1,000 requests per minute per tenant.
pub const API: RateRule = RateRule::per_minute(
    "guard.api",
    1000,
    KeyBy::Tenant,
    "Rate limit exceeded. Please try again later.",
);

/// What guard's handlers are given: the shared service state and guard's store, each taken
/// by type (`State<ServiceState>`, `State<GuardStore>`).
#[derive(Clone)]
struct GuardState {
    shared: ServiceState,
    store: GuardStore,
}

impl FromRef<GuardState> for ServiceState {
    fn from_ref(state: &GuardState) -> ServiceState {
        state.shared.clone()
    }
}

impl FromRef<GuardState> for GuardStore {
    fn from_ref(state: &GuardState) -> GuardStore {
        state.store.clone()
    }
}

pub fn router(state: ServiceState) -> Router {
    let login = limited(
        OpenApiRouter::<GuardState>::new().routes(routes!(auth::login)),
        &state,
        LOGIN,
    );
    let api = limited(
        OpenApiRouter::new()
            .routes(routes!(audit_log::list_audit_log))
            .routes(routes!(classify::classify))
            .routes(routes!(
                interactions::create_interaction,
                interactions::list_interactions
            ))
            .routes(routes!(interactions::create_batch))
            .routes(routes!(interactions::get_interaction))
            .routes(routes!(inventory::inventory))
            .routes(routes!(alerts::list_alerts))
            .routes(routes!(stats::stats))
            .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
            .routes(routes!(webhooks::delete_webhook))
            .routes(routes!(users::invite))
            .routes(routes!(users::list_users))
            .routes(routes!(tenants::get_tenant))
            .routes(routes!(tenants::update_settings))
            .routes(routes!(ws::live))
            .routes(routes!(policies::create_policy, policies::list_policies))
            .routes(routes!(
                policies::get_policy,
                policies::update_policy,
                policies::delete_policy
            )),
        &state,
        API,
    );
    let probes = OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz));
    let api = OpenApiRouter::with_openapi(GuardApi::openapi())
        .merge(login)
        .merge(api)
        .merge(probes);
    let docs = DocsPaths {
        ui: "/api/docs",
        json: "/api/docs/openapi.json",
        yaml: Some("/api/docs/openapi.yaml"),
    };
    let spec = ServiceSpec::new(GuardEnvelope, docs).metrics_at("/api/v1/metrics");
    let store = GuardStore::new(state.platform.db().clone());
    let state = GuardState {
        shared: state,
        store,
    };
    assemble(api, state, spec)
}
