//! netwatch's domain types and vocabularies: severities, triage statuses, plans, and the rows
//! the store returns. No HTTP, no SQL.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

platform::vocabulary!(
    /// Alert severity, as the contract spells it.
    pub enum Severity {
        Critical = "CRITICAL",
        High = "HIGH",
        Medium = "MEDIUM",
        Low = "LOW",
    }
);

platform::vocabulary!(
    /// Triage state of an alert; new alerts are `open`.
    pub enum AlertStatus {
        Open = "open",
        Reviewed = "reviewed",
        Resolved = "resolved",
        FalsePositive = "false_positive",
    }
);

platform::vocabulary!(
    /// Plans, from the vendor's rules page.
    pub enum Plan {
        Free = "free",
        Starter = "starter",
        Professional = "professional",
        Business = "business",
        Enterprise = "enterprise",
    }
);

platform::vocabulary!(
    /// Transport protocols the agent reports.
    pub enum Protocol {
        Tcp = "TCP",
        Udp = "UDP",
        Icmp = "ICMP",
    }
);

impl Plan {
    /// Agents (devices) a tenant on this plan may register; None: no limit.
    pub fn max_agents(self) -> Option<usize> {
        match self {
            Plan::Free => Some(3),
            Plan::Starter => Some(10),
            Plan::Professional => Some(50),
            Plan::Business => Some(250),
            Plan::Enterprise => None,
        }
    }

    /// Rule families the plan runs (contracts/netwatch.md §6).
    pub fn coverage(self) -> &'static [&'static str] {
        match self {
            Plan::Free | Plan::Starter => &["core"],
            Plan::Professional => &["core", "extended"],
            Plan::Business | Plan::Enterprise => &["core", "extended", "ot"],
        }
    }
}

/// Dashboard roles (contracts/netwatch.md §4).
pub const ALL_ROLES: &[&str] = &["admin", "analyst", "auditor"];
/// Roles that triage: update alerts, block IPs, edit the whitelist.
pub const TRIAGE_ROLES: &[&str] = &["admin", "analyst"];
/// The role an agent's token carries.
pub const AGENT_ROLE: &str = "agent";

/// The agent version this server ships (and `/agents/version` announces).
pub const AGENT_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Seconds between heartbeats an agent is told to keep.
pub const HEARTBEAT_SECS: i64 = 60;
/// A device is offline after three missed heartbeats.
pub const OFFLINE_AFTER_SECS: i64 = 180;
/// How long marking an alert false_positive silences that rule for its source/destination.
pub const FALSE_POSITIVE_SUPPRESSION_DAYS: i64 = 7;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenseRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub key_prefix: String,
    pub plan: String,
    pub status: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl LicenseRow {
    pub fn usable_at(&self, now: DateTime<Utc>) -> bool {
        self.status == "active" && self.expires_at.is_none_or(|t| t > now)
    }

    pub fn plan(&self) -> Plan {
        <Plan as platform::http::fields::Vocabulary>::parse(&self.plan).unwrap_or(Plan::Free)
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AgentRow {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    #[serde(skip)]
    pub license_id: Uuid,
    pub agent_id: String,
    pub hostname: String,
    pub os_type: String,
    pub agent_version: String,
    pub last_ip: Option<String>,
    #[serde(skip)]
    pub stats: Option<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub last_heartbeat: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub agent: Uuid,
    pub upload_id: String,
    pub trace_id: Uuid,
    pub rule_name: String,
    pub severity: String,
    pub source_ip: String,
    pub dest_ip: Option<String>,
    pub port: Option<i64>,
    pub protocol: String,
    pub score: f64,
    pub ts: i64,
    pub first_seen: f64,
    pub status: String,
    pub notes: Option<String>,
    pub summary: String,
    pub mitre: String,
    pub evidence: String,
    pub thresholds: String,
    pub shap_json: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub triaged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// A detection self-test (`redoubt-agent --self-test`): stored resolved, kept out of analytics.
    pub self_test: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrailEntryRow {
    pub seq: i64,
    pub kind: String,
    pub recorded_at: String,
    pub data: String,
    pub canonical: String,
    pub prev_hash: String,
    pub hash: String,
}

impl TrailEntryRow {
    pub fn to_entry(&self) -> proof::trail::TrailEntry {
        proof::trail::TrailEntry {
            seq: self.seq as u64,
            kind: self.kind.clone(),
            recorded_at: self.recorded_at.clone(),
            data: serde_json::from_str(&self.data).unwrap_or(serde_json::Value::Null),
            canonical: self.canonical.clone(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct WhitelistEntry {
    pub id: Uuid,
    /// An address or network in CIDR form (`203.0.113.7/32`, `10.0.0.0/8`).
    pub cidr: String,
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleOverrideRow {
    pub rule_name: String,
    pub enabled: bool,
    pub thresholds: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SuppressionRow {
    pub rule_name: String,
    pub source_ip: String,
    pub dest_ip: Option<String>,
    pub until: DateTime<Utc>,
}

/// The tenant's NIS2/GDPR settings: what the compliance checks read and the reports print.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ComplianceSettings {
    /// The legal entity named in reports (the tenant's name when unset).
    pub entity_name: Option<String>,
    /// NIS2 Art. 3: `essential` or `important`.
    pub entity_type: Option<String>,
    /// NIS2 Annex I/II sector, free text (e.g. "Digital infrastructure").
    pub sector: Option<String>,
    /// The Member State whose CSIRT is notified (ISO 3166 alpha-2).
    pub member_state: Option<String>,
    /// The CSIRT or competent authority's channel: an e-mail address or an https URL.
    pub csirt_contact: Option<String>,
    /// The data protection officer or other contact point (GDPR Art. 33(3)(b)).
    pub dpo_contact: Option<String>,
    /// The incident response plan's reference (document name or URL).
    pub irp_reference: Option<String>,
    /// When the plan was last reviewed.
    pub irp_reviewed_at: Option<DateTime<Utc>>,
    pub supply_chain_assessed: bool,
    /// When the supply-chain assessment was done.
    pub supply_chain_assessed_at: Option<DateTime<Utc>>,
    /// Attested: console sign-in goes through an identity provider that enforces MFA.
    pub mfa_enforced: bool,
    pub mfa_attested_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The tenant's Stripe customer and what we last learnt of its subscription.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BillingRow {
    pub stripe_customer_id: String,
    pub subscription_id: Option<String>,
    pub plan: Option<String>,
    pub billing_cycle: Option<String>,
    pub status: Option<String>,
    pub current_period_end: Option<DateTime<Utc>>,
}
