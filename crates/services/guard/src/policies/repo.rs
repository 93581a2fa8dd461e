//! Storage of guard policies, always scoped by tenant.

use chrono::{DateTime, Utc};
use platform::on_db;
use platform::store::{self, Db};
use uuid::Uuid;

use super::rules::Rules;

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

#[derive(Debug)]
pub enum WriteError {
    DuplicateName,
    Other(sqlx::Error),
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> Self {
        if store::is_unique_violation(&e) {
            WriteError::DuplicateName
        } else {
            WriteError::Other(e)
        }
    }
}

macro_rules! columns {
    () => {
        "id, tenant_id, name, description, rules, enabled, priority, created_at, updated_at"
    };
}

pub async fn insert(db: &Db, row: &PolicyRow) -> Result<(), WriteError> {
    let sql = concat!(
        "INSERT INTO guard_policies (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    on_db!(db, p => sqlx::query(sql)
        .bind(row.id).bind(row.tenant_id).bind(&row.name).bind(&row.description).bind(&row.rules)
        .bind(row.enabled).bind(row.priority).bind(row.created_at).bind(row.updated_at)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn update(db: &Db, row: &PolicyRow) -> Result<bool, WriteError> {
    let sql = "UPDATE guard_policies SET name = $1, description = $2, rules = $3, enabled = $4, priority = $5, updated_at = $6 \
               WHERE id = $7 AND tenant_id = $8";
    let n = on_db!(db, p => sqlx::query(sql)
        .bind(&row.name).bind(&row.description).bind(&row.rules).bind(row.enabled).bind(row.priority)
        .bind(row.updated_at).bind(row.id).bind(row.tenant_id)
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(db: &Db, tenant_id: Uuid, id: Uuid) -> Result<Option<PolicyRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM guard_policies WHERE id = $1 AND tenant_id = $2"
    );
    on_db!(db, p => sqlx::query_as::<_, PolicyRow>(sql).bind(id).bind(tenant_id).fetch_optional(p).await)
}

/// The tenant's policies in evaluation order (priority, then age), one page, with the total.
pub async fn page(
    db: &Db,
    tenant_id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PolicyRow>, i64), sqlx::Error> {
    let list = concat!(
        "SELECT ", columns!(),
        " FROM guard_policies WHERE tenant_id = $1 ORDER BY priority, created_at, id LIMIT $2 OFFSET $3"
    );
    let count = "SELECT COUNT(*) FROM guard_policies WHERE tenant_id = $1";
    let rows = on_db!(db, p => sqlx::query_as::<_, PolicyRow>(list).bind(tenant_id).bind(limit).bind(offset).fetch_all(p).await)?;
    let (total,): (i64,) =
        on_db!(db, p => sqlx::query_as(count).bind(tenant_id).fetch_one(p).await)?;
    Ok((rows, total))
}

pub async fn delete(db: &Db, tenant_id: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = "DELETE FROM guard_policies WHERE id = $1 AND tenant_id = $2";
    let n = on_db!(db, p => sqlx::query(sql).bind(id).bind(tenant_id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The tenant's enabled policies in evaluation order, ready to evaluate.
pub async fn enabled(
    db: &Db,
    tenant_id: Uuid,
) -> Result<Vec<super::evaluate::Candidate>, sqlx::Error> {
    let sql = concat!(
        "SELECT ", columns!(),
        " FROM guard_policies WHERE tenant_id = $1 AND enabled = TRUE ORDER BY priority, created_at, id"
    );
    let rows =
        on_db!(db, p => sqlx::query_as::<_, PolicyRow>(sql).bind(tenant_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|r| super::evaluate::Candidate {
            rules: r.rules(),
            id: r.id,
            name: r.name,
            priority: r.priority,
        })
        .collect())
}
