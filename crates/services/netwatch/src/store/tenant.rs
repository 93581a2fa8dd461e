//! The tenant's data as a whole: read page by page for the GDPR export, and erased from every
//! netwatch table at once (`DELETE /tenant`).

use anyhow::Context;
use platform::on_db;
use uuid::Uuid;

use super::NetwatchStore;
use crate::model::{AlertRow, LicenseRow};

/// Every netwatch table holding tenant rows, children first (the order erasure deletes in).
pub const TENANT_TABLES: &[&str] = &[
    "netwatch_suppressions",
    "netwatch_trail_entries",
    "netwatch_alerts",
    "netwatch_whitelist",
    "netwatch_rule_overrides",
    "netwatch_refresh_tokens",
    "netwatch_agents",
    "netwatch_licenses",
    "netwatch_settings",
    "netwatch_billing",
];

/// One proof-trail entry with its trace, as the export lists them.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ExportedEntry {
    #[serde(skip)]
    pub trace_id: Uuid,
    pub seq: i64,
    pub kind: String,
    pub recorded_at: String,
    /// The entry's RFC 8785 text, `data` included (so `data` is not read twice).
    pub canonical: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A suppression as exported (all of them, expired too).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ExportedSuppression {
    pub id: Uuid,
    pub alert_id: Uuid,
    pub rule_name: String,
    pub source_ip: String,
    pub dest_ip: Option<String>,
    pub until: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl NetwatchStore {
    /// Up to `limit` alerts with ids above `after`, by id.
    pub async fn alerts_after(
        &self,
        tenant_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> anyhow::Result<Vec<AlertRow>> {
        let sql = concat!(
            "SELECT ",
            alert_columns!(),
            " FROM netwatch_alerts WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(after.unwrap_or(Uuid::nil()))
            .bind(limit)
            .fetch_all(p)
            .await)
        .context("reading alerts for the export")
    }

    /// Up to `limit` trail entries after `(trace, seq)`, by trace then seq.
    pub async fn trail_entries_after(
        &self,
        tenant_id: Uuid,
        after: Option<(Uuid, i64)>,
        limit: i64,
    ) -> anyhow::Result<Vec<ExportedEntry>> {
        let sql = "SELECT trace_id, seq, kind, recorded_at, canonical, prev_hash, hash FROM netwatch_trail_entries \
                   WHERE tenant_id = $1 AND (trace_id, seq) > ($2, $3) ORDER BY trace_id, seq LIMIT $4";
        // Keyset pages (a range on the (tenant, trace, seq) index); the nil id sorts first.
        let (trace, seq) = after.unwrap_or((Uuid::nil(), i64::MIN));
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(trace)
            .bind(seq)
            .bind(limit)
            .fetch_all(p)
            .await)
        .context("reading proof trails for the export")
    }

    pub async fn licenses(&self, tenant_id: Uuid) -> anyhow::Result<Vec<LicenseRow>> {
        let sql = "SELECT id, tenant_id, key_prefix, plan, status, expires_at, created_at FROM netwatch_licenses \
                   WHERE tenant_id = $1 ORDER BY created_at, id";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("listing licences")
    }

    pub async fn suppressions(&self, tenant_id: Uuid) -> anyhow::Result<Vec<ExportedSuppression>> {
        let sql = "SELECT id, alert_id, rule_name, source_ip, dest_ip, until, created_at FROM netwatch_suppressions \
                   WHERE tenant_id = $1 ORDER BY created_at, id";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("listing suppressions")
    }

    /// Rows the tenant holds in each netwatch table.
    pub async fn tenant_row_counts(
        &self,
        tenant_id: Uuid,
    ) -> anyhow::Result<Vec<(&'static str, i64)>> {
        let mut counts = Vec::with_capacity(TENANT_TABLES.len());
        for table in TENANT_TABLES {
            // Table names come from TENANT_TABLES, never from input.
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = $1");
            let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(tenant_id)
            .fetch_one(p)
            .await)
            .with_context(|| format!("counting {table}"))?;
            counts.push((*table, n));
        }
        Ok(counts)
    }

    /// Deletes every row of the tenant from every netwatch table in one transaction; returns
    /// how many rows each table lost.
    pub async fn erase_tenant(&self, tenant_id: Uuid) -> anyhow::Result<Vec<(&'static str, u64)>> {
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            let mut erased = Vec::with_capacity(TENANT_TABLES.len());
            for table in TENANT_TABLES {
                let sql = format!("DELETE FROM {table} WHERE tenant_id = $1");
                let n = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(tenant_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                erased.push((*table, n));
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(erased)
        })
        .context("erasing the tenant")
    }
}
