//! When an interaction raises an alert, and how severe it is: block and coach decisions and
//! high or critical risk raise one alert per interaction.
//!
//! severity = the highest of: `critical` if the risk band is critical or a block met high risk;
//! `high` for a block or a high risk band; `medium` for a coach decision.

use crate::interactions::Interaction;

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
