//! testops' handlers, one module per resource, and what they share: id parsing, the
//! organisation view, the user view, plan-limit errors.

pub mod api_keys;
pub mod env_vars;
pub mod invitations;
pub mod organization;
pub mod projects;
pub mod session;
pub mod users;

use axum::Json;
use chrono::{DateTime, Utc};
use platform::http::ApiError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::model::id::parse_id;
use crate::model::plan::{percent_used, Limits};

/// `raw` as an id, or 400 `error` (e.g. "Invalid user ID format").
pub fn id_or_400(raw: &str, error: &'static str) -> Result<String, ApiError> {
    parse_id(raw)
        .ok_or_else(|| ApiError::bad_request("Ids are 24 hexadecimal characters").with_title(error))
}

/// A platform user status as the contract names it: `active`, `invited` or `suspended`.
pub fn member_status(platform_status: &str) -> &'static str {
    match platform_status {
        "active" => "active",
        "pending" => "invited",
        _ => "suspended",
    }
}

/// The 403 of a plan limit, with the contract's `upgradeUrl` and `usage`.
pub fn plan_limit(error: &'static str, message: String, used: i64, limit: i64) -> ApiError {
    ApiError::forbidden(message)
        .with_title(error)
        .with_extra("upgradeUrl", "/settings?tab=billing".into())
        .with_extra(
            "usage",
            serde_json::json!({"used": used, "limit": limit, "percentUsed": percent_used(used, limit)}),
        )
}

/// With `#[serde(default, deserialize_with = "crate::api::present")]`: keeps an explicit `null`
/// apart from an absent field (`Some(Null)` vs `None`), for fields where null clears.
pub fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    <serde_json::Value as serde::Deserialize>::deserialize(d).map(Some)
}

/// A boolean field of an update: its value when it was sent as one; a problem noted when it
/// was sent as anything else.
pub fn bool_field(
    problems: &mut Vec<(String, String)>,
    field: &str,
    value: Option<&serde_json::Value>,
) -> Option<bool> {
    let value = value?;
    let flag = value.as_bool();
    if flag.is_none() {
        problems.push((field.to_string(), "must be a boolean".to_string()));
    }
    flag
}

/// The 400 of a body that does not validate, naming each field (`details`).
pub fn invalid_payload(error: &'static str, problems: Vec<(String, String)>) -> ApiError {
    let message = problems
        .iter()
        .map(|(field, problem)| format!("{field}: {problem}"))
        .collect::<Vec<_>>()
        .join("; ");
    let details: serde_json::Map<String, serde_json::Value> = problems
        .into_iter()
        .map(|(field, problem)| (field, serde_json::json!({"_errors": [problem]})))
        .collect();
    ApiError::bad_request(message)
        .with_title(error)
        .with_extra("details", details.into())
}

/// A JSON body that may be left out (empty: the defaults).
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    // As `AppJson` does: a NUL is refused before anything reads the body (PostgreSQL cannot store one).
    platform::http::input::refuse_nul(body)?;
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("The body is not valid JSON: {e}")).with_title("Invalid JSON")
    })
}

/// A time as the contract writes it: RFC 3339 with milliseconds, UTC.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An organisation as `me` and `GET /organization` show it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgSummary {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// `free` | `starter` | `team` | `business` | `enterprise`.
    pub plan: String,
    pub limits: Limits,
    pub user_count: i64,
    pub user_limit: i64,
    pub ai_analysis_enabled: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MessageResponse {
    pub success: bool,
    pub message: String,
}

impl MessageResponse {
    pub fn ok(message: impl Into<String>) -> Json<MessageResponse> {
        Json(MessageResponse {
            success: true,
            message: message.into(),
        })
    }
}

/// SHA-256 of a 64-hex token, the only form invitation tokens are stored in.
pub fn token_hash(token: &str) -> Vec<u8> {
    <sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()).to_vec()
}
