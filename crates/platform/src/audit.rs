//! The append-only, hash-chained audit log: one chain per tenant, verifiable end to end.
//!
//! Each row stores `prev_hash` (the hash of the tenant's previous row, or the genesis hash) and
//! `hash = sha256(prev_hash "\n" canonical_json(row fields))`. Editing, deleting or reordering
//! any row breaks the chain at that row, which `verify` reports.

use chrono::{DateTime, SecondsFormat, Utc};
use proof::{canonical_json, link_hash, verify_chain, ChainLink, GENESIS_HASH};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::http::AuthUser;
use crate::on_db;
use crate::store::{self, Db};
use crate::ServiceName;

/// What happened, by whom, to what. `details` must not carry secrets.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub service: ServiceName,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: Value,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub service: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    #[serde(serialize_with = "details_as_json")]
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Writes the stored canonical JSON as it is, without parsing it into a tree first.
fn details_as_json<S: serde::Serializer>(details: &str, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    match serde_json::from_str::<&serde_json::value::RawValue>(details) {
        Ok(raw) => raw.serialize(s),
        Err(_) => s.serialize_unit(),
    }
}

impl AuditEntry {
    /// The canonical text this row's hash commits to.
    fn payload(&self) -> String {
        payload_of(
            self.tenant_id,
            self.seq,
            self.occurred_at,
            &self.service,
            &self.actor,
            &self.action,
            &self.target,
            &self.details,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn payload_of(
    tenant_id: Uuid,
    seq: i64,
    occurred_at: DateTime<Utc>,
    service: &str,
    actor: &str,
    action: &str,
    target: &str,
    details: &str,
) -> String {
    canonical_json(&json!({
        "tenant_id": tenant_id,
        "seq": seq,
        "occurred_at": occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "service": service,
        "actor": actor,
        "action": action,
        "target": target,
        "details": details,
    }))
}

/// The outcome of checking one tenant's chain.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct ChainReport {
    pub valid: bool,
    pub entries: usize,
    /// The sequence number of the first row that fails, when the chain is broken.
    pub first_bad_seq: Option<i64>,
    pub reason: Option<String>,
}

#[derive(Clone)]
pub struct AuditLog {
    db: Db,
}

macro_rules! columns {
    () => {
        "id, tenant_id, seq, occurred_at, service, actor, action, target, details, prev_hash, hash"
    };
}

impl AuditLog {
    pub fn new(db: Db) -> AuditLog {
        AuditLog { db }
    }

    /// Records what an authenticated user did, in the user's tenant chain: the one call a
    /// handler makes after a change it must answer for.
    pub async fn record(
        &self,
        user: &AuthUser,
        service: ServiceName,
        action: &str,
        target: impl Into<String>,
        details: Value,
    ) -> anyhow::Result<AuditEntry> {
        let event = AuditEvent {
            service,
            actor: user.claims.email.clone(),
            action: action.into(),
            target: target.into(),
            details,
        };
        self.append(user.tenant_id(), event).await
    }

    /// Appends `event` to the tenant's chain. Appends to one tenant are serialised (SQLite:
    /// `BEGIN IMMEDIATE`; PostgreSQL: a row lock on the tenant), so the chain never forks.
    pub async fn append(&self, tenant_id: Uuid, event: AuditEvent) -> anyhow::Result<AuditEntry> {
        let details = canonical_json(&event.details);
        let last_sql =
            "SELECT seq, hash FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1";
        let insert_sql = "INSERT INTO audit_log (id, tenant_id, seq, occurred_at, service, actor, action, target, details, prev_hash, hash) \
                          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        macro_rules! append_in {
            ($tx:expr) => {{
                let last: Option<(i64, String)> = sqlx::query_as(last_sql)
                    .bind(tenant_id)
                    .fetch_optional(&mut *$tx)
                    .await?;
                let (seq, prev_hash) = match last {
                    Some((seq, hash)) => (seq + 1, hash),
                    None => (1, GENESIS_HASH.to_string()),
                };
                let occurred_at = store::now();
                let service = event.service.as_str().to_string();
                let payload = payload_of(
                    tenant_id,
                    seq,
                    occurred_at,
                    &service,
                    &event.actor,
                    &event.action,
                    &event.target,
                    &details,
                );
                let hash = link_hash(&prev_hash, &payload);
                let entry = AuditEntry {
                    id: Uuid::now_v7(),
                    tenant_id,
                    seq,
                    occurred_at,
                    service,
                    actor: event.actor.clone(),
                    action: event.action.clone(),
                    target: event.target.clone(),
                    details: details.clone(),
                    prev_hash,
                    hash,
                };
                sqlx::query(insert_sql)
                    .bind(entry.id)
                    .bind(entry.tenant_id)
                    .bind(entry.seq)
                    .bind(entry.occurred_at)
                    .bind(&entry.service)
                    .bind(&entry.actor)
                    .bind(&entry.action)
                    .bind(&entry.target)
                    .bind(&entry.details)
                    .bind(&entry.prev_hash)
                    .bind(&entry.hash)
                    .execute(&mut *$tx)
                    .await?;
                entry
            }};
        }
        let entry = match &self.db {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let entry = append_in!(tx);
                tx.commit().await?;
                entry
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR UPDATE")
                    .bind(tenant_id)
                    .execute(&mut *tx)
                    .await?;
                let entry = append_in!(tx);
                tx.commit().await?;
                entry
            }
        };
        Ok(entry)
    }

