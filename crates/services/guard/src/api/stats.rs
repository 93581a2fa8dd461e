//! `GET /api/v1/dashboard/stats`: totals, decisions, platforms, finding types, the risk-band
//! histogram, policy effectiveness and a daily trend over a `from`/`to` range (default: the
//! last 30 days, at most 366).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use platform::http::fields::Vocabulary;
use platform::http::{ApiError, AuthUser};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::model::vocabulary::{risk_bands, Action};
use crate::store::GuardStore;
use crate::ErrorBody;

const MAX_DAYS: i64 = 366;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsRange {
    /// Start, inclusive (RFC 3339; default 30 days before `to`).
    pub from: Option<DateTime<Utc>>,
    /// End, exclusive (RFC 3339; default now).
    pub to: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct Totals {
    interactions: i64,
    distinct_users: i64,
    platforms: i64,
    alerts: i64,
    /// Mean risk score of the period's interactions (0 when none).
    mean_risk: f64,
}

#[derive(Serialize, ToSchema)]
pub struct Count {
    key: String,
    count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyHits {
    policy_id: Uuid,
    name: Option<String>,
    /// Interactions this policy decided.
    decisions: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Day {
    /// YYYY-MM-DD (UTC).
    date: String,
    total: i64,
    block: i64,
    coach: i64,
    log: i64,
    allow: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Stats {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    totals: Totals,
    /// Interactions per decision: block, coach, log, allow.
    by_action: BTreeMap<String, i64>,
    /// Interactions per platform, most used first.
    by_platform: Vec<Count>,
    /// Findings per type, most frequent first.
    by_type: Vec<Count>,
    /// Interactions per risk band (minimal, low, medium, high, critical).
    risk_histogram: BTreeMap<String, i64>,
    policy_effectiveness: Vec<PolicyHits>,
    /// One entry per UTC day of the range, zeros included.
    daily: Vec<Day>,
}

/// Dashboard statistics for the caller's tenant.
#[utoipa::path(get, path = "/api/v1/dashboard/stats", tag = "dashboard", params(StatsRange), security(("bearer" = [])),
    responses((status = 200, body = Stats), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn stats(
    State(store): State<GuardStore>,
    user: AuthUser,
    Query(range): Query<StatsRange>,
) -> Result<Json<Stats>, ApiError> {
    let to = range.to.unwrap_or_else(platform::store::now);
    let from = range.from.unwrap_or(to - Duration::days(30));
    if from >= to {
        return Err(ApiError::bad_request("from must be before to"));
    }
    if to - from > Duration::days(MAX_DAYS) {
        return Err(ApiError::bad_request(format!(
            "the range may span at most {MAX_DAYS} days"
        )));
    }
    let counts = store.stats_counts(user.tenant_id(), from, to).await?;
    let zeros = |keys: &[&str]| -> BTreeMap<String, i64> {
        keys.iter().map(|k| (k.to_string(), 0)).collect()
    };
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    let mut by_action = zeros(&actions);
    by_action.extend(counts.by_action);
    let mut risk_histogram = zeros(&risk_bands());
    risk_histogram.extend(counts.by_band);
    let as_counts = |rows: Vec<(String, i64)>| {
        rows.into_iter()
            .map(|(key, count)| Count { key, count })
            .collect()
    };
    let policy_effectiveness = counts
        .policy_hits
        .into_iter()
        .map(|(policy_id, name, decisions)| PolicyHits {
            policy_id,
            name,
            decisions,
        })
        .collect();
    Ok(Json(Stats {
        daily: daily_trend(from, to, &counts.daily),
        from,
        to,
        totals: Totals {
            interactions: counts.interactions,
            distinct_users: counts.distinct_users,
            platforms: counts.platforms,
            alerts: counts.alerts,
            mean_risk: (counts.mean_risk * 1000.0).round() / 1000.0,
        },
        by_action,
        by_platform: as_counts(counts.by_platform),
        by_type: as_counts(counts.by_type),
        risk_histogram,
        policy_effectiveness,
    }))
}

/// Every UTC day touched by [from, to), with the counts of `rows` (day, action, count).
fn daily_trend(from: DateTime<Utc>, to: DateTime<Utc>, rows: &[(String, String, i64)]) -> Vec<Day> {
    let first = from.date_naive();
    let last = (to - Duration::microseconds(1)).date_naive();
    let mut days: Vec<Day> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d: NaiveDate| Day {
            date: d.format("%Y-%m-%d").to_string(),
            total: 0,
            block: 0,
            coach: 0,
            log: 0,
            allow: 0,
        })
        .collect();
    for (date, action, count) in rows {
        if let Some(day) = days.iter_mut().find(|d| &d.date == date) {
            day.total += count;
            match action.as_str() {
                "block" => day.block += count,
                "coach" => day.coach += count,
                "log" => day.log += count,
                _ => day.allow += count,
            }
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trend_covers_every_day_of_the_range() {
        let from = "2026-03-01T12:00:00Z".parse().unwrap();
        let to = "2026-03-04T00:00:00Z".parse().unwrap();
        let rows = vec![
            ("2026-03-02".to_string(), "block".to_string(), 2),
            ("2026-03-02".to_string(), "allow".to_string(), 3),
        ];
        let days = daily_trend(from, to, &rows);
        let dates: Vec<&str> = days.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, ["2026-03-01", "2026-03-02", "2026-03-03"]);
        assert_eq!((days[1].total, days[1].block, days[1].allow), (5, 2, 3));
    }
}
