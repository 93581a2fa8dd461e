//! Aggregates over netwatch_alerts for the analytics and compliance endpoints. Self-test alerts
//! are left out of every figure here.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::on_db;
use platform::store::Db;
use uuid::Uuid;

use super::NetwatchStore;

/// Counts and triage times over all of a tenant's (real) alerts.
#[derive(Debug, Default)]
pub struct AlertTotals {
    pub by_status: Vec<(String, i64)>,
    /// Mean seconds from arrival to the first triage, over alerts triaged at least once.
    pub mean_secs_to_triage: Option<f64>,
    pub triaged: i64,
    /// Mean seconds from arrival to resolution (resolved or false positive).
    pub mean_secs_to_resolve: Option<f64>,
    pub resolved: i64,
}

/// Alerts per day (Unix day number) and severity.
pub struct DayCount {
    pub day: i64,
    pub severity: String,
    pub count: i64,
}

pub struct RuleCount {
    pub rule_name: String,
    pub count: i64,
    pub open: i64,
    pub last_ts: i64,
}

/// One unresolved alert, as device risk weighs it.
#[derive(sqlx::FromRow)]
pub struct UnresolvedAlert {
    pub agent: Uuid,
    pub severity: String,
    pub score: f64,
}

/// Seconds between two timestamp columns, in each backend's dialect (literal column names
/// only: the result is spliced into SQL).
fn seconds_between(db: &Db, from: &str, to: &str) -> String {
    match db {
        Db::Sqlite(_) => format!("(julianday({to}) - julianday({from})) * 86400.0"),
        Db::Postgres(_) => format!("EXTRACT(EPOCH FROM ({to} - {from}))::float8"),
    }
}

impl NetwatchStore {
    pub async fn alert_totals(&self, tenant_id: Uuid) -> anyhow::Result<AlertTotals> {
        let by_status =
            "SELECT status, COUNT(*) FROM netwatch_alerts WHERE tenant_id = $1 AND self_test = $2 \
                         GROUP BY status ORDER BY status";
        let times = format!(
            "SELECT AVG({}), COUNT(triaged_at), AVG({}), COUNT(resolved_at) FROM netwatch_alerts \
             WHERE tenant_id = $1 AND self_test = $2",
            seconds_between(&self.db, "created_at", "triaged_at"),
            seconds_between(&self.db, "created_at", "resolved_at"),
        );
        on_db!(&self.db, |p| {
            let statuses: Vec<(String, i64)> = sqlx::query_as(by_status)
                .bind(tenant_id)
                .bind(false)
                .fetch_all(p)
                .await?;
            let (triage, triaged, resolve, resolved): (Option<f64>, i64, Option<f64>, i64) =
                sqlx::query_as(sqlx::AssertSqlSafe(times.clone()))
                    .bind(tenant_id)
                    .bind(false)
                    .fetch_one(p)
                    .await?;
            Ok::<_, sqlx::Error>(AlertTotals {
                by_status: statuses,
                mean_secs_to_triage: triage,
                triaged,
                mean_secs_to_resolve: resolve,
                resolved,
            })
        })
        .context("totalling alerts")
    }

