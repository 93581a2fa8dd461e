//! guard_policies: the tenant's block / coach / log policies.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::http::pagination::Page;
use platform::on_db;
use platform::store::is_unique_violation;
use uuid::Uuid;

use super::GuardStore;
use crate::model::evaluate::Candidate;
use crate::model::rules::Rules;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub description: String,
    pub rules: String,
    pub enabled: bool,
    pub priority: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PolicyRow {
    pub fn rules(&self) -> Rules {
        serde_json::from_str(&self.rules).expect("stored rules were validated")
    }
}

/// Why a policy write failed.
#[derive(Debug)]
pub enum WriteError {
    DuplicateName,
    Other(anyhow::Error),
}

fn write_error(e: sqlx::Error, what: &'static str) -> WriteError {
    if is_unique_violation(&e) {
        WriteError::DuplicateName
    } else {
        WriteError::Other(anyhow::Error::new(e).context(what))
    }
}

macro_rules! columns {
    () => {
        "id, tenant_id, name, description, rules, enabled, priority, created_at, updated_at"
    };
}

impl GuardStore {
    pub async fn insert_policy(&self, row: &PolicyRow) -> Result<(), WriteError> {
        let sql = concat!(
            "INSERT INTO guard_policies (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(row.id)
            .bind(row.tenant_id)
            .bind(&row.name)
            .bind(&row.description)
            .bind(&row.rules)
            .bind(row.enabled)
            .bind(row.priority)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(|e| write_error(e, "inserting a policy"))
    }

    /// False when the tenant has no such policy.
    pub async fn update_policy(&self, row: &PolicyRow) -> Result<bool, WriteError> {
        let sql = "UPDATE guard_policies SET name = $1, description = $2, rules = $3, enabled = $4, priority = $5, \
                   updated_at = $6 WHERE id = $7 AND tenant_id = $8";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&row.name)
            .bind(&row.description)
            .bind(&row.rules)
            .bind(row.enabled)
            .bind(row.priority)
            .bind(row.updated_at)
            .bind(row.id)
            .bind(row.tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .map_err(|e| write_error(e, "updating a policy"))?;
        Ok(n == 1)
    }

    pub async fn policy(&self, tenant_id: Uuid, id: Uuid) -> anyhow::Result<Option<PolicyRow>> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM guard_policies WHERE id = $1 AND tenant_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading a policy")
    }

    /// The tenant's policies in evaluation order (priority, then age), one page, with the total.
    pub async fn policies_page(
        &self,
        tenant_id: Uuid,
        page: Page,
    ) -> anyhow::Result<(Vec<PolicyRow>, u64)> {
        let list = concat!(
            "SELECT ",
            columns!(),
            " FROM guard_policies WHERE tenant_id = $1 ORDER BY priority, created_at, id LIMIT $2 OFFSET $3"
        );
        let rows = on_db!(&self.db, |p| sqlx::query_as(list)
            .bind(tenant_id)
            .bind(page.limit as i64)
            .bind(page.offset() as i64)
            .fetch_all(p)
            .await)
        .context("listing policies")?;
        Ok((rows, self.policy_count(tenant_id).await?))
    }

    /// How many policies the tenant has.
    pub async fn policy_count(&self, tenant_id: Uuid) -> anyhow::Result<u64> {
        let sql = "SELECT COUNT(*) FROM guard_policies WHERE tenant_id = $1";
        let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(sql)
            .bind(tenant_id)
            .fetch_one(p)
            .await)
        .context("counting policies")?;
        Ok(n.max(0) as u64)
    }

    /// False when the tenant has no such policy.
    pub async fn delete_policy(&self, tenant_id: Uuid, id: Uuid) -> anyhow::Result<bool> {
        let sql = "DELETE FROM guard_policies WHERE id = $1 AND tenant_id = $2";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("deleting a policy")?;
        Ok(n == 1)
    }

    /// The tenant's enabled policies in evaluation order, ready to evaluate.
    pub async fn enabled_policies(&self, tenant_id: Uuid) -> anyhow::Result<Vec<Candidate>> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM guard_policies WHERE tenant_id = $1 AND enabled = TRUE ORDER BY priority, created_at, id"
        );
        let rows: Vec<PolicyRow> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("loading enabled policies")?;
        Ok(rows
            .into_iter()
            .map(|r| Candidate {
                rules: r.rules(),
                id: r.id,
                name: r.name,
                priority: r.priority,
            })
            .collect())
    }
}
