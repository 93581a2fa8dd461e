//! The hardening stack wrapped around every service router (after conduwuit's `layers.rs`):
//! request ids, tracing with secrets masked, security headers, the error envelope, metrics,
//! panic capture, timeouts and body limits.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::envelope::{
    envelope_errors, method_not_allowed, panic_response, route_not_found, ErrorEnvelope,
};
use super::metrics;
use crate::ratelimit::{backfill_headers, Backfill, RateRule};
use crate::ServiceState;

/// Wraps a service's routes with the fallbacks and the full layer stack.
pub fn harden(routes: Router, state: &ServiceState, envelope: Arc<dyn ErrorEnvelope>) -> Router {
    let http = &state.platform.settings().http;
    let timeout = Duration::from_secs(http.request_timeout_secs);
    harden_with_limits(routes, state, envelope, timeout, http.body_limit_bytes)
}

/// [`harden`] with a request timeout (enclave: commands run for minutes) and a body limit
/// (vision: videos) of the service's own.
pub fn harden_with_limits(
    routes: Router,
    state: &ServiceState,
    envelope: Arc<dyn ErrorEnvelope>,
    timeout: Duration,
    body_limit: usize,
) -> Router {
    stack_around(routes, state, envelope, timeout, body_limit, None)
}

/// The stack itself; `backfill` charges a rate rule to responses no route's rule answered.
fn stack_around(
    routes: Router,
    state: &ServiceState,
    envelope: Arc<dyn ErrorEnvelope>,
    timeout: Duration,
    body_limit: usize,
    backfill: Option<RateRule>,
) -> Router {
    let http = &state.platform.settings().http;
    let service = state.service;
    let hsts = http
        .hsts
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let stack = ServiceBuilder::new()
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            HeaderName::from_static("x-api-key"),
        ]))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(move |req: &Request<_>| {
            let request_id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or("-")
                .to_string();
            tracing::info_span!("request", service = service.as_str(), method = %req.method(), path = %req.uri().path(), request_id)
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts))
        .layer(from_fn_with_state(service, metrics::track))
        .layer(from_fn_with_state(envelope, envelope_errors))
        .option_layer(
            backfill.map(|rule| from_fn_with_state(Backfill::new(state, rule), backfill_headers)),
        )
        .layer(axum::middleware::from_fn(super::input::reject_nul_in_url))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(DefaultBodyLimit::max(body_limit));
    routes
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(stack)
}

/// How a service publishes itself beyond its own routes.
pub struct ServiceSpec {
    pub envelope: Arc<dyn ErrorEnvelope>,
    pub docs: super::docs::DocsPaths,
    /// Where Prometheus scrapes this service.
    pub metrics_path: &'static str,
    /// Replaces `http.request_timeout_secs` for this service when set.
    pub request_timeout: Option<Duration>,
    /// Replaces `http.body_limit_bytes` for this service when set (routes may lower it with
    /// their own `DefaultBodyLimit`).
    pub body_limit: Option<usize>,
    /// Charged to every response no route group's rule answered, so all carry the headers.
    pub backfill_rate_rule: Option<RateRule>,
}

impl ServiceSpec {
    /// A service answering errors in `envelope`, documented at `docs.ui` / `docs.json`, scraped
    /// at `/metrics`, with the configured request timeout.
    pub fn new(envelope: impl ErrorEnvelope, docs: super::docs::DocsPaths) -> ServiceSpec {
        ServiceSpec {
            envelope: Arc::new(envelope),
            docs,
            metrics_path: "/metrics",
            request_timeout: None,
            body_limit: None,
            backfill_rate_rule: None,
        }
    }

    /// Every response gets `X-RateLimit-*` headers: those not answered by a route group's rule
    /// draw from `rule` (usually the service's general limit).
    pub fn rate_limit_every_response(mut self, rule: RateRule) -> ServiceSpec {
        self.backfill_rate_rule = Some(rule);
        self
    }

    pub fn metrics_at(mut self, path: &'static str) -> ServiceSpec {
        self.metrics_path = path;
        self
    }

    pub fn request_timeout(mut self, timeout: Duration) -> ServiceSpec {
        self.request_timeout = Some(timeout);
        self
    }

    pub fn body_limit(mut self, bytes: usize) -> ServiceSpec {
        self.body_limit = Some(bytes);
        self
    }
}

/// Turns a service's documented routes into its finished router: routes plus metrics and
/// docs, over the service's own state `S` (from which the shared `ServiceState` is taken, so a
/// handler asks for either by type), inside the hardening stack.
pub fn assemble<S>(
    api: utoipa_axum::router::OpenApiRouter<S>,
    state: S,
    spec: ServiceSpec,
) -> Router
where
    S: Clone + Send + Sync + 'static,
    ServiceState: FromRef<S>,
{
    let shared = ServiceState::from_ref(&state);
    let (routes, mut openapi) = api.split_for_parts();
    super::openapi::document_platform_errors(&mut openapi);
    let routes = routes
        .route(spec.metrics_path, axum::routing::get(metrics::render))
        .with_state(state)
        .merge(super::docs::docs_router(openapi, spec.docs));
    let timeout = spec.request_timeout.unwrap_or(Duration::from_secs(
        shared.platform.settings().http.request_timeout_secs,
    ));
    let body_limit = spec
        .body_limit
        .unwrap_or(shared.platform.settings().http.body_limit_bytes);
    stack_around(
        routes,
        &shared,
        spec.envelope,
        timeout,
        body_limit,
        spec.backfill_rate_rule,
    )
}
