//! When an interaction raises an alert, and how severe it is: block and coach decisions and
//! high or critical risk raise one alert per interaction.
//!
//! severity = the highest of: `critical` if the risk band is critical or a block met high risk;
//! `high` for a block or a high risk band; `medium` for a coach decision.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::interaction::Interaction;

/// An alert as stored.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AlertRow {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub interaction_id: Uuid,
    /// medium, high or critical.
    pub severity: String,
    /// JSON list of why: policy_block, policy_coach, risk_high, risk_critical.
    #[serde(skip)]
    pub reasons: String,
    pub title: String,
    pub platform_id: String,
    pub user_id: Option<Uuid>,
    /// The interaction's decision.
    pub action: String,
    pub risk_score: f64,
    pub policy_id: Option<Uuid>,
    /// `open` (alerts have no workflow in this contract).
    pub status: String,
    pub created_at: DateTime<Utc>,
}

pub struct Raised {
    pub severity: &'static str,
    pub reasons: Vec<String>,
    pub title: String,
}

fn rank(severity: &str) -> u8 {
    match severity {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    }
}

pub fn alert_for(i: &Interaction) -> Option<Raised> {
    let band = i.risk_band.as_str();
    let high_risk = matches!(band, "high" | "critical");
    let action = i.decision.action.as_str();
    let mut severity = "";
    let mut reasons = Vec::new();
    let mut raise = |s: &'static str, reason: String| {
        if rank(s) > rank(severity) {
            severity = s;
        }
        reasons.push(reason);
    };
    match action {
        "block" => raise(
            if high_risk { "critical" } else { "high" },
            "policy_block".into(),
        ),
        "coach" => raise("medium", "policy_coach".into()),
        _ => {}
    }
    if high_risk {
        raise(
            if band == "critical" {
                "critical"
            } else {
                "high"
            },
            format!("risk_{band}"),
        );
    }
    if reasons.is_empty() {
        return None;
    }
    let mut types: Vec<&str> = i.classifications.iter().map(|c| c.kind.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    let found = if types.is_empty() {
        String::new()
    } else {
        format!(" ({})", types.join(", "))
    };
    let title = match (action, &i.decision.policy_name) {
        ("block", Some(name)) => {
            format!("Blocked by policy \"{name}\" on {}{found}", i.platform_id)
        }
        ("coach", Some(name)) => {
            format!("Coached by policy \"{name}\" on {}{found}", i.platform_id)
        }
        _ => format!(
            "{} risk interaction on {}{found}",
            capitalised(band),
            i.platform_id
        ),
    };
    Some(Raised {
        severity,
        reasons,
        title,
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// An alert as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alert {
    #[serde(flatten)]
    pub row: AlertRow,
    pub reasons: Vec<String>,
}

impl From<AlertRow> for Alert {
    fn from(row: AlertRow) -> Self {
        Alert {
            reasons: serde_json::from_str(&row.reasons).unwrap_or_default(),
            row,
        }
    }
}

/// The alert an interaction raises, if any.
pub fn for_interaction(i: &Interaction) -> Option<AlertRow> {
    let raised = alert_for(i)?;
    Some(AlertRow {
        id: Uuid::now_v7(),
        tenant_id: i.tenant_id,
        interaction_id: i.id,
        severity: raised.severity.into(),
        reasons: serde_json::to_string(&raised.reasons).expect("strings serialise"),
        title: raised.title,
        platform_id: i.platform_id.clone(),
        user_id: i.user_id,
        action: i.action.clone(),
        risk_score: i.risk_score,
        policy_id: i.decision.policy_id,
        status: "open".into(),
        created_at: i.created_at,
    })
}
