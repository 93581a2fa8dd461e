//! guard_tenant_settings: per-tenant settings (domain, residency, retention, IP allow-list and
//! the sealed signing secret), created with defaults on first use.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::on_db;
use uuid::Uuid;

use super::GuardStore;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SettingsRow {
    pub tenant_id: Uuid,
    pub domain: String,
    pub data_residency: String,
    pub audit_log_retention_days: i32,
    /// JSON list of addresses or networks.
    pub ip_whitelist: String,
    /// Sealed with the master key.
    pub webhook_signing_secret: String,
    pub updated_at: DateTime<Utc>,
}

macro_rules! columns {
    () => {
        "tenant_id, domain, data_residency, audit_log_retention_days, ip_whitelist, webhook_signing_secret, updated_at"
    };
}

impl GuardStore {
    pub async fn tenant_settings(&self, tenant_id: Uuid) -> anyhow::Result<Option<SettingsRow>> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM guard_tenant_settings WHERE tenant_id = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading tenant settings")
    }

    /// Stores `defaults` unless the tenant has settings already; returns what is stored.
    pub async fn tenant_settings_or(&self, defaults: SettingsRow) -> anyhow::Result<SettingsRow> {
        let insert = concat!(
            "INSERT INTO guard_tenant_settings (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id) DO NOTHING"
        );
        on_db!(&self.db, |p| sqlx::query(insert)
            .bind(defaults.tenant_id)
            .bind(&defaults.domain)
            .bind(&defaults.data_residency)
            .bind(defaults.audit_log_retention_days)
            .bind(&defaults.ip_whitelist)
            .bind(&defaults.webhook_signing_secret)
            .bind(defaults.updated_at)
            .execute(p)
            .await
            .map(|_| ()))
        .context("creating tenant settings")?;
        self.tenant_settings(defaults.tenant_id)
            .await?
            .context("tenant settings vanished after their creation")
    }

    /// Writes the changeable settings of `row`.
    pub async fn update_tenant_settings(&self, row: &SettingsRow) -> anyhow::Result<()> {
        let sql =
            "UPDATE guard_tenant_settings SET data_residency = $1, audit_log_retention_days = $2, \
                   ip_whitelist = $3, updated_at = $4 WHERE tenant_id = $5";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&row.data_residency)
            .bind(row.audit_log_retention_days)
            .bind(&row.ip_whitelist)
            .bind(row.updated_at)
            .bind(row.tenant_id)
            .execute(p)
            .await
            .map(|_| ()))
        .context("updating tenant settings")
    }
}
