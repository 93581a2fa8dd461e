//! What testops' store returns: its rows as domain types (JSON-valued columns as their text).

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub tenant_id: Uuid,
    pub name: String,
    pub slug: String,
    pub plan: String,
    pub ai_analysis_enabled: bool,
    pub test_cases_enabled: bool,
    pub test_cycles_enabled: bool,
    /// JSON object: flag name → bool.
    pub ai_features: String,
    pub ai_default_model: String,
    /// JSON object: provider → the key, sealed with the master key.
    pub byok: String,
    /// Sealed with the master key.
    pub slack_webhook_url: Option<String>,
    /// JSON array of statuses.
    pub slack_events: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrgRow {
    pub fn plan(&self) -> crate::model::plan::Plan {
        use platform::http::fields::Vocabulary;
        crate::model::plan::Plan::parse(&self.plan).unwrap_or(crate::model::plan::Plan::Free)
    }

    pub fn ai_features(&self) -> serde_json::Map<String, serde_json::Value> {
        let stored: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.ai_features).unwrap_or_default();
        crate::model::AI_FEATURES
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    stored.get(*f).cloned().unwrap_or(false.into()),
                )
            })
            .collect()
    }

    pub fn byok(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(&self.byok).unwrap_or_default()
    }

    pub fn slack_events(&self) -> Vec<String> {
        serde_json::from_str(&self.slack_events).unwrap_or_default()
    }
}

/// A member: the testops id and login time of a platform user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub id: String,
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub last_login_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub tenant_id: Uuid,
    pub email: String,
    pub role: String,
    pub invited_by: Option<String>,
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// The contract's id of a platform API key, and the member who made it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyLink {
    pub id: String,
    pub api_key_id: Uuid,
    pub member_id: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: String,
    pub tenant_id: Uuid,
    pub name: String,
    pub slug: String,
    pub docker_image: Option<String>,
    /// JSON object `{dev, staging, prod}`.
    pub target_urls: String,
    pub default_test_folder: String,
    pub auto_quarantine_enabled: bool,
    /// JSON object `{mode: "off"|"hosts"|"open", hosts: [...]}`.
    pub network: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EnvVarRow {
    pub id: String,
    pub project_id: String,
    pub key: String,
    /// Sealed with the master key when `is_secret`.
    pub value: String,
    pub is_secret: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
