//! netwatch_rule_overrides and netwatch_suppressions: what `/agents/config` pushes besides the
//! whitelist.

use anyhow::Context;
use platform::on_db;
use platform::store;
use uuid::Uuid;

use super::NetwatchStore;
use crate::model::{RuleOverrideRow, SuppressionRow};

impl NetwatchStore {
    pub async fn rule_overrides(&self, tenant_id: Uuid) -> anyhow::Result<Vec<RuleOverrideRow>> {
        let sql = "SELECT rule_name, enabled, thresholds FROM netwatch_rule_overrides WHERE tenant_id = $1 ORDER BY rule_name";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("reading rule overrides")
    }

    /// Replaces the tenant's overrides with `rows` in one transaction.
    pub async fn set_rule_overrides(
        &self,
        tenant_id: Uuid,
        rows: &[RuleOverrideRow],
    ) -> anyhow::Result<()> {
        let now = store::now();
        let delete = "DELETE FROM netwatch_rule_overrides WHERE tenant_id = $1";
        let insert = "INSERT INTO netwatch_rule_overrides (tenant_id, rule_name, enabled, thresholds, updated_at) VALUES ($1, $2, $3, $4, $5)";
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(delete)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            for r in rows {
                sqlx::query(insert)
                    .bind(tenant_id)
                    .bind(&r.rule_name)
                    .bind(r.enabled)
                    .bind(&r.thresholds)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
        .context("storing rule overrides")
    }

    /// Suppressions still in force.
    pub async fn active_suppressions(
        &self,
        tenant_id: Uuid,
    ) -> anyhow::Result<Vec<SuppressionRow>> {
        let sql = "SELECT rule_name, source_ip, dest_ip, until FROM netwatch_suppressions WHERE tenant_id = $1 AND until > $2 ORDER BY until DESC";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(store::now())
            .fetch_all(p)
            .await)
        .context("reading suppressions")
    }
}
