//! `GET /analytics/*` (every dashboard role): alert totals and triage times, alerts per UTC day,
//! per severity, per rule, and a risk score per device. Self-tests are left out.
//!
//! Device risk (0–100) is a noisy-OR over the device's unresolved alerts (open or reviewed) of
//! the last 30 days: `100 × (1 − Π (1 − w(severity) × score))`, with w = 1.0 CRITICAL, 0.7 HIGH,
//! 0.4 MEDIUM, 0.1 LOW. One CRITICAL alert at score 0.9 gives 90; two HIGH at 0.8 give 80.6;
//! resolving or dismissing an alert removes it from the product.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::Json;
use platform::http::fields::Vocabulary;
use platform::http::ApiError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Dashboard;
use crate::model::{AlertStatus, Severity, OFFLINE_AFTER_SECS};
use crate::store::NetwatchStore;
use crate::ErrorBody;

/// Days `alerts-over-time` may span.
pub const MAX_DAYS: i64 = 365;
/// Unresolved alerts younger than this count toward device risk.
pub const RISK_WINDOW_DAYS: i64 = 30;

/// The weight of a severity in device risk.
pub fn severity_weight(severity: &str) -> f64 {
    match severity {
        "CRITICAL" => 1.0,
        "HIGH" => 0.7,
        "MEDIUM" => 0.4,
        _ => 0.1,
    }
}

/// Noisy-OR of `(severity, score)` pairs, as a 0–100 figure rounded to one decimal.
pub fn risk_score<'a>(alerts: impl IntoIterator<Item = (&'a str, f64)>) -> f64 {
    let safe: f64 = alerts
        .into_iter()
        .map(|(severity, score)| 1.0 - (severity_weight(severity) * score.clamp(0.0, 1.0)))
        .product();
    ((1.0 - safe) * 1000.0).round() / 10.0
}

/// An integer query parameter within `range`, `default` when absent; else a 400 naming it.
fn int_param(
    text: Option<&str>,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
) -> Result<i64, ApiError> {
    let Some(text) = text else { return Ok(default) };
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| range.contains(v))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{name} must be an integer from {} to {}",
                range.start(),
                range.end()
            ))
        })
}

#[derive(Serialize, ToSchema)]
pub struct Summary {
    total_alerts: i64,
    open_alerts: i64,
    /// Alerts per status (every status listed, zeros included).
    by_status: BTreeMap<String, i64>,
    /// Mean seconds from an alert's arrival to its first triage (null before any triage).
    avg_time_to_triage_secs: Option<f64>,
    /// Mean seconds from arrival to resolution (resolved or false positive).
    avg_time_to_resolve_secs: Option<f64>,
    /// The contract's "average response time": the mean time to first triage.
    avg_response_time_secs: Option<f64>,
    /// false_positive ÷ (resolved + false_positive); null when none is closed yet.
    false_positive_rate: Option<f64>,
    triaged_alerts: i64,
    resolved_alerts: i64,
}

