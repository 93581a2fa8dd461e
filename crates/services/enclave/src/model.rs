//! enclave's domain types and vocabularies, shared by handlers, the store and the live
//! sessions: customers, session rows, what destruction stores, the DELETE response, and the
//! contract's timestamp format.

use chrono::{DateTime, Months, SecondsFormat, Timelike, Utc};
use serde_json::{json, Value};

use crate::tiers::Tier;

platform::vocabulary!(
    /// Where a customer's data is governed (it selects the regulations a CDP cites).
    pub enum Jurisdiction {
        Us = "US",
        Eu = "EU",
        Uk = "UK",
        Ca = "CA",
        Au = "AU",
        In = "IN",
        Other = "OTHER",
    }
);

platform::vocabulary!(
    /// What kind of data a session holds.
    pub enum DataClassification {
        General = "general",
        Phi = "PHI",
        Pii = "PII",
        Financial = "financial",
        Credentials = "credentials",
    }
);

/// The stored status of a live session; `executing` is never stored (the node running a
/// command knows it in memory).
pub const LIVE: &str = "active";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: String,
    pub email: String,
    pub jurisdiction: String,
    pub tier: String,
    pub created_at: DateTime<Utc>,
}

impl CustomerRow {
    pub fn tier(&self) -> Tier {
        Tier::parse(&self.tier).unwrap_or(Tier::Free)
    }

    /// The start of the current billing month: sign-up day, advanced by whole months.
    /// Whole seconds, like the proof timestamps it is compared with.
    pub fn billing_cycle_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let anchor = self
            .created_at
            .with_nanosecond(0)
            .unwrap_or(self.created_at);
        let mut start = anchor;
        let mut months = 0u32;
        while let Some(next) = anchor.checked_add_months(Months::new(months + 1)) {
            if next > now {
                break;
            }
            months += 1;
            start = next;
        }
        start
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub customer_id: String,
    pub node: String,
    pub status: String,
    pub data_classification: String,
    pub ttl_seconds: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub destroyed_at: Option<DateTime<Utc>>,
}

/// What destroying a session stores, in one transaction.
pub struct Finished<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub status: &'a str,
    pub destroyed_at: DateTime<Utc>,
    pub document: String,
    pub evidence: String,
    pub clean: bool,
    pub key_id: &'a str,
    pub public_key: &'a str,
}

/// The DELETE response: built once, from the CDP and its evidence, whether the session was
/// destroyed by this request or earlier (then from what was stored).
pub fn destroyed_body(session_id: &str, status: &str, cdp: Value, evidence: Value) -> Value {
    json!({
        "session_id": session_id,
        "status": status,
        "regulatory_context": cdp["regulatory_context"],
        "session_context": cdp["session_context"],
        "cdp": cdp,
        "evidence": evidence,
    })
}

/// Second-precision RFC 3339 with `Z`, as the contract serialises timestamps (and as the CDP
/// chain hashes `destroyed_at`).
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
