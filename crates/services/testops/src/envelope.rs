//! testops' error body: `{"success": false, "error": "<type>", "message": "<text>"}`, plus the
//! fields some errors carry (429: `retryAfter`, `limit`, `window`; a lockout: `retryAfter`; a
//! plan limit: `upgradeUrl`, `usage`; a validation error: `details`).

use platform::http::{ApiError, ErrorEnvelope};
use serde::Serialize;
use utoipa::ToSchema;

/// Every testops error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// Short error type, e.g. "Invalid credentials", "Too Many Requests".
    pub error: String,
    pub message: String,
    /// On 429: seconds until a retry is allowed.
    #[serde(rename = "retryAfter", skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// On a rate-limit 429: the requests allowed per window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// On a rate-limit 429: the window, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<u64>,
    /// On a plan limit (403): where to upgrade.
    #[serde(rename = "upgradeUrl", skip_serializing_if = "Option::is_none")]
    pub upgrade_url: Option<String>,
    /// On a plan limit (403): `{used, limit, percentUsed}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub usage: Option<serde_json::Value>,
    /// On a validation error (400): per field, `{"_errors": [...]}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

pub struct TestopsEnvelope;

impl ErrorEnvelope for TestopsEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        let title = err
            .title
            .unwrap_or_else(|| err.status.canonical_reason().unwrap_or("Error"));
        let mut body = platform::http::envelope::to_body(ErrorBody {
            success: false,
            error: title.to_string(),
            message: err.message.clone(),
            retry_after: err.rate_limit.map(|rl| rl.retry_after_secs),
            limit: err.rate_limit.map(|rl| rl.limit),
            window: err.rate_limit.map(|rl| rl.window_ms),
            upgrade_url: None,
            usage: None,
            details: None,
        });
        if let (Some(extra), Some(obj)) = (err.extra.as_deref(), body.as_object_mut()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        body
    }
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

    #[test]
    fn extra_fields_are_written_beside_the_usual_ones() {
        let err = ApiError::forbidden("upgrade")
            .with_title("Project limit exceeded")
            .with_extra("upgradeUrl", "/settings?tab=billing".into());
        let body = TestopsEnvelope.body(&err);
        assert_eq!(body["upgradeUrl"], "/settings?tab=billing");
        assert_eq!(body["success"], false);
    }
}