    /// Alerts detected on or after Unix day `first_day`, per day and severity.
    pub async fn alerts_per_day(
        &self,
        tenant_id: Uuid,
        first_day: i64,
    ) -> anyhow::Result<Vec<DayCount>> {
        let sql = "SELECT ts / 86400 AS day, severity, COUNT(*) FROM netwatch_alerts \
                   WHERE tenant_id = $1 AND self_test = $2 AND ts >= $3 GROUP BY ts / 86400, severity";
        let rows: Vec<(i64, String, i64)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(false)
            .bind(first_day * 86_400)
            .fetch_all(p)
            .await)
        .context("counting alerts per day")?;
        Ok(rows
            .into_iter()
            .map(|(day, severity, count)| DayCount {
                day,
                severity,
                count,
            })
            .collect())
    }

    /// (severity, all alerts, open alerts).
    pub async fn severity_counts(
        &self,
        tenant_id: Uuid,
    ) -> anyhow::Result<Vec<(String, i64, i64)>> {
        let sql = "SELECT severity, COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) FROM netwatch_alerts \
                   WHERE tenant_id = $1 AND self_test = $2 GROUP BY severity";
        let rows: Vec<(String, i64, Option<i64>)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(false)
            .fetch_all(p)
            .await)
        .context("counting alerts per severity")?;
        Ok(rows
            .into_iter()
            .map(|(s, n, open)| (s, n, open.unwrap_or(0)))
            .collect())
    }

    /// The `limit` most-triggered rules, most first (ties by name).
    pub async fn top_rules(&self, tenant_id: Uuid, limit: i64) -> anyhow::Result<Vec<RuleCount>> {
        let sql = "SELECT rule_name, COUNT(*) AS n, SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), MAX(ts) \
                   FROM netwatch_alerts WHERE tenant_id = $1 AND self_test = $2 \
                   GROUP BY rule_name ORDER BY n DESC, rule_name LIMIT $3";
        let rows: Vec<(String, i64, Option<i64>, i64)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(false)
            .bind(limit)
            .fetch_all(p)
            .await)
        .context("ranking rules")?;
        Ok(rows
            .into_iter()
            .map(|(rule_name, count, open, last_ts)| RuleCount {
                rule_name,
                count,
                open: open.unwrap_or(0),
                last_ts,
            })
            .collect())
    }

    /// Open and reviewed alerts detected since `since` (Unix seconds).
    pub async fn unresolved_alerts(
        &self,
        tenant_id: Uuid,
        since: i64,
    ) -> anyhow::Result<Vec<UnresolvedAlert>> {
        let sql = "SELECT agent, severity, score FROM netwatch_alerts WHERE tenant_id = $1 AND self_test = $2 \
                   AND status IN ('open', 'reviewed') AND ts >= $3";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(false)
            .bind(since)
            .fetch_all(p)
            .await)
        .context("reading unresolved alerts")
    }

    /// CRITICAL and HIGH alerts still open that arrived before `before`: (count, oldest).
    pub async fn stale_urgent_alerts(
        &self,
        tenant_id: Uuid,
        before: DateTime<Utc>,
    ) -> anyhow::Result<(i64, Option<DateTime<Utc>>)> {
        let sql = "SELECT COUNT(*), MIN(created_at) FROM netwatch_alerts WHERE tenant_id = $1 AND self_test = $2 \
                   AND status = 'open' AND severity IN ('CRITICAL', 'HIGH') AND created_at < $3";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(false)
            .bind(before)
            .fetch_one(p)
            .await)
        .context("finding untriaged urgent alerts")
    }

    /// The newest self-test alert since `since` whose trace has entries: (alert id, when, rule).
    pub async fn latest_self_test(
        &self,
        tenant_id: Uuid,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Option<(Uuid, DateTime<Utc>, String)>> {
        let sql = "SELECT a.id, a.created_at, a.rule_name FROM netwatch_alerts a WHERE a.tenant_id = $1 AND a.self_test = $2 \
                   AND a.created_at >= $3 AND EXISTS (SELECT 1 FROM netwatch_trail_entries e WHERE e.trace_id = a.trace_id) \
                   ORDER BY a.created_at DESC LIMIT 1";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(true)
            .bind(since)
            .fetch_optional(p)
            .await)
        .context("finding the latest self-test")
    }
}

impl NetwatchStore {
    /// Open alerts per agent detected since `since`.
    pub async fn open_alerts_per_agent(
        &self,
        tenant_id: Uuid,
        since: i64,
    ) -> anyhow::Result<std::collections::HashMap<Uuid, i64>> {
        let sql =
            "SELECT agent, COUNT(*) FROM netwatch_alerts WHERE tenant_id = $1 AND self_test = $2 \
                   AND status = 'open' AND ts >= $3 GROUP BY agent";
        let rows: Vec<(Uuid, i64)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(false)
            .bind(since)
            .fetch_all(p)
            .await)
        .context("counting open alerts per agent")?;
        Ok(rows.into_iter().collect())
    }
}
