//! Policy evaluation: which enabled policies match an interaction, and the decision. The most
//! severe action among matching policies wins (block > coach > log); among policies with that
//! action, the lowest priority number wins, then the oldest. No match: `allow`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::rules::{Condition, Rules};

/// What conditions are evaluated against.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub platform_id: &'a str,
    pub risk_score: f64,
    pub classification_count: usize,
    pub classification_types: Vec<&'a str>,
    pub source: &'a str,
    pub direction: &'a str,
    pub user_id: Option<Uuid>,
}

/// A policy as evaluation sees it (already in priority order).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: Uuid,
    pub name: String,
    pub priority: i32,
    pub rules: Rules,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MatchedPolicy {
    pub id: Uuid,
    pub name: String,
    pub action: String,
    pub priority: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    /// `block`, `coach`, `log`, or `allow` when no enabled policy matched.
    pub action: String,
    /// The policy that decided, if any.
    pub policy_id: Option<Uuid>,
    pub policy_name: Option<String>,
    /// Every matching enabled policy, in evaluation order.
    pub matched_policies: Vec<MatchedPolicy>,
}

pub fn severity(action: &str) -> u8 {
    match action {
        "block" => 3,
        "coach" => 2,
        "log" => 1,
        _ => 0,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn compare(op: &str, left: f64, right: f64) -> bool {
    const EPS: f64 = 1e-9;
    match op {
        "eq" => (left - right).abs() < EPS,
        "lt" => left < right,
        "lte" => left <= right + EPS,
        "gt" => left > right,
        "gte" => left + EPS >= right,
        _ => false,
    }
}

fn text_op(op: &str, actual: &str, v: &Value) -> bool {
    let listed = || {
        v.as_array()
            .is_some_and(|items| items.iter().any(|i| i.as_str() == Some(actual)))
    };
    match op {
        "eq" => v.as_str() == Some(actual),
        "ne" | "neq" => v.as_str() != Some(actual),
        "in" => listed(),
        "nin" => !listed(),
        _ => false,
    }
}

impl Condition {
    pub fn matches(&self, facts: &Facts) -> bool {
        let (op, v) = (self.operator.as_str(), &self.value);
        match self.field.as_str() {
            "platform_id" => text_op(op, facts.platform_id, v),
            "source" => text_op(op, facts.source, v),
            "direction" => text_op(op, facts.direction, v),
            "user_id" => {
                let actual = facts.user_id.map(|u| u.to_string()).unwrap_or_default();
                text_op(op, &actual, v)
            }
            "risk_score" => number(v).is_some_and(|n| compare(op, facts.risk_score, n)),
            "classification_count" => {
                number(v).is_some_and(|n| compare(op, facts.classification_count as f64, n))
            }
            "classifications" => {
                let present = v
                    .as_str()
                    .is_some_and(|t| facts.classification_types.contains(&t));
                match op {
                    "contains" => present,
                    "not_contains" => !present,
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// Evaluates `policies` (enabled ones only, in priority order) against `facts`.
pub fn decide(policies: &[Candidate], facts: &Facts) -> Decision {
    let matched: Vec<&Candidate> = policies
        .iter()
        .filter(|p| p.rules.conditions.iter().all(|c| c.matches(facts)))
        .collect();
    // `max_by_key` keeps the last maximum; iterate in reverse so the first in order wins ties.
    let winner = matched
        .iter()
        .rev()
        .max_by_key(|p| severity(&p.rules.action))
        .copied();
    Decision {
        action: winner
            .map_or("allow", |p| p.rules.action.as_str())
            .to_string(),
        policy_id: winner.map(|p| p.id),
        policy_name: winner.map(|p| p.name.clone()),
        matched_policies: matched
            .iter()
            .map(|p| MatchedPolicy {
                id: p.id,
                name: p.name.clone(),
                action: p.rules.action.clone(),
                priority: p.priority,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(n: u128, priority: i32, rules: Value) -> Candidate {
        Candidate {
            id: Uuid::from_u128(n),
            name: format!("p{n}"),
            priority,
            rules: serde_json::from_value(rules).unwrap(),
        }
    }

    fn facts() -> Facts<'static> {
        Facts {
            platform_id: "chatgpt",
            risk_score: 0.42,
            classification_count: 2,
            classification_types: vec!["EMAIL", "PHONE"],
            source: "browser_extension",
            direction: "outbound",
            user_id: Some(Uuid::from_u128(10)),
        }
    }

    #[test]
    fn the_contract_example_blocks_pii_on_chatgpt() {
        let p = policy(
            1,
            10,
            json!({ "action": "block", "conditions": [
            { "field": "platform_id", "operator": "eq", "value": "chatgpt" },
            { "field": "classification_count", "operator": "gte", "value": "1" }] }),
        );
        let d = decide(std::slice::from_ref(&p), &facts());
        assert_eq!(d.action, "block");
        assert_eq!(d.policy_id, Some(p.id));
        let clean = Facts {
            classification_count: 0,
            classification_types: vec![],
            ..facts()
        };
        assert_eq!(decide(&[p], &clean).action, "allow");
    }

    #[test]
    fn the_most_severe_action_wins_then_the_lowest_priority() {
        let log = policy(
            1,
            1,
            json!({ "action": "log", "conditions": [{ "field": "direction", "operator": "eq", "value": "outbound" }] }),
        );
        let coach_a = policy(
            2,
            5,
            json!({ "action": "coach", "conditions": [{ "field": "risk_score", "operator": "gt", "value": "0.4" }] }),
        );
        let coach_b = policy(
            3,
            7,
            json!({ "action": "coach", "conditions": [{ "field": "classifications", "operator": "contains", "value": "EMAIL" }] }),
        );
        let block_miss = policy(
            4,
            0,
            json!({ "action": "block", "conditions": [{ "field": "classifications", "operator": "contains", "value": "IBAN" }] }),
        );
        let d = decide(&[block_miss, log, coach_a.clone(), coach_b], &facts());
        assert_eq!(d.action, "coach");
        assert_eq!(d.policy_id, Some(coach_a.id));
        assert_eq!(d.matched_policies.len(), 3);
    }

    #[test]
    fn every_operator_behaves() {
        let f = facts();
        let c = |field: &str, op: &str, value: Value| {
            Condition {
                field: field.into(),
                operator: op.into(),
                value,
            }
            .matches(&f)
        };
        assert!(c("platform_id", "in", json!(["claude", "chatgpt"])));
        assert!(!c("platform_id", "nin", json!(["chatgpt"])));
        assert!(c("platform_id", "ne", json!("claude")));
        assert!(c("source", "eq", json!("browser_extension")));
        assert!(c("risk_score", "lte", json!(0.42)));
        assert!(c("risk_score", "eq", json!("0.42")));
        assert!(!c("risk_score", "lt", json!("0.42")));
        assert!(c("classification_count", "eq", json!("2")));
        assert!(c("classifications", "not_contains", json!("IBAN")));
        assert!(c("user_id", "eq", json!(Uuid::from_u128(10).to_string())));
        assert!(!c("direction", "eq", json!("inbound")));
    }
}
