//! The rate-limit tower layer: one rule (quota + key) per route group, with the
//! `X-RateLimit-*` headers on every limited response and a 429 in the service's envelope.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, Request};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};
use tower::{Layer, Service};

use super::gcra::{Decision, Quota};
use crate::http::auth::{bearer_token, presented_api_key, VerifiedClaims};
use crate::http::error::{ApiError, RateLimitInfo};
use crate::ServiceState;

/// What one budget is shared by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyBy {
    /// The client's IP address.
    Ip,
    /// The tenant of the bearer JWT; the API key when a key is presented; else the IP.
    Tenant,
    /// The presented API key; else the IP.
    ApiKey,
    /// The agent (JWT subject); else the IP.
    Agent,
    /// The user or agent of the bearer JWT (its subject); else the IP.
    Subject,
}

/// A named limit as a contract declares it, e.g. `guard.login`: 5 per minute per IP.
#[derive(Debug, Clone)]
pub struct RateRule {
    pub name: &'static str,
    pub quota: Quota,
    pub key: KeyBy,
    /// The message of the 429 body.
    pub message: &'static str,
}

impl RateRule {
    /// `limit` requests per minute, keyed by `key`: how every contract states its limits, so
    /// a service declares its rules as a table of constants.
    pub const fn per_minute(
        name: &'static str,
        limit: u32,
        key: KeyBy,
        message: &'static str,
    ) -> RateRule {
        RateRule::new(name, limit, Duration::from_secs(60), key, message)
    }

    pub const fn new(
        name: &'static str,
        limit: u32,
        period: Duration,
        key: KeyBy,
        message: &'static str,
    ) -> RateRule {
        RateRule {
            name,
            quota: Quota::new(limit, period),
            key,
            message,
        }
    }
}

#[derive(Clone)]
pub struct RateLimitLayer {
    state: ServiceState,
    rule: Arc<RateRule>,
}

impl RateLimitLayer {
    /// Applies `rule`, with its quota replaced by a configured override of the same name.
    pub fn new(state: &ServiceState, mut rule: RateRule) -> RateLimitLayer {
        if let Some(o) = state
            .platform
            .settings()
            .rate_limit
            .overrides
            .get(rule.name)
        {
            rule.quota = Quota::new(o.requests, Duration::from_secs(o.per_seconds));
        }
        RateLimitLayer {
            state: state.clone(),
            rule: Arc::new(rule),
        }
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimited<S>;
    fn layer(&self, inner: S) -> RateLimited<S> {
        RateLimited {
            inner,
            state: self.state.clone(),
            rule: self.rule.clone(),
        }
    }
}

#[derive(Clone)]
pub struct RateLimited<S> {
    inner: S,
    state: ServiceState,
    rule: Arc<RateRule>,
}

impl<S> Service<Request> for RateLimited<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        // Take the service that was polled ready; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let state = self.state.clone();
        let rule = self.rule.clone();
        Box::pin(async move {
            let key = format!("{}:{}", rule.name, budget_key(&state, &rule, &mut req));
            let decision = match state.platform.rate_limiter().check(&key, rule.quota).await {
                Ok(d) => d,
                Err(e) => {
                    // Failing open: an unreachable limiter store must not take the API down.
                    tracing::error!(rule = rule.name, error = %e, "rate limiter unavailable; request allowed");
                    metrics::counter!("rate_limit_store_errors_total", "service" => state.service.as_str()).increment(1);
                    return inner.call(req).await;
                }
            };
            if !decision.allowed {
                metrics::counter!("rate_limit_rejections_total",
                    "service" => state.service.as_str(), "rule" => rule.name)
                .increment(1);
                return Ok(rejection(rule.message, &decision, rule.quota));
            }
            let mut response = inner.call(req).await?;
            write_headers(response.headers_mut(), &decision);
            Ok(response)
        })
    }
}

