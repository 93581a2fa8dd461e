//! `GET /api/v1/dashboard/stats`: totals, decisions, platforms, finding types, the risk-band
//! histogram, policy effectiveness and a daily trend over a `from`/`to` range (default: the
//! last 30 days, at most 366).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::Json;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use platform::http::{ApiError, AuthUser};
use platform::store::{Backend, Db, Filter};
use platform::{bind_args, on_db, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::ErrorBody;

const ACTIONS: [&str; 4] = ["block", "coach", "log", "allow"];
const BANDS: [&str; 5] = ["minimal", "low", "medium", "high", "critical"];
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

fn day_expr(db: &Db) -> &'static str {
    match db.backend() {
        Backend::Sqlite => "substr(created_at, 1, 10)",
        Backend::Postgres => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    }
}

async fn grouped(
    db: &Db,
    select: &str,
    table: &str,
    group: &str,
    filter: &Filter,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let sql = format!(
        "SELECT {select}, COUNT(*) FROM {table}{} GROUP BY {group} ORDER BY COUNT(*) DESC, 1",
        filter.where_sql()
    );
    on_db!(db, p => bind_args!(sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql.clone())), &filter.args).fetch_all(p).await)
}

/// Dashboard statistics for the caller's tenant.
#[utoipa::path(get, path = "/api/v1/dashboard/stats", tag = "dashboard", params(StatsRange), security(("bearer" = [])),
    responses((status = 200, body = Stats), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn stats(
    State(state): State<ServiceState>,
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
    let db = state.platform.db();
    let filter = Filter::new()
        .eq("tenant_id", user.tenant_id())
        .cmp("created_at", ">=", from)
        .cmp("created_at", "<", to);
    let where_sql = filter.where_sql();
    let totals_sql = format!(
        "SELECT COUNT(*), COUNT(DISTINCT user_id), COUNT(DISTINCT platform_id), COALESCE(AVG(risk_score), 0.0) FROM guard_interactions{where_sql}"
    );
    let (interactions, distinct_users, platforms, mean_risk): (i64, i64, i64, f64) = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(totals_sql.clone())), &filter.args).fetch_one(p).await)?;
    let alerts_sql = format!("SELECT COUNT(*) FROM guard_alerts{where_sql}");
    let (alerts,): (i64,) = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(alerts_sql.clone())), &filter.args).fetch_one(p).await)?;

    let mut by_action: BTreeMap<String, i64> = ACTIONS.iter().map(|a| (a.to_string(), 0)).collect();
    by_action.extend(grouped(db, "action", "guard_interactions", "action", &filter).await?);
    let mut risk_histogram: BTreeMap<String, i64> =
        BANDS.iter().map(|b| (b.to_string(), 0)).collect();
    risk_histogram
        .extend(grouped(db, "risk_band", "guard_interactions", "risk_band", &filter).await?);
    let as_counts = |rows: Vec<(String, i64)>| {
        rows.into_iter()
            .map(|(key, count)| Count { key, count })
            .collect()
    };
    let by_platform = as_counts(
        grouped(
            db,
            "platform_id",
            "guard_interactions",
            "platform_id",
            &filter,
        )
        .await?,
    );
    let by_type = as_counts(grouped(db, "kind", "guard_findings", "kind", &filter).await?);

    let policy_sql = String::from(
        "SELECT i.policy_id, p.name, COUNT(*) FROM guard_interactions i LEFT JOIN guard_policies p ON p.id = i.policy_id \
         WHERE i.tenant_id = $1 AND i.created_at >= $2 AND i.created_at < $3 AND i.policy_id IS NOT NULL \
         GROUP BY i.policy_id, p.name ORDER BY COUNT(*) DESC"
    );
    let policy_rows: Vec<(Uuid, Option<String>, i64)> = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(policy_sql.clone())), &filter.args).fetch_all(p).await)?;
    let policy_effectiveness = policy_rows
        .into_iter()
        .map(|(policy_id, name, decisions)| PolicyHits {
            policy_id,
            name,
            decisions,
        })
        .collect();

    let day = day_expr(db);
    let daily_sql = format!(
        "SELECT {day}, action, COUNT(*) FROM guard_interactions{where_sql} GROUP BY {day}, action"
    );
    let daily_rows: Vec<(String, String, i64)> = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(daily_sql.clone())), &filter.args).fetch_all(p).await)?;
    Ok(Json(Stats {
        daily: daily_trend(from, to, &daily_rows),
        from,
        to,
        totals: Totals {
            interactions,
            distinct_users,
            platforms,
            alerts,
            mean_risk: (mean_risk * 1000.0).round() / 1000.0,
        },
        by_action,
        by_platform,
        by_type,
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
