//! `EnclaveStore`: the only code that reads or writes enclave's tables (enclave_customers,
//! enclave_sessions, enclave_proofs, enclave_keys). API keys are the platform's, reached
//! through `platform.api_keys()`. Column lists follow the house idiom (`store/mod.rs` of the
//! platform and guard: a `macro_rules!` literal joined with `concat!`).
//!
//! The final transition of a session is conditional (only a live session is finished), so two
//! destroyers racing on one session cannot both win.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::identity::api_keys::RECENT_KEY_TTL;
use platform::on_db;
use platform::store::{is_unique_violation, Db, Recent};
use uuid::Uuid;

use crate::model::{CustomerRow, Finished, SessionRow};
use crate::tiers::Tier;

#[derive(Clone)]
pub struct EnclaveStore {
    db: Db,
    /// Customers read moments ago, by tenant (every request reads its key's customer);
    /// forgotten here when their row changes.
    recent_customers: Recent<Uuid, CustomerRow>,
}

/// A public key as stored, for `GET /v1/keys/:id`.
#[derive(sqlx::FromRow)]
pub struct StoredKey {
    pub key_id: String,
    pub algorithm: String,
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

macro_rules! customer_columns {
    () => {
        "id, email, jurisdiction, tier, created_at"
    };
}

macro_rules! session_columns {
    () => {
        "id, customer_id, node, status, data_classification, ttl_seconds, created_at, expires_at, destroyed_at"
    };
}

impl EnclaveStore {
    pub fn new(db: Db) -> EnclaveStore {
        EnclaveStore {
            db,
            recent_customers: Recent::new(RECENT_KEY_TTL),
        }
    }

    pub async fn customer(&self, id: &str) -> anyhow::Result<Option<CustomerRow>> {
        let sql = concat!(
            "SELECT ",
            customer_columns!(),
            " FROM enclave_customers WHERE id = $1"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)
        .context("reading a customer")
    }

    /// The customer of the tenant an API key belongs to (as read less than
    /// `RECENT_KEY_TTL` ago, or written since on this node).
    pub async fn customer_of_tenant(&self, tenant_id: Uuid) -> anyhow::Result<Option<CustomerRow>> {
        if let Some(row) = self.recent_customers.get(&tenant_id) {
            return Ok(Some(row));
        }
        let sql = concat!(
            "SELECT ",
            customer_columns!(),
            " FROM enclave_customers WHERE tenant_id = $1"
        );
        let row: Option<CustomerRow> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading the customer of a key")?;
        if let Some(row) = &row {
            self.recent_customers.put(tenant_id, row.clone());
        }
        Ok(row)
    }

    pub async fn email_taken(&self, email: &str) -> anyhow::Result<bool> {
        let sql = "SELECT COUNT(*) FROM enclave_customers WHERE email = $1";
        let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(sql)
            .bind(email)
            .fetch_one(p)
            .await)
        .context("looking up an email")?;
        Ok(n > 0)
    }

