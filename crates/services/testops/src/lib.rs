//! testops: organisations and access, projects and their run settings and secrets (contract:
//! seeds/testops-test-automation-api.txt, contracts/testops.md). Paths under `/api` on its own
//! listener; errors in [`envelope`]'s shape.

mod api;
mod auth;
mod envelope;
mod health;
pub mod model;
mod store;

use axum::extract::FromRef;
use axum::Router;
use platform::http::docs::{BearerJwtScheme, DocsPaths};
use platform::http::stack::{assemble, ServiceSpec};
use platform::ratelimit::{limited, KeyBy, RateRule};
use platform::ServiceState;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{api_keys, env_vars, invitations, organization, projects, session, users};
pub use crate::envelope::{ErrorBody, TestopsEnvelope};
use crate::store::TestopsStore;

pub static MIGRATIONS: platform::store::Migrations = platform::store::Migrations {
    owner: "testops",
    versions: 5000..=5999,
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
    renumbered: &[],
};

/// `x-api-key: pk_live_…`, accepted wherever a bearer token is.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt testops API", description = "Test runs from CI or sandboxes, live logs, cases, cycles, schedules, flaky-test analysis."),
    modifiers(&BearerJwtScheme, &ApiKeyScheme),
    tags((name = "auth"), (name = "organization"), (name = "users"), (name = "invitations"), (name = "projects"), (name = "health"))
)]
struct TestopsApi;

/// The contract's auth tier: 5 requests per minute per IP on signup and login.
pub const AUTH: RateRule = RateRule::per_minute(
    "testops.auth",
    5,
    KeyBy::Ip,
    "Too many authentication attempts. Please try again in a moment.",
);

/// The contract's API tier: 100 requests per minute per organisation (per key with `x-api-key`,
/// per IP without credentials).
pub const API: RateRule = RateRule::per_minute(
    "testops.api",
    100,
    KeyBy::Tenant,
    "API rate limit exceeded. Please try again in a moment.",
);

/// The contract's strict tier: 10 requests per minute per organisation on admin actions
/// (invitations, role changes, removals) — instead of the API tier there.
pub const STRICT: RateRule = RateRule::per_minute(
    "testops.strict",
    10,
    KeyBy::Tenant,
    "Rate limit exceeded. Please wait before trying again.",
);

#[derive(Clone)]
pub struct TestopsState {
    shared: ServiceState,
    store: TestopsStore,
}

impl FromRef<TestopsState> for ServiceState {
    fn from_ref(state: &TestopsState) -> ServiceState {
        state.shared.clone()
    }
}

impl FromRef<TestopsState> for TestopsStore {
    fn from_ref(state: &TestopsState) -> TestopsStore {
        state.store.clone()
    }
}

pub fn router(state: ServiceState) -> Router {
    let store = TestopsStore::new(state.platform.db().clone());
    let public = limited(
        OpenApiRouter::new()
            .routes(routes!(session::signup))
            .routes(routes!(session::login)),
        &state,
        AUTH,
    );
    let api = limited(
        OpenApiRouter::new()
            .routes(routes!(session::me))
            .routes(routes!(session::profile))
            .routes(routes!(session::logout))
            .routes(routes!(api_keys::create, api_keys::list))
            .routes(routes!(api_keys::revoke))
            .routes(routes!(organization::get, organization::update))
            .routes(routes!(organization::features))
            .routes(routes!(organization::usage))
            .routes(routes!(organization::usage_alerts))
            .routes(routes!(
                organization::get_ai_config,
                organization::update_ai_config
            ))
            .routes(routes!(users::list))
            .routes(routes!(users::get))
            .routes(routes!(invitations::list))
            .routes(routes!(invitations::revoke))
            .routes(routes!(invitations::validate))
            .routes(routes!(invitations::accept))
            .routes(routes!(projects::list, projects::create))
            .routes(routes!(projects::get, projects::rename, projects::delete))
            .routes(routes!(projects::get_settings, projects::put_settings))
            .routes(routes!(projects::first_settings))
            .routes(routes!(env_vars::list, env_vars::create))
            .routes(routes!(env_vars::update, env_vars::delete)),
        &state,
        API,
    );
    let strict = limited(
        OpenApiRouter::new()
            .routes(routes!(invitations::create))
            .routes(routes!(users::change_role))
            .routes(routes!(users::remove)),
        &state,
        STRICT,
    );
    let api = OpenApiRouter::with_openapi(TestopsApi::openapi())
        .merge(public)
        .merge(api)
        .merge(strict)
        .routes(routes!(health::health))
        .routes(routes!(health::root));
    let docs = DocsPaths {
        ui: "/api/docs",
        json: "/api/docs/openapi.json",
        yaml: None,
    };
    let spec = ServiceSpec::new(TestopsEnvelope, docs);
    assemble(
        api,
        TestopsState {
            shared: state,
            store,
        },
        spec,
    )
}
