//! netwatch_licenses: agent licence keys, stored as SHA-256 hashes.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::on_db;
use platform::store;
use uuid::Uuid;

use super::NetwatchStore;
use crate::model::LicenseRow;

macro_rules! license_columns {
    () => {
        "id, tenant_id, key_prefix, plan, status, expires_at, created_at"
    };
}

impl NetwatchStore {
    pub async fn create_license(
        &self,
        tenant_id: Uuid,
        key_hash: &[u8],
        key_prefix: &str,
        plan: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<LicenseRow> {
        let row = LicenseRow {
            id: Uuid::new_v4(),
            tenant_id,
            key_prefix: key_prefix.into(),
            plan: plan.into(),
            status: "active".into(),
            expires_at,
            created_at: store::now(),
        };
        let sql = "INSERT INTO netwatch_licenses (id, tenant_id, key_hash, key_prefix, plan, status, expires_at, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(row.id)
            .bind(row.tenant_id)
            .bind(key_hash)
            .bind(&row.key_prefix)
            .bind(&row.plan)
            .bind(&row.status)
            .bind(row.expires_at)
            .bind(row.created_at)
            .execute(p)
            .await
            .map(|_| ()))
        .context("storing a licence")?;
        Ok(row)
    }

    pub async fn license_by_hash(&self, key_hash: &[u8]) -> anyhow::Result<Option<LicenseRow>> {
        let sql = concat!(
            "SELECT ",
            license_columns!(),
            " FROM netwatch_licenses WHERE key_hash = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(key_hash)
            .fetch_optional(p)
            .await)
        .context("reading a licence")
    }

    pub async fn license(&self, id: Uuid) -> anyhow::Result<Option<LicenseRow>> {
        let sql = concat!(
            "SELECT ",
            license_columns!(),
            " FROM netwatch_licenses WHERE id = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)
        .context("reading a licence")
    }

    /// Revokes a tenant's licence; false when it has none of that id.
    pub async fn revoke_license(&self, tenant_id: Uuid, id: Uuid) -> anyhow::Result<bool> {
        let sql =
            "UPDATE netwatch_licenses SET status = 'revoked' WHERE id = $1 AND tenant_id = $2";
        let done = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("revoking a licence")?;
        Ok(done == 1)
    }
}
