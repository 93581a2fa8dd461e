//! vision: asynchronous image and video analysis (contract: seeds/vision-media-analysis-api.txt).
//! Paths under `/v1` (the contract prints none; see docs/decisions.md); API key in `X-API-Key`;
//! errors are `{"error": "<snake_case code>", "message": "<text>"}`.

mod health;
mod status;

use axum::Router;
use platform::http::docs::{ApiKeyHeaderScheme, DocsPaths};
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
    info(title = "Redoubt vision API", description = "Asynchronous image and video analysis with polling and signed webhooks."),
    modifiers(&ApiKeyHeaderScheme),
    tags((name = "Status", description = "System-level status and capacity"), (name = "health"))
)]
struct VisionApi;

/// Every vision error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine code, snake_case: bad_request, unauthorized, not_found, rate_limited, …
    pub error: String,
    pub message: String,
}

pub struct VisionEnvelope;

/// `NotFound` → `not_found`.
fn snake_case(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 4);
    for (i, c) in code.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

impl ErrorEnvelope for VisionEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        platform::http::envelope::to_body(ErrorBody {
            error: snake_case(err.code),
            message: err.message.clone(),
        })
    }
}

/// Not in the contract: 600 requests per minute per API key (see docs/decisions.md).
pub const API: RateRule = RateRule::per_minute(
    "vision.api",
    600,
    KeyBy::ApiKey,
    "Rate limit exceeded: 600 requests per minute per API key",
);

pub fn router(state: ServiceState) -> Router {
    let api = limited(
        OpenApiRouter::new().routes(routes!(status::capacity)),
        &state,
        API,
    );
    let api = OpenApiRouter::with_openapi(VisionApi::openapi())
        .merge(api)
        .routes(routes!(health::health));
    let docs = DocsPaths {
        ui: "/v1/docs",
        json: "/v1/openapi.json",
        yaml: None,
    };
    let spec = ServiceSpec::new(VisionEnvelope, docs);
    assemble(api, state, spec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_become_snake_case() {
        assert_eq!(super::snake_case("NotFound"), "not_found");
        assert_eq!(super::snake_case("RateLimited"), "rate_limited");
        assert_eq!(super::snake_case("BadRequest"), "bad_request");
    }

    #[test]
    fn forbidden_and_bad_request_render_in_the_envelope() {
        use super::{ApiError, ErrorEnvelope, VisionEnvelope};
        let body = VisionEnvelope.body(&ApiError::forbidden("no"));
        assert_eq!(
            body,
            serde_json::json!({ "error": "forbidden", "message": "no" })
        );
        let body = VisionEnvelope.body(&ApiError::bad_request("media_type is required"));
        assert_eq!(
            body,
            serde_json::json!({ "error": "bad_request", "message": "media_type is required" })
        );
    }
}
