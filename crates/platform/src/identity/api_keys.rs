//! API keys: random, service-prefixed, shown once; only their SHA-256 hash is stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::on_db;
use crate::store::{self, Db};
use crate::ServiceName;

/// What creating a key returns: the full key, which is never stored and never shown again.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedApiKey {
    pub id: Uuid,
    pub key: String,
    pub prefix: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A stored key as listings show it: no secret, no hash.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub service: String,
    pub name: String,
    pub prefix: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct KeyMatch {
    key_hash: Vec<u8>,
    #[sqlx(flatten)]
    record: ApiKeyRecord,
}

/// SHA-256 of the full key, the only form in which a key is stored.
pub fn hash_key(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// `last_used_at` is written at most this often per key, so authenticating is not a write per request.
const LAST_USED_GRANULARITY_SECS: i64 = 60;

/// How long a key authenticated on this node is taken as valid without reading it again. A key
/// revoked here stops working at once; one revoked on another node, within this time.
pub const RECENT_KEY_TTL: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Clone)]
pub struct ApiKeys {
    db: Db,
    /// Keys authenticated moments ago, by hash.
    recent: store::Recent<Vec<u8>, ApiKeyRecord>,
}

macro_rules! columns {
    () => {
        "id, tenant_id, service, name, prefix, created_by, created_at, last_used_at, revoked_at"
    };
}

impl ApiKeys {
    pub fn new(db: Db) -> ApiKeys {
        ApiKeys {
            db,
            recent: store::Recent::new(RECENT_KEY_TTL),
        }
    }

    /// Issues a key for `service` in `tenant_id`: `<service prefix><43 url-safe base64 chars>`
    /// carrying 256 random bits.
    pub async fn create(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
        name: &str,
        created_by: Option<Uuid>,
    ) -> anyhow::Result<IssuedApiKey> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let key = format!(
            "{}{}",
            service.api_key_prefix(),
            URL_SAFE_NO_PAD.encode(secret)
        );
        let prefix: String = key
            .chars()
            .take(service.api_key_prefix().len() + 4)
            .collect();
        let issued = IssuedApiKey {
            id: Uuid::now_v7(),
            prefix,
            name: if name.trim().is_empty() {
                "Unnamed Key".into()
            } else {
                name.trim().to_string()
            },
            created_at: store::now(),
            key,
        };
        let sql = "INSERT INTO api_keys (id, tenant_id, service, name, prefix, key_hash, created_by, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(issued.id)
            .bind(tenant_id)
            .bind(service.as_str())
            .bind(&issued.name)
            .bind(&issued.prefix)
            .bind(hash_key(&issued.key))
            .bind(created_by)
            .bind(issued.created_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(issued)
    }

    /// The live key of `service` whose hash matches `presented`, marking it used.
    pub async fn authenticate(
        &self,
        service: ServiceName,
        presented: &str,
    ) -> anyhow::Result<Option<ApiKeyRecord>> {
        if !presented.starts_with(service.api_key_prefix()) {
            return Ok(None);
        }
        let hash = hash_key(presented);
        let recent = self
            .recent
            .get(&hash)
            .filter(|r| r.service == service.as_str());
        let (mut record, read) = match recent {
            Some(record) => (record, false),
            None => match self.read(service, &hash).await? {
                Some(record) => (record, true),
                None => return Ok(None),
            },
        };
        let marked = self.mark_used(record.id, record.last_used_at).await?;
        if let Some(at) = marked {
            record.last_used_at = Some(at);
        }
        if read || marked.is_some() {
            self.recent.put(hash, record.clone());
        }
        Ok(Some(record))
    }

    /// The live key of `service` whose hash is `hash`, from the database.
    async fn read(
        &self,
        service: ServiceName,
        hash: &[u8],
    ) -> anyhow::Result<Option<ApiKeyRecord>> {
        let sql = concat!(
            "SELECT key_hash, ",
            columns!(),
            " FROM api_keys WHERE key_hash = $1 AND service = $2 AND revoked_at IS NULL"
        );
        let found: Option<KeyMatch> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(hash)
            .bind(service.as_str())
            .fetch_optional(p)
            .await)?;
        // The lookup was by hash already; this keeps the final comparison constant-time regardless.
        Ok(found
            .filter(|f| bool::from(f.key_hash.ct_eq(hash)))
            .map(|f| f.record))
    }

    /// Records a use of key `id` (last seen `last_used_at`), at most once a minute per key;
    /// the time written, if it wrote.
    pub async fn mark_used(
        &self,
        id: Uuid,
        last_used_at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let now = store::now();
        let stale =
            last_used_at.is_none_or(|at| now - at > Duration::seconds(LAST_USED_GRANULARITY_SECS));
        if !stale {
            return Ok(None);
        }
        let sql = "UPDATE api_keys SET last_used_at = $1 WHERE id = $2";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(now)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(Some(now))
    }

    /// The tenant's keys for `service`, newest first.
    pub async fn list(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
    ) -> anyhow::Result<Vec<ApiKeyRecord>> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM api_keys WHERE tenant_id = $1 AND service = $2 ORDER BY created_at DESC, id DESC"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, ApiKeyRecord>(
            sql
        )
        .bind(tenant_id)
        .bind(service.as_str())
        .fetch_all(p)
        .await)?)
    }

    /// Revokes a key of this tenant. False when no such live key belongs to the tenant.
    pub async fn revoke(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
        id: Uuid,
    ) -> anyhow::Result<bool> {
        let sql = "UPDATE api_keys SET revoked_at = $1 \
                   WHERE id = $2 AND tenant_id = $3 AND service = $4 AND revoked_at IS NULL";
        let done = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(store::now())
            .bind(id)
            .bind(tenant_id)
            .bind(service.as_str())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        self.recent.forget_where(|r| r.id == id);
        Ok(done == 1)
    }
}
