//! guard helpers: a guard-only server, the contract's policy example, and interactions whose
//! hash matches their text.

use platform::ServiceName;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{spawn_with, AppOptions, TestApp};

/// The policy example of the contract, verbatim.
pub const POLICY: &str = r#"{ "name": "Block PII on ChatGPT",
  "description": "Prevent users from submitting sensitive data to ChatGPT",
  "rules": { "action": "block",
             "conditions": [ { "field": "platform_id", "operator": "eq", "value": "chatgpt" },
                             { "field": "classification_count", "operator": "gte", "value": "1" } ] },
  "enabled": true, "priority": 10 }"#;

/// Options that boot guard alone.
pub fn guard_only() -> AppOptions {
    AppOptions::default().services(&[ServiceName::Guard])
}

/// A server running guard alone.
pub async fn spawn_guard() -> TestApp {
    spawn_with(guard_only()).await
}

pub fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// An interaction carrying `text`, with its correct hash.
pub fn with_text(platform: &str, text: &str) -> Value {
    json!({ "platform_id": platform, "content_hash": sha256(text), "content_metadata": { "text": text } })
}

/// The contract's policy example as JSON.
pub fn policy() -> Value {
    serde_json::from_str(POLICY).unwrap()
}
