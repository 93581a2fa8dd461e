//! OpenAPI documents and an offline Swagger UI (assets vendored at build time).

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, HeaderValue};
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// Where a service publishes its document and UI.
#[derive(Debug, Clone, Copy)]
pub struct DocsPaths {
    pub ui: &'static str,
    pub json: &'static str,
    pub yaml: Option<&'static str>,
}

/// Routes serving `openapi` as JSON (and YAML when asked) plus Swagger UI.
pub fn docs_router<S: Clone + Send + Sync + 'static>(
    openapi: OpenApi,
    paths: DocsPaths,
) -> Router<S> {
    let mut router: Router<S> =
        Router::new().merge(SwaggerUi::new(paths.ui).url(paths.json, openapi.clone()));
    if let Some(yaml_path) = paths.yaml {
        let yaml = openapi.to_yaml().unwrap_or_default();
        router = router.route(
            yaml_path,
            get(move || {
                let yaml = yaml.clone();
                async move { yaml_response(yaml) }
            }),
        );
    }
    router
}

fn yaml_response(yaml: String) -> Response {
    let mut response = yaml.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/yaml"),
    );
    response
}

/// Adds the `bearer` (JWT) security scheme to a document.
pub struct BearerJwtScheme;

impl utoipa::Modify for BearerJwtScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Adds the `apiKeyAuth` security scheme (header `X-API-Key`) to a document.
pub struct ApiKeyHeaderScheme;

impl utoipa::Modify for ApiKeyHeaderScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "apiKeyAuth",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
            );
    }
}

/// Adds the `bearer` security scheme for API keys sent as `Authorization: Bearer <key>`.
pub struct BearerKeyScheme;

impl utoipa::Modify for BearerKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An API key of this service, e.g. `nrx_live_…`"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}
