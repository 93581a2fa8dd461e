//! Licences for agents: `redoubt admin create-license` issues one (`nsx_…`, shown once, SHA-256
//! stored); `POST /agents/auth` exchanges it for an agent token.

use chrono::{DateTime, Utc};
use platform::identity::api_keys::hash_key;
use platform::Platform;
use rand::RngCore;
use serde_json::{json, Value};

use crate::model::Plan;
use crate::store::NetwatchStore;

/// Issues a licence for `tenant_id`; the answer carries the key, which is not kept.
pub async fn create_license(
    platform: &Platform,
    tenant_id: uuid::Uuid,
    plan: Plan,
    expires_at: Option<DateTime<Utc>>,
) -> anyhow::Result<Value> {
    let mut secret = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let key = format!("nsx_{}", hex::encode(secret));
    let store = NetwatchStore::new(platform.db().clone());
    let row = store
        .create_license(
            tenant_id,
            &hash_key(&key),
            &key[..12],
            plan.to_string().as_str(),
            expires_at,
        )
        .await?;
    Ok(json!({
        "license_key": key, "license_id": row.id, "tenant_id": tenant_id, "plan": row.plan,
        "expires_at": row.expires_at, "created_at": row.created_at,
    }))
}

/// Revokes a licence: its agents get 423 from then on.
pub async fn revoke_license(
    platform: &Platform,
    tenant_id: uuid::Uuid,
    license_id: uuid::Uuid,
) -> anyhow::Result<bool> {
    NetwatchStore::new(platform.db().clone())
        .revoke_license(tenant_id, license_id)
        .await
}
