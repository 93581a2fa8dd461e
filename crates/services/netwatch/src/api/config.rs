//! The detection configuration an agent runs with (`GET /agents/config`, and its version in the
//! heartbeat), and ours for admins: `GET|PUT /settings/rules` (rule overrides).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use netdetect::rules::Coverage;
use netdetect::{EngineConfig, Rule, RuleOverride};
use platform::audit::AuditEvent;
use platform::http::{ApiError, AppJson};
use platform::{ServiceName, ServiceState};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::auth::{Agent, Dashboard};
use crate::model::{Plan, RuleOverrideRow};
use crate::store::NetwatchStore;
use crate::ErrorBody;

fn coverage_name(c: Coverage) -> &'static str {
    match c {
        Coverage::Core => "core",
        Coverage::Extended => "extended",
        Coverage::Ot => "ot",
    }
}

/// Every rule with its state for `plan`: the tenant's override, or off when the plan does not
/// cover the rule.
async fn rule_table(
    store: &NetwatchStore,
    tenant_id: uuid::Uuid,
    plan: Plan,
) -> Result<Value, ApiError> {
    let overrides: BTreeMap<String, RuleOverrideRow> = store
        .rule_overrides(tenant_id)
        .await?
        .into_iter()
        .map(|r| (r.rule_name.clone(), r))
        .collect();
    let mut rules = serde_json::Map::new();
    for rule in Rule::ALL {
        let covered = plan.coverage().contains(&coverage_name(rule.coverage()));
        let o = overrides.get(rule.as_str());
        let thresholds: Value = o
            .and_then(|o| serde_json::from_str(&o.thresholds).ok())
            .unwrap_or(json!({}));
        let defaults: serde_json::Map<String, Value> = rule
            .thresholds()
            .iter()
            .map(|(n, v)| ((*n).to_string(), json!(v)))
            .collect();
        rules.insert(
            rule.as_str().into(),
            json!({
                "enabled": covered && o.is_none_or(|o| o.enabled),
                "thresholds": thresholds,
                "defaults": defaults,
                "severity": rule.severity().as_str(),
                "coverage": coverage_name(rule.coverage()),
                "in_plan": covered,
            }),
        );
    }
    Ok(Value::Object(rules))
}

pub async fn agent_config(store: &NetwatchStore, caller: &Agent) -> Result<Value, ApiError> {
    let tenant = caller.agent.tenant_id;
    let plan = caller.license.plan();
    let whitelist = store.whitelist(tenant).await?;
    let suppressions: Vec<Value> = store.active_suppressions(tenant).await?.into_iter()
        .map(|s| json!({"rule": s.rule_name, "source_ip": s.source_ip, "dest_ip": s.dest_ip, "until": s.until.timestamp() as f64}))
        .collect();
    let mut config = json!({
        "plan": plan.to_string(),
        "coverage": plan.coverage(),
        "rules": rule_table(store, tenant, plan).await?,
        "whitelist": whitelist.iter().map(|w| w.cidr.clone()).collect::<Vec<_>>(),
        "whitelist_entries": whitelist,
        "suppressions": suppressions,
        "heartbeat_interval_secs": crate::model::HEARTBEAT_SECS,
    });
    let digest = Sha256::digest(proof::trail::jcs(&config).as_bytes());
    config["config_version"] = json!(hex::encode(&digest[..8]));
    Ok(config)
}

/// Ours: every rule with its override, defaults, severity and plan coverage (every role).
#[utoipa::path(get, path = "/api/v1/settings/rules", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get_rules(
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({"rules": rule_table(&store, user.tenant_id(), Plan::Enterprise).await?}),
    ))
}

/// Ours: replace the rule overrides (admin): `{"rules": {"PORT_SCAN": {"enabled": true,
/// "thresholds": {"trw_upper": 6.0}}}}`; rules left out run with their defaults.
#[utoipa::path(put, path = "/api/v1/settings/rules", tag = "settings", request_body = Object, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn put_rules(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
    AppJson(body): AppJson<Value>,
) -> Result<Json<Value>, ApiError> {
    user.require(&["admin"])?;
    let Some(rules) = body.get("rules").and_then(Value::as_object) else {
        return Err(ApiError::bad_request(
            "rules must be an object keyed by rule name",
        ));
    };
    let mut parsed: BTreeMap<Rule, RuleOverride> = BTreeMap::new();
    for (name, value) in rules {
        let rule = Rule::parse(name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown rule {name} (one of {})",
                Rule::ALL.map(|r| r.as_str()).join(", ")
            ))
        })?;
        let o: RuleOverride = serde_json::from_value(value.clone()).map_err(|_| {
            ApiError::bad_request(format!(
                "{name} must be {{\"enabled\": bool, \"thresholds\": {{name: number}}}}"
            ))
        })?;
        parsed.insert(rule, o);
    }
    let check = EngineConfig {
        rules: parsed.clone(),
        ..EngineConfig::default()
    };
    check.validate().map_err(ApiError::bad_request)?;
    let rows: Vec<RuleOverrideRow> = parsed
        .iter()
        .map(|(rule, o)| RuleOverrideRow {
            rule_name: rule.as_str().into(),
            enabled: o.enabled,
            thresholds: json!(o.thresholds).to_string(),
        })
        .collect();
    store.set_rule_overrides(user.tenant_id(), &rows).await?;
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().into(),
        action: "rules.update".into(),
        target: "rules".into(),
        details: json!({"rules": parsed}),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok(Json(
        json!({"rules": rule_table(&store, user.tenant_id(), Plan::Enterprise).await?}),
    ))
}
