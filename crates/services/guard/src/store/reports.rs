//! Read-only aggregates over guard's tables: the dashboard statistics and the shadow-AI
//! inventory.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::http::pagination::Page;
use platform::store::{Backend, Filter};
use platform::{bind_args, on_db};
use uuid::Uuid;

use super::GuardStore;

/// Everything the dashboard counts over one tenant and period.
pub struct StatsCounts {
    pub interactions: i64,
    pub distinct_users: i64,
    pub platforms: i64,
    pub mean_risk: f64,
    pub alerts: i64,
    pub by_action: Vec<(String, i64)>,
    pub by_band: Vec<(String, i64)>,
    pub by_platform: Vec<(String, i64)>,
    pub by_type: Vec<(String, i64)>,
    /// (policy id, its name if it still exists, interactions it decided).
    pub policy_hits: Vec<(Uuid, Option<String>, i64)>,
    /// (YYYY-MM-DD, action, count).
    pub daily: Vec<(String, String, i64)>,
}

/// One AI platform's usage by the tenant.
#[derive(sqlx::FromRow)]
pub struct PlatformRow {
    pub platform_id: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub interactions: i64,
    pub distinct_users: i64,
    pub max_risk: f64,
    pub mean_risk: f64,
    pub blocked: i64,
    pub coached: i64,
    pub logged: i64,
    pub allowed: i64,
}

impl GuardStore {
    /// The UTC day of `created_at`, as YYYY-MM-DD (the one expression written per backend).
    fn day_expr(&self) -> &'static str {
        match self.db.backend() {
            Backend::Sqlite => "substr(created_at, 1, 10)",
            Backend::Postgres => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        }
    }

    async fn grouped(
        &self,
        column: &str,
        table: &str,
        filter: &Filter,
    ) -> anyhow::Result<Vec<(String, i64)>> {
        let sql = format!(
            "SELECT {column}, COUNT(*) FROM {table}{} GROUP BY {column} ORDER BY COUNT(*) DESC, 1",
            filter.where_sql()
        );
        on_db!(&self.db, |p| bind_args!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
            &filter.args
        )
        .fetch_all(p)
        .await)
        .with_context(|| format!("grouping {table} by {column}"))
    }

    /// The dashboard's counts for [from, to).
    pub async fn stats_counts(
        &self,
        tenant_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> anyhow::Result<StatsCounts> {
        let db = &self.db;
        let filter = Filter::new()
            .eq("tenant_id", tenant_id)
            .cmp("created_at", ">=", from)
            .cmp("created_at", "<", to);
        let where_sql = filter.where_sql();
        let totals_sql = format!(
            "SELECT COUNT(*), COUNT(DISTINCT user_id), COUNT(DISTINCT platform_id), COALESCE(AVG(risk_score), 0.0) \
             FROM guard_interactions{where_sql}"
        );
        let (interactions, distinct_users, platforms, mean_risk): (i64, i64, i64, f64) =
            on_db!(db, |p| bind_args!(
                sqlx::query_as(sqlx::AssertSqlSafe(totals_sql.clone())),
                &filter.args
            )
            .fetch_one(p)
            .await)
            .context("totalling interactions")?;
        let alerts_sql = format!("SELECT COUNT(*) FROM guard_alerts{where_sql}");
        let alerts: i64 = on_db!(db, |p| bind_args!(
            sqlx::query_scalar(sqlx::AssertSqlSafe(alerts_sql.clone())),
            &filter.args
        )
        .fetch_one(p)
        .await)
        .context("counting alerts")?;
        let policy_sql = "SELECT i.policy_id, p.name, COUNT(*) FROM guard_interactions i \
             LEFT JOIN guard_policies p ON p.id = i.policy_id \
             WHERE i.tenant_id = $1 AND i.created_at >= $2 AND i.created_at < $3 AND i.policy_id IS NOT NULL \
             GROUP BY i.policy_id, p.name ORDER BY COUNT(*) DESC";
        let policy_hits = on_db!(db, |p| bind_args!(sqlx::query_as(policy_sql), &filter.args)
            .fetch_all(p)
            .await)
        .context("counting policy decisions")?;
        let day = self.day_expr();
        let daily_sql = format!(
            "SELECT {day}, action, COUNT(*) FROM guard_interactions{where_sql} GROUP BY {day}, action"
        );
        let daily = on_db!(db, |p| bind_args!(
            sqlx::query_as(sqlx::AssertSqlSafe(daily_sql.clone())),
            &filter.args
        )
        .fetch_all(p)
        .await)
        .context("counting interactions per day")?;
        Ok(StatsCounts {
            interactions,
            distinct_users,
            platforms,
            mean_risk,
            alerts,
            by_action: self
                .grouped("action", "guard_interactions", &filter)
                .await?,
            by_band: self
                .grouped("risk_band", "guard_interactions", &filter)
                .await?,
            by_platform: self
                .grouped("platform_id", "guard_interactions", &filter)
                .await?,
            by_type: self.grouped("kind", "guard_findings", &filter).await?,
            policy_hits,
            daily,
        })
    }

    /// The AI platforms the tenant used in the optional range, most used first, one page, with
    /// the number of platforms.
    pub async fn platforms_page(
        &self,
        tenant_id: Uuid,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        page: Page,
    ) -> anyhow::Result<(Vec<PlatformRow>, u64)> {
        let filter = Filter::new()
            .eq("tenant_id", tenant_id)
            .cmp_opt("created_at", ">=", from)
            .cmp_opt("created_at", "<", to);
        let n = filter.next_placeholder();
        let sql = format!(
            "SELECT platform_id, MIN(created_at) AS first_seen, MAX(created_at) AS last_seen, COUNT(*) AS interactions, \
             COUNT(DISTINCT user_id) AS distinct_users, MAX(risk_score) AS max_risk, AVG(risk_score) AS mean_risk, \
             SUM(CASE WHEN action = 'block' THEN 1 ELSE 0 END) AS blocked, SUM(CASE WHEN action = 'coach' THEN 1 ELSE 0 END) AS coached, \
             SUM(CASE WHEN action = 'log' THEN 1 ELSE 0 END) AS logged, SUM(CASE WHEN action = 'allow' THEN 1 ELSE 0 END) AS allowed \
             FROM guard_interactions{} GROUP BY platform_id ORDER BY COUNT(*) DESC, platform_id LIMIT ${n} OFFSET ${}",
            filter.where_sql(),
            n + 1
        );
        let count = format!(
            "SELECT COUNT(DISTINCT platform_id) FROM guard_interactions{}",
            filter.where_sql()
        );
        let db = &self.db;
        let rows = on_db!(db, |p| bind_args!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
            &filter.args
        )
        .bind(page.limit as i64)
        .bind(page.offset() as i64)
        .fetch_all(p)
        .await)
        .context("listing AI platforms")?;
        let total: i64 = on_db!(db, |p| bind_args!(
            sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone())),
            &filter.args
        )
        .fetch_one(p)
        .await)
        .context("counting AI platforms")?;
        Ok((rows, total.max(0) as u64))
    }
}
