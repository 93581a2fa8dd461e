//! testops: test runs, cases, cycles and live logs (contract:
//! seeds/testops-test-automation-api.txt). Paths under `/api`; errors are
//! `{"success": false, "error": "<type>", "message": "<text>"}`.

mod auth;
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
    info(title = "Redoubt testops API", description = "Test runs from CI or sandboxes, live logs, cases, cycles, schedules, flaky-test analysis."),
    modifiers(&BearerJwtScheme),
    tags((name = "auth"), (name = "health"))
)]
struct TestopsApi;

/// Every testops error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// Short error type, e.g. "Invalid credentials", "Too Many Requests".
    pub error: String,
    pub message: String,
    /// On 429 only: seconds until a retry is allowed.
    #[serde(rename = "retryAfter", skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// On 429 only: the requests allowed per window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// On 429 only: the window, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<u64>,
}

pub struct TestopsEnvelope;

impl ErrorEnvelope for TestopsEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        let title = err
            .title
            .unwrap_or_else(|| err.status.canonical_reason().unwrap_or("Error"));
        platform::http::envelope::to_body(ErrorBody {
            success: false,
            error: title.to_string(),
            message: err.message.clone(),
            retry_after: err.rate_limit.map(|rl| rl.retry_after_secs),
            limit: err.rate_limit.map(|rl| rl.limit),
            window: err.rate_limit.map(|rl| rl.window_ms),
        })
    }
}

/// The contract's auth tier: 5 requests per minute per IP on signup and login.
pub const AUTH: RateRule = RateRule::per_minute(
    "testops.auth",
    5,
    KeyBy::Ip,
    "Too many authentication attempts. Please try again in a moment.",
);

/// The contract's API tier: 100 requests per minute per organisation.
pub const API: RateRule = RateRule::per_minute(
    "testops.api",
    100,
    KeyBy::Tenant,
    "API rate limit exceeded. Please try again in a moment.",
);

pub fn router(state: ServiceState) -> Router {
    let public = limited(
        OpenApiRouter::new().routes(routes!(auth::login)),
        &state,
        AUTH,
    );
    let api = limited(OpenApiRouter::new().routes(routes!(auth::me)), &state, API);
    let api = OpenApiRouter::with_openapi(TestopsApi::openapi())
        .merge(public)
        .merge(api)
        .routes(routes!(health::health));
    let docs = DocsPaths {
        ui: "/api/docs",
        json: "/api/docs/openapi.json",
        yaml: None,
    };
    let spec = ServiceSpec::new(TestopsEnvelope, docs);
    assemble(api, state, spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::http::error::RateLimitInfo;

    #[test]
    fn titles_default_to_the_reason_phrase_and_429_carries_the_vendor_fields() {
        let body = TestopsEnvelope.body(&ApiError::forbidden("nope"));
        assert_eq!(
            body,
            serde_json::json!({ "success": false, "error": "Forbidden", "message": "nope" })
        );
        let titled = ApiError::forbidden("This action requires admin.")
            .with_title("Insufficient permissions");
        assert_eq!(
            TestopsEnvelope.body(&titled)["error"],
            "Insufficient permissions"
        );
        let limited = ApiError::rate_limited("slow down").with_rate_limit(RateLimitInfo {
            retry_after_secs: 7,
            limit: 5,
            window_ms: 60_000,
        });
        let body = TestopsEnvelope.body(&limited);
        assert_eq!(
            body,
            serde_json::json!({ "success": false, "error": "Too Many Requests", "message": "slow down", "retryAfter": 7, "limit": 5, "window": 60_000 })
        );
    }
}
