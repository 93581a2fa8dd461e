//! netwatch_settings and netwatch_billing: one row per tenant each.

use anyhow::Context;
use platform::on_db;
use platform::store;
use uuid::Uuid;

use super::NetwatchStore;
use crate::model::{BillingRow, ComplianceSettings};

macro_rules! settings_columns {
    () => {
        "entity_name, entity_type, sector, member_state, csirt_contact, dpo_contact, irp_reference, irp_reviewed_at, \
         supply_chain_assessed, supply_chain_assessed_at, mfa_enforced, mfa_attested_at, updated_by, updated_at"
    };
}

impl NetwatchStore {
    /// The tenant's settings (all unset before the first `PUT /compliance/settings`).
    pub async fn compliance_settings(&self, tenant_id: Uuid) -> anyhow::Result<ComplianceSettings> {
        let sql = concat!(
            "SELECT ",
            settings_columns!(),
            " FROM netwatch_settings WHERE tenant_id = $1"
        );
        let row: Option<ComplianceSettings> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading compliance settings")?;
        Ok(row.unwrap_or_default())
    }

    pub async fn put_compliance_settings(
        &self,
        tenant_id: Uuid,
        s: &ComplianceSettings,
    ) -> anyhow::Result<()> {
        let sql = concat!(
            "INSERT INTO netwatch_settings (tenant_id, ",
            settings_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (tenant_id) DO UPDATE SET entity_name = $2, entity_type = $3, sector = $4, member_state = $5, \
             csirt_contact = $6, dpo_contact = $7, irp_reference = $8, irp_reviewed_at = $9, supply_chain_assessed = $10, \
             supply_chain_assessed_at = $11, mfa_enforced = $12, mfa_attested_at = $13, updated_by = $14, updated_at = $15"
        );
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(tenant_id)
            .bind(&s.entity_name)
            .bind(&s.entity_type)
            .bind(&s.sector)
            .bind(&s.member_state)
            .bind(&s.csirt_contact)
            .bind(&s.dpo_contact)
            .bind(&s.irp_reference)
            .bind(s.irp_reviewed_at)
            .bind(s.supply_chain_assessed)
            .bind(s.supply_chain_assessed_at)
            .bind(s.mfa_enforced)
            .bind(s.mfa_attested_at)
            .bind(s.updated_by.as_deref().unwrap_or(""))
            .bind(s.updated_at.unwrap_or_else(store::now))
            .execute(p)
            .await
            .map(|_| ()))
        .context("storing compliance settings")
    }

    pub async fn billing(&self, tenant_id: Uuid) -> anyhow::Result<Option<BillingRow>> {
        let sql = "SELECT stripe_customer_id, subscription_id, plan, billing_cycle, status, current_period_end \
                   FROM netwatch_billing WHERE tenant_id = $1";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading billing state")
    }

    /// Records the tenant's Stripe customer (kept if one is already recorded); returns the one kept.
    pub async fn set_stripe_customer(
        &self,
        tenant_id: Uuid,
        customer: &str,
    ) -> anyhow::Result<String> {
        let insert = "INSERT INTO netwatch_billing (tenant_id, stripe_customer_id, updated_at) VALUES ($1, $2, $3) \
                      ON CONFLICT (tenant_id) DO NOTHING";
        on_db!(&self.db, |p| sqlx::query(insert)
            .bind(tenant_id)
            .bind(customer)
            .bind(store::now())
            .execute(p)
            .await
            .map(|_| ()))
        .context("recording the Stripe customer")?;
        Ok(self
            .billing(tenant_id)
            .await?
            .map_or_else(|| customer.to_string(), |b| b.stripe_customer_id))
    }

    /// Stores what Stripe says of the subscription; an active one sets the plan of the tenant's
    /// usable licences (so agents get the plan's rule coverage at their next heartbeat), and an
    /// ended one (canceled, unpaid, incomplete_expired) puts them back on the free plan.
    pub async fn record_subscription(&self, tenant_id: Uuid, b: &BillingRow) -> anyhow::Result<()> {
        let update = "UPDATE netwatch_billing SET subscription_id = $2, plan = $3, billing_cycle = $4, status = $5, \
                      current_period_end = $6, updated_at = $7 WHERE tenant_id = $1";
        let plan =
            "UPDATE netwatch_licenses SET plan = $2 WHERE tenant_id = $1 AND status = 'active'";
        let active = matches!(b.status.as_deref(), Some("active" | "trialing"));
        let ended = matches!(
            b.status.as_deref(),
            Some("canceled" | "unpaid" | "incomplete_expired")
        );
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(update)
                .bind(tenant_id)
                .bind(&b.subscription_id)
                .bind(&b.plan)
                .bind(&b.billing_cycle)
                .bind(&b.status)
                .bind(b.current_period_end)
                .bind(store::now())
                .execute(&mut *tx)
                .await?;
            let applied = match (active, ended, &b.plan) {
                (true, _, Some(p)) => Some(p.as_str()),
                (_, true, _) => Some("free"),
                _ => None,
            };
            if let Some(p) = applied {
                sqlx::query(plan)
                    .bind(tenant_id)
                    .bind(p)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
        .context("recording the subscription")
    }
}