/// The 429 of a refused `decision`: `message` in the service's envelope, `Retry-After` and the
/// `X-RateLimit-*` headers. Also for limits checked in an extractor (per-customer tiers).
pub fn rejection(message: impl Into<String>, decision: &Decision, quota: Quota) -> Response {
    let retry_after_secs = decision.retry_after_ms.div_ceil(1000).max(1);
    let mut response = ApiError::rate_limited(message)
        .with_rate_limit(RateLimitInfo {
            retry_after_secs,
            limit: decision.limit,
            window_ms: quota.period.as_millis() as u64,
        })
        .into_response();
    write_headers(response.headers_mut(), decision);
    response.headers_mut().insert(
        http::header::RETRY_AFTER,
        HeaderValue::from(retry_after_secs),
    );
    response
}

fn write_headers(headers: &mut HeaderMap, d: &Decision) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    let reset_unix = (now + d.reset_after_ms).div_ceil(1000);
    headers.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(reset_unix));
}

fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn key_digest(key: &str) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..12])
}

/// The budget this request draws from. A verified JWT is kept in the request's extensions so
/// the auth extractor does not verify it again.
fn budget_key(state: &ServiceState, rule: &RateRule, req: &mut Request) -> String {
    let ip = || format!("ip:{}", client_ip(req));
    match rule.key {
        KeyBy::Ip => ip(),
        KeyBy::ApiKey => match presented_api_key(req.headers(), state.service) {
            Some(key) => format!("key:{}", key_digest(key)),
            None => ip(),
        },
        KeyBy::Tenant | KeyBy::Agent | KeyBy::Subject => {
            if let Some(key) = presented_api_key(req.headers(), state.service) {
                return format!("key:{}", key_digest(key));
            }
            let claims = bearer_token(req.headers())
                .and_then(|token| state.platform.jwt().verify(state.service, token).ok());
            match claims {
                Some(claims) => {
                    let key = match rule.key {
                        KeyBy::Tenant => format!("tenant:{}", claims.tenant_id),
                        KeyBy::Agent => format!("agent:{}", claims.sub),
                        _ => format!("sub:{}", claims.sub),
                    };
                    req.extensions_mut().insert(VerifiedClaims(claims));
                    key
                }
                None => ip(),
            }
        }
    }
}

/// A rule charged after the fact for responses no route group's rule answered (unknown paths,
/// wrong methods, docs, health, timeouts): with it, every response of a service carries the
/// `X-RateLimit-*` headers, as contracts that promise them "on every response" require.
#[derive(Clone)]
pub struct Backfill {
    state: ServiceState,
    rule: Arc<RateRule>,
}

impl Backfill {
    pub fn new(state: &ServiceState, rule: RateRule) -> Backfill {
        let layer = RateLimitLayer::new(state, rule);
        Backfill {
            state: layer.state,
            rule: layer.rule,
        }
    }
}

/// The middleware of [`Backfill`]: a response that already has `X-RateLimit-Limit` passes
/// untouched; any other draws one request from the rule's budget and gets its headers (or, over
/// the budget, becomes the 429).
pub async fn backfill_headers(
    axum::extract::State(backfill): axum::extract::State<Backfill>,
    mut req: Request,
    next: axum::middleware::Next,
) -> Response {
    let Backfill { state, rule } = backfill;
    let key = format!("{}:{}", rule.name, budget_key(&state, &rule, &mut req));
    let mut response = next.run(req).await;
    if response.headers().contains_key("x-ratelimit-limit") {
        return response;
    }
    match state.platform.rate_limiter().check(&key, rule.quota).await {
        Ok(decision) if !decision.allowed => rejection(rule.message, &decision, rule.quota),
        Ok(decision) => {
            write_headers(response.headers_mut(), &decision);
            response
        }
        Err(e) => {
            tracing::error!(rule = rule.name, error = %e, "rate limiter unavailable; response sent without its headers");
            response
        }
    }
}

/// `routes` behind `rule`, with the 429 it can answer written into their OpenAPI document.
pub fn limited<S>(
    mut routes: utoipa_axum::router::OpenApiRouter<S>,
    state: &ServiceState,
    rule: RateRule,
) -> utoipa_axum::router::OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    crate::http::openapi::document_rate_limit(routes.get_openapi_mut());
    routes.route_layer(RateLimitLayer::new(state, rule))
}
