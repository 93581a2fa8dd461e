//! Session rows. The final transition is conditional (only a live session is finished), so
//! two destroyers racing on one session cannot both win; a running command is tracked in
//! memory by the node that runs it, not written per exec.

use chrono::{DateTime, Utc};
use platform::on_db;
use platform::store::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub customer_id: String,
    pub node: String,
    pub status: String,
    pub data_classification: String,
    pub ttl_seconds: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub destroyed_at: Option<DateTime<Utc>>,
}

/// The stored status of a live session; `executing` is never stored (see the module comment).
pub const LIVE: &str = "active";

macro_rules! columns {
    () => {
        "id, customer_id, node, status, data_classification, ttl_seconds, created_at, expires_at, destroyed_at"
    };
}

pub async fn insert(db: &Db, row: &SessionRow) -> anyhow::Result<()> {
    let sql = concat!(
        "INSERT INTO enclave_sessions (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    on_db!(db, |p| sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.customer_id)
        .bind(&row.node)
        .bind(&row.status)
        .bind(&row.data_classification)
        .bind(row.ttl_seconds)
        .bind(row.created_at)
        .bind(row.expires_at)
        .bind(row.destroyed_at)
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The customer's session `id`; another customer's is `None`, as if it did not exist.
pub async fn get(db: &Db, customer_id: &str, id: &str) -> anyhow::Result<Option<SessionRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM enclave_sessions WHERE id = $1 AND customer_id = $2"
    );
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(id)
        .bind(customer_id)
        .fetch_optional(p)
        .await)?)
}

/// Live sessions this node holds (after a restart: the ones to recover).
pub async fn live_on_node(db: &Db, node: &str) -> anyhow::Result<Vec<SessionRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM enclave_sessions WHERE node = $1 AND status = 'active'"
    );
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(node)
        .fetch_all(p)
        .await)?)
}

pub async fn live_count(db: &Db, customer_id: &str) -> anyhow::Result<u64> {
    let sql = "SELECT COUNT(*) FROM enclave_sessions WHERE customer_id = $1 AND status = 'active'";
    let (n,): (i64,) = on_db!(db, |p| sqlx::query_as(sql)
        .bind(customer_id)
        .fetch_one(p)
        .await)?;
    Ok(n as u64)
}

/// What destroying a session stores, in one transaction.
pub struct Finished<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub status: &'a str,
    pub destroyed_at: DateTime<Utc>,
    pub document: String,
    pub evidence: String,
    pub clean: bool,
    pub key_id: &'a str,
    pub public_key: &'a str,
}

pub async fn finish(db: &Db, f: &Finished<'_>) -> anyhow::Result<()> {
    let result: Result<(), sqlx::Error> = on_db!(db, |p| {
        async {
        let mut tx = p.begin().await?;
        sqlx::query("UPDATE enclave_sessions SET status = $1, destroyed_at = $2 WHERE id = $3 AND status = 'active'")
            .bind(f.status).bind(f.destroyed_at).bind(f.id).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO enclave_proofs (session_id, customer_id, document, evidence, clean, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(f.id).bind(f.customer_id).bind(&f.document).bind(&f.evidence).bind(f.clean).bind(f.destroyed_at)
            .execute(&mut *tx).await?;
        sqlx::query("INSERT INTO enclave_keys (key_id, session_id, algorithm, public_key, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(f.key_id).bind(f.id).bind(proof::cdp::ALGORITHM).bind(f.public_key).bind(f.destroyed_at)
            .execute(&mut *tx).await?;
        tx.commit().await
    }.await
    });
    Ok(result?)
}