    /// Stores a new customer of `tenant_id`; `Ok(false)` when the email was taken meanwhile.
    pub async fn insert_customer(
        &self,
        row: &CustomerRow,
        tenant_id: Uuid,
    ) -> anyhow::Result<bool> {
        let sql = concat!(
            "INSERT INTO enclave_customers (",
            customer_columns!(),
            ", tenant_id) VALUES ($1, $2, $3, $4, $5, $6)"
        );
        let inserted = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&row.id)
            .bind(&row.email)
            .bind(&row.jurisdiction)
            .bind(&row.tier)
            .bind(row.created_at)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|_| ()));
        match inserted {
            Ok(()) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(anyhow::Error::new(e).context("storing a customer")),
        }
    }

    /// False when there is no such customer.
    pub async fn set_tier(&self, id: &str, tier: Tier) -> anyhow::Result<bool> {
        let sql = "UPDATE enclave_customers SET tier = $1 WHERE id = $2";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(tier.as_str())
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("changing a customer's tier")?;
        self.recent_customers.forget_where(|c| c.id == id);
        Ok(n == 1)
    }

    pub async fn insert_session(&self, row: &SessionRow) -> anyhow::Result<()> {
        let sql = concat!(
            "INSERT INTO enclave_sessions (",
            session_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        on_db!(&self.db, |p| sqlx::query(sql)
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
            .map(|_| ()))
        .context("storing a session")
    }

    /// The customer's session `id`; another customer's is `None`, as if it did not exist.
    pub async fn session(&self, customer_id: &str, id: &str) -> anyhow::Result<Option<SessionRow>> {
        let sql = concat!(
            "SELECT ",
            session_columns!(),
            " FROM enclave_sessions WHERE id = $1 AND customer_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(customer_id)
            .fetch_optional(p)
            .await)
        .context("reading a session")
    }

    /// Live sessions this node holds (after a restart: the ones to recover).
    pub async fn live_sessions_on(&self, node: &str) -> anyhow::Result<Vec<SessionRow>> {
        let sql = concat!(
            "SELECT ",
            session_columns!(),
            " FROM enclave_sessions WHERE node = $1 AND status = 'active'"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(node)
            .fetch_all(p)
            .await)
        .context("listing this node's live sessions")
    }

    pub async fn live_session_count(&self, customer_id: &str) -> anyhow::Result<u64> {
        let sql =
            "SELECT COUNT(*) FROM enclave_sessions WHERE customer_id = $1 AND status = 'active'";
        let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(sql)
            .bind(customer_id)
            .fetch_one(p)
            .await)
        .context("counting live sessions")?;
        Ok(n.max(0) as u64)
    }

    /// Ends a live session and stores its CDP, evidence and public key, all or nothing.
    pub async fn finish_session(&self, f: &Finished<'_>) -> anyhow::Result<()> {
        let result: Result<(), sqlx::Error> = on_db!(&self.db, |p| {
            async {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE enclave_sessions SET status = $1, destroyed_at = $2 WHERE id = $3 AND status = 'active'")
                .bind(f.status)
                .bind(f.destroyed_at)
                .bind(f.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO enclave_proofs (session_id, customer_id, document, evidence, clean, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(f.id)
                .bind(f.customer_id)
                .bind(&f.document)
                .bind(&f.evidence)
                .bind(f.clean)
                .bind(f.destroyed_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO enclave_keys (key_id, session_id, algorithm, public_key, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(f.key_id)
                .bind(f.id)
                .bind(proof::cdp::ALGORITHM)
                .bind(f.public_key)
                .bind(f.destroyed_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await
        });
        result.context("storing a destroyed session's proof")
    }

    /// CDPs the customer was issued since `since` (the quota count).
    pub async fn proof_count_since(
        &self,
        customer_id: &str,
        since: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let sql = "SELECT COUNT(*) FROM enclave_proofs WHERE customer_id = $1 AND created_at >= $2";
        let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(sql)
            .bind(customer_id)
            .bind(since)
            .fetch_one(p)
            .await)
        .context("counting proofs")?;
        Ok(n.max(0) as u64)
    }

    /// The session's stored CDP document and evidence records (JSON texts).
    pub async fn proof(&self, session_id: &str) -> anyhow::Result<Option<(String, String)>> {
        let sql = "SELECT document, evidence FROM enclave_proofs WHERE session_id = $1";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(session_id)
            .fetch_optional(p)
            .await)
        .context("reading a proof")
    }

    pub async fn public_key(&self, key_id: &str) -> anyhow::Result<Option<StoredKey>> {
        let sql =
            "SELECT key_id, algorithm, public_key, created_at FROM enclave_keys WHERE key_id = $1";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(key_id)
            .fetch_optional(p)
            .await)
        .context("reading a public key")
    }

    /// True when the public-key store answers (the health check's `ave`).
    pub async fn keys_answer(&self) -> bool {
        let sql = "SELECT key_id FROM enclave_keys LIMIT 1";
        on_db!(&self.db, |p| sqlx::query(sql)
            .fetch_optional(p)
            .await
            .map(|_| ()))
        .is_ok()
    }
}