/// Totals, triage times and the false-positive rate.
#[utoipa::path(get, path = "/api/v1/analytics/summary", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = Summary), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn summary(
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<Summary>, ApiError> {
    let totals = store.alert_totals(user.tenant_id()).await?;
    let mut by_status: BTreeMap<String, i64> = AlertStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for (status, n) in totals.by_status {
        by_status.insert(status, n);
    }
    let count = |s: AlertStatus| by_status.get(s.as_str()).copied().unwrap_or(0);
    let closed = count(AlertStatus::Resolved) + count(AlertStatus::FalsePositive);
    let round = |v: Option<f64>| v.map(|s| (s * 10.0).round() / 10.0);
    Ok(Json(Summary {
        total_alerts: by_status.values().sum(),
        open_alerts: count(AlertStatus::Open),
        false_positive_rate: (closed > 0).then(|| {
            ((count(AlertStatus::FalsePositive) as f64 / closed as f64) * 10_000.0).round()
                / 10_000.0
        }),
        avg_time_to_triage_secs: round(totals.mean_secs_to_triage),
        avg_time_to_resolve_secs: round(totals.mean_secs_to_resolve),
        avg_response_time_secs: round(totals.mean_secs_to_triage),
        triaged_alerts: totals.triaged,
        resolved_alerts: totals.resolved,
        by_status,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysParam {
    /// Days to cover, ending today (UTC): 1 to 365, default 30.
    days: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DayPoint {
    /// The UTC day, `YYYY-MM-DD`.
    date: String,
    count: i64,
    #[schema(value_type = Object)]
    by_severity: BTreeMap<&'static str, i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertsOverTime {
    days: i64,
    /// One point per day, oldest first, days without alerts included.
    points: Vec<DayPoint>,
}

/// Alerts per UTC day (by detection time) over the last `days` days, today included.
#[utoipa::path(get, path = "/api/v1/analytics/alerts-over-time", tag = "analytics", params(DaysParam), security(("bearer" = [])),
    responses((status = 200, body = AlertsOverTime), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn alerts_over_time(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Query(q): Query<DaysParam>,
) -> Result<Json<AlertsOverTime>, ApiError> {
    let days = int_param(q.days.as_deref(), "days", 1..=MAX_DAYS, 30)?;
    let today = chrono::Utc::now().timestamp().div_euclid(86_400);
    let first = today - days + 1;
    let counts = store.alerts_per_day(user.tenant_id(), first).await?;
    let mut per_day: HashMap<i64, BTreeMap<&'static str, i64>> = HashMap::new();
    for c in counts {
        if let Some(sev) = Severity::parse(&c.severity) {
            *per_day
                .entry(c.day)
                .or_default()
                .entry(sev.as_str())
                .or_default() += c.count;
        }
    }
    let points = (first..=today)
        .map(|day| {
            let mut by_severity: BTreeMap<&'static str, i64> =
                Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
            if let Some(found) = per_day.get(&day) {
                by_severity.extend(found.iter().map(|(k, v)| (*k, *v)));
            }
            let date = chrono::DateTime::from_timestamp(day * 86_400, 0)
                .expect("a day in range")
                .format("%Y-%m-%d")
                .to_string();
            DayPoint {
                date,
                count: by_severity.values().sum(),
                by_severity,
            }
        })
        .collect();
    Ok(Json(AlertsOverTime { days, points }))
}

#[derive(Serialize, ToSchema)]
pub struct SeverityCount {
    #[schema(value_type = Severity)]
    severity: &'static str,
    count: i64,
    open: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SeverityDistribution {
    total: i64,
    /// CRITICAL, HIGH, MEDIUM, LOW, in that order, zeros included.
    severities: Vec<SeverityCount>,
}

/// Alerts per severity, all time.
#[utoipa::path(get, path = "/api/v1/analytics/severity-distribution", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = SeverityDistribution), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn severity_distribution(
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<SeverityDistribution>, ApiError> {
    let counts = store.severity_counts(user.tenant_id()).await?;
    let severities: Vec<SeverityCount> = Severity::ALL
        .iter()
        .map(|s| {
            let (count, open) = counts
                .iter()
                .find(|(name, _, _)| name == s.as_str())
                .map_or((0, 0), |(_, n, o)| (*n, *o));
            SeverityCount {
                severity: s.as_str(),
                count,
                open,
            }
        })
        .collect();
    Ok(Json(SeverityDistribution {
        total: severities.iter().map(|s| s.count).sum(),
        severities,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitParam {
    /// How many rules: 1 to 100, default 10.
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TopRule {
    rule_name: String,
    #[schema(value_type = Severity)]
    severity: &'static str,
    count: i64,
    open: i64,
    /// Unix seconds of its latest detection.
    last_triggered: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TopRules {
    rules: Vec<TopRule>,
}

/// The most-triggered rules, most first.
#[utoipa::path(get, path = "/api/v1/analytics/top-rules", tag = "analytics", params(LimitParam), security(("bearer" = [])),
    responses((status = 200, body = TopRules), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn top_rules(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Query(q): Query<LimitParam>,
) -> Result<Json<TopRules>, ApiError> {
    let limit = int_param(q.limit.as_deref(), "limit", 1..=100, 10)?;
    let rules = store
        .top_rules(user.tenant_id(), limit)
        .await?
        .into_iter()
        .map(|r| TopRule {
            severity: netdetect::Rule::parse(&r.rule_name)
                .map_or("LOW", |rule| rule.severity().as_str()),
            rule_name: r.rule_name,
            count: r.count,
            open: r.open,
            last_triggered: r.last_ts,
        })
        .collect();
    Ok(Json(TopRules { rules }))
}

#[derive(Serialize, ToSchema)]
pub struct DeviceRisk {
    device_id: Uuid,
    agent_id: String,
    hostname: String,
    /// 0–100: the noisy-OR of its unresolved alerts of the last 30 days (see the module docs).
    risk_score: f64,
    /// Unresolved (open or reviewed) alerts of the last 30 days.
    unresolved_alerts: i64,
    /// Open alerts, all time.
    open_alerts: i64,
    #[schema(value_type = Object)]
    unresolved_by_severity: BTreeMap<&'static str, i64>,
    last_seen: chrono::DateTime<chrono::Utc>,
    online: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DeviceRiskList {
    /// Riskiest first.
    devices: Vec<DeviceRisk>,
    formula: &'static str,
}

/// A risk score per device (agent), riskiest first.
#[utoipa::path(get, path = "/api/v1/analytics/device-risk", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = DeviceRiskList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn device_risk(
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<DeviceRiskList>, ApiError> {
    let now = chrono::Utc::now();
    let since = now.timestamp() - RISK_WINDOW_DAYS * 86_400;
    let agents = store.agents(user.tenant_id()).await?;
    let alerts = store.unresolved_alerts(user.tenant_id(), since).await?;
    let open = store.open_alerts_per_agent(user.tenant_id(), 0).await?;
    let mut devices: Vec<DeviceRisk> = agents
        .into_iter()
        .map(|a| {
            let mine: Vec<_> = alerts.iter().filter(|u| u.agent == a.id).collect();
            let mut by_severity: BTreeMap<&'static str, i64> =
                Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
            for u in &mine {
                if let Some(s) = Severity::parse(&u.severity) {
                    *by_severity.entry(s.as_str()).or_default() += 1;
                }
            }
            DeviceRisk {
                device_id: a.id,
                risk_score: risk_score(mine.iter().map(|u| (u.severity.as_str(), u.score))),
                unresolved_alerts: mine.len() as i64,
                open_alerts: open.get(&a.id).copied().unwrap_or(0),
                unresolved_by_severity: by_severity,
                online: (now - a.last_seen).num_seconds() <= OFFLINE_AFTER_SECS,
                last_seen: a.last_seen,
                agent_id: a.agent_id,
                hostname: a.hostname,
            }
        })
        .collect();
    devices.sort_by(|a, b| {
        b.risk_score
            .total_cmp(&a.risk_score)
            .then_with(|| a.hostname.cmp(&b.hostname))
    });
    Ok(Json(DeviceRiskList {
        devices,
        formula: "100 × (1 − Π (1 − w × score)) over open and reviewed alerts of the last 30 days; w = 1.0 CRITICAL, 0.7 HIGH, 0.4 MEDIUM, 0.1 LOW",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_is_a_noisy_or_of_weighted_scores() {
        assert_eq!(risk_score([]), 0.0);
        assert_eq!(risk_score([("CRITICAL", 0.9)]), 90.0);
        assert_eq!(risk_score([("HIGH", 0.8), ("HIGH", 0.8)]), 80.6);
        assert_eq!(risk_score([("LOW", 1.0)]), 10.0);
        // More alerts never lower the risk, and it stays within 0–100.
        let many: Vec<(&str, f64)> = (0..50).map(|_| ("CRITICAL", 1.0)).collect();
        assert_eq!(risk_score(many), 100.0);
    }
}
