//! The interaction wire shapes (contracts/guard.md §5): what clients send, how it is checked,
//! and what the API returns. Raw text is accepted in `content_metadata.text` but never kept.

use chrono::{DateTime, Utc};
use platform::http::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::evaluate::Decision;
use super::vocabulary::{field, Direction, InteractionType, Source};

/// The longest text classified in one call, in characters.
pub const MAX_TEXT_CHARS: usize = 100_000;

const MAX_CLIENT_CLASSIFICATIONS: usize = 1000;
const MAX_METADATA_BYTES: usize = 16 * 1024;

fn default_type() -> String {
    "prompt".into()
}
fn default_direction() -> String {
    "outbound".into()
}
fn default_source() -> String {
    "browser_extension".into()
}

/// A classification as a client (e.g. the browser extension's Tier 1) reports it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ClientClassification {
    /// EMAIL, PHONE, CREDIT_CARD, IBAN, FR_NIR (or NIR), FR_SIRET, FR_SIREN, SSN, …
    #[serde(rename = "type")]
    #[schema(example = "EMAIL")]
    pub kind: String,
    /// The matched text. It is masked before storage; the raw value is never kept.
    #[serde(default)]
    pub value: Option<String>,
    /// Confidence 0–1 (default 1).
    #[serde(default = "one")]
    pub score: f64,
    pub start: Option<usize>,
    pub end: Option<usize>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewInteraction {
    /// chatgpt, claude, gemini, deepseek, perplexity, mistral, copilot, … (open list).
    #[schema(example = "chatgpt", pattern = "^[A-Za-z0-9._-]{1,64}$")]
    pub platform_id: String,
    /// SHA-256 (64 hex) of the content. When `content_metadata.text` is sent it must match.
    #[schema(
        example = "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3",
        pattern = "^[0-9a-fA-F]{64}$"
    )]
    pub content_hash: String,
    /// prompt (default), completion, tool_call, embedding.
    #[serde(default = "default_type")]
    #[schema(value_type = Option<InteractionType>)]
    pub interaction_type: String,
    /// Free-form (url, model, …). `text`, if present, is classified and then dropped.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub content_metadata: Option<Map<String, Value>>,
    #[serde(default)]
    pub classifications: Vec<ClientClassification>,
    /// The client's own estimate, 0–1 (default 0). The stored risk is the higher of this and
    /// the server's.
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub risk_score: f64,
    /// outbound (default) or inbound.
    #[serde(default = "default_direction")]
    #[schema(value_type = Option<Direction>)]
    pub direction: String,
    /// browser_extension (default), proxy, endpoint_agent, api.
    #[serde(default = "default_source")]
    #[schema(value_type = Option<Source>)]
    pub source: String,
    #[serde(default)]
    pub user_id: Option<Uuid>,
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl NewInteraction {
    /// Checks every field, normalises the platform id and the hash, and takes the text out.
    pub fn validate(&mut self) -> Result<Option<String>, ApiError> {
        let platform = self.platform_id.trim().to_ascii_lowercase();
        let platform_ok = (1..=64).contains(&platform.len())
            && platform
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !platform_ok {
            return Err(ApiError::bad_request(
                "platform_id must be 1 to 64 characters of letters, digits, '.', '_' or '-'",
            ));
        }
        self.platform_id = platform;
        let hash = self.content_hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ApiError::bad_request(
                "content_hash must be a SHA-256 digest: 64 hexadecimal characters",
            ));
        }
        self.content_hash = hash;
        let checked = field::<InteractionType>("interaction_type", &self.interaction_type)
            .and(field::<Direction>("direction", &self.direction))
            .and(field::<Source>("source", &self.source));
        checked.map_err(ApiError::bad_request)?;
        if !(0.0..=1.0).contains(&self.risk_score) {
            return Err(ApiError::bad_request("risk_score must be between 0 and 1"));
        }
        if self.classifications.len() > MAX_CLIENT_CLASSIFICATIONS {
            return Err(ApiError::bad_request(format!(
                "at most {MAX_CLIENT_CLASSIFICATIONS} classifications per interaction"
            )));
        }
        for (i, c) in self.classifications.iter().enumerate() {
            let type_ok = (1..=64).contains(&c.kind.len())
                && c.kind
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_');
            if !type_ok {
                return Err(ApiError::bad_request(format!(
                    "classifications[{i}].type must be an upper-case type name such as EMAIL"
                )));
            }
            if !(0.0..=1.0).contains(&c.score) {
                return Err(ApiError::bad_request(format!(
                    "classifications[{i}].score must be between 0 and 1"
                )));
            }
            if let (Some(s), Some(e)) = (c.start, c.end) {
                if e < s {
                    return Err(ApiError::bad_request(format!(
                        "classifications[{i}]: end must not be before start"
                    )));
                }
            }
        }
        let text = match self
            .content_metadata
            .as_mut()
            .and_then(|m| m.remove("text"))
        {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "content_metadata.text must be a string",
                ))
            }
        };
        let metadata_len = self
            .content_metadata
            .as_ref()
            .map_or(0, |m| Value::Object(m.clone()).to_string().len());
        if metadata_len > MAX_METADATA_BYTES {
            return Err(ApiError::bad_request(format!(
                "content_metadata must be at most {MAX_METADATA_BYTES} bytes"
            )));
        }
        if let Some(text) = &text {
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(ApiError::bad_request(format!(
                    "content_metadata.text must be at most {MAX_TEXT_CHARS} characters"
                )));
            }
            if sha256_hex(text) != self.content_hash {
                return Err(ApiError::bad_request(
                    "content_hash does not match the SHA-256 of content_metadata.text",
                ));
            }
        }
        Ok(text)
    }
}

/// A stored classification: masked value, where it was found, and who found it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StoredClassification {
    #[serde(rename = "type")]
    pub kind: String,
    /// Masked (e.g. `a***@acme.fr`); never the matched text.
    pub value: String,
    pub score: f64,
    pub start: Option<usize>,
    pub end: Option<usize>,
    /// 1 or 2 for server findings; null for client-reported ones.
    pub tier: Option<u8>,
    /// `server` (Redoubt's classifier) or `client` (sent with the interaction).
    pub source: String,
}

/// An interaction as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Interaction {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub platform_id: String,
    pub interaction_type: String,
    pub content_hash: String,
    /// As sent, without `text`; values that contained PII are masked.
    #[schema(value_type = Object)]
    pub content_metadata: Value,
    pub classifications: Vec<StoredClassification>,
    pub classification_count: usize,
    pub risk_score: f64,
    /// minimal, low, medium, high, critical.
    pub risk_band: String,
    pub direction: String,
    pub source: String,
    pub user_id: Option<Uuid>,
    /// The decision's action: block, coach, log, or allow (no policy matched).
    pub action: String,
    pub decision: Decision,
    pub created_at: DateTime<Utc>,
}