    /// One page of the tenant's log, newest first, with the tenant's total.
    ///
    /// A tenant's `seq` runs 1..=N without gaps (a gap is tampering, which `verify` reports), so
    /// the total is the newest `seq`: read off the first page's first row, or one index probe.
    pub async fn page(
        &self,
        tenant_id: Uuid,
        limit: i64,
        offset: i64,
    ) -> anyhow::Result<(Vec<AuditEntry>, i64)> {
        let list = concat!(
            "SELECT ",
            columns!(),
            " FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3"
        );
        let rows: Vec<AuditEntry> = on_db!(&self.db, |p| sqlx::query_as(list)
            .bind(tenant_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        let total = match rows.first() {
            Some(newest) if offset == 0 => newest.seq,
            _ => {
                let last =
                    "SELECT seq FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1";
                let newest: Option<(i64,)> = on_db!(&self.db, |p| sqlx::query_as(last)
                    .bind(tenant_id)
                    .fetch_optional(p)
                    .await)?;
                newest.map_or(0, |(seq,)| seq)
            }
        };
        Ok((rows, total))
    }

    /// Recomputes every hash of the tenant's chain in order and reports the first break.
    pub async fn verify(&self, tenant_id: Uuid) -> anyhow::Result<ChainReport> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM audit_log WHERE tenant_id = $1 ORDER BY seq ASC"
        );
        let rows: Vec<AuditEntry> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)?;
        let links: Vec<ChainLink> = rows
            .iter()
            .map(|r| ChainLink {
                payload: r.payload(),
                prev_hash: r.prev_hash.clone(),
                hash: r.hash.clone(),
            })
            .collect();
        // A gap in the sequence numbers is a deletion even if an attacker re-linked the hashes.
        let gap = rows
            .iter()
            .enumerate()
            .find(|(i, r)| r.seq != *i as i64 + 1)
            .map(|(i, _)| i);
        Ok(match (verify_chain(&links), gap) {
            (Ok(n), None) => ChainReport {
                valid: true,
                entries: n,
                first_bad_seq: None,
                reason: None,
            },
            (result, gap) => {
                let (index, reason) = match (result, gap) {
                    (Err(b), Some(g)) if g < b.index() => {
                        (g, "sequence gap: a row was removed".to_string())
                    }
                    (Err(b), _) => (b.index(), describe(&b)),
                    (Ok(_), Some(g)) => (g, "sequence gap: a row was removed".to_string()),
                    (Ok(_), None) => unreachable!(),
                };
                ChainReport {
                    valid: false,
                    entries: rows.len(),
                    first_bad_seq: Some(rows[index].seq),
                    reason: Some(reason),
                }
            }
        })
    }
}

fn describe(b: &proof::ChainBreak) -> String {
    match b {
        proof::ChainBreak::BrokenLink { .. } => {
            "prev_hash does not match the previous row's hash".into()
        }
        proof::ChainBreak::HashMismatch { .. } => {
            "row contents do not match its hash (edited)".into()
        }
    }
}
