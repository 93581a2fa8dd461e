//! Proofs: `GET /v1/proofs/:session_id` (owner), `POST /v1/verify` (public, stateless),
//! `GET /v1/keys/:id` (public: the per-session public keys, for Level 2 provenance).

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use platform::http::{ApiError, AppJson};
use platform::on_db;
use platform::store::Db;
use platform::ServiceState;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::customers::Customer;
use crate::runtime::stamp;
use crate::sessions::repo::{self, SessionRow};
use crate::ErrorBody;

/// CDPs the customer was issued since `since` (the quota count).
pub async fn count_since(db: &Db, customer_id: &str, since: DateTime<Utc>) -> anyhow::Result<u64> {
    let sql = "SELECT COUNT(*) FROM enclave_proofs WHERE customer_id = $1 AND created_at >= $2";
    let (n,): (i64,) = on_db!(db, |p| sqlx::query_as(sql)
        .bind(customer_id)
        .bind(since)
        .fetch_one(p)
        .await)?;
    Ok(n as u64)
}

async fn stored(db: &Db, session_id: &str) -> anyhow::Result<Option<(String, String)>> {
    let sql = "SELECT document, evidence FROM enclave_proofs WHERE session_id = $1";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(session_id)
        .fetch_optional(p)
        .await)?)
}

/// The DELETE response of an already destroyed session, rebuilt from what was stored.
pub async fn stored_response(db: &Db, row: &SessionRow) -> anyhow::Result<Option<Value>> {
    let Some((document, evidence)) = stored(db, &row.id).await? else {
        return Ok(None);
    };
    let cdp: Value = serde_json::from_str(&document)?;
    Ok(Some(json!({
        "session_id": row.id,
        "status": row.status,
        "regulatory_context": cdp["regulatory_context"],
        "session_context": cdp["session_context"],
        "cdp": cdp,
        "evidence": serde_json::from_str::<Value>(&evidence)?,
    })))
}

#[utoipa::path(get, path = "/v1/proofs/{session_id}", tag = "proofs", params(("session_id" = String, Path)),
    responses((status = 200, description = "The stored CDP, identical to `cdp` in the DELETE response", body = Object),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_proof(
    State(state): State<ServiceState>,
    customer: Customer,
    Path(session_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let db = state.platform.db();
    let not_found = || ApiError::not_found("Session not found or not yet destroyed");
    let row = repo::get(db, &customer.row.id, &session_id)
        .await?
        .ok_or_else(not_found)?;
    let (document, _) = stored(db, &row.id).await?.ok_or_else(not_found)?;
    Ok(Json(
        serde_json::from_str(&document).map_err(anyhow::Error::from)?,
    ))
}

#[utoipa::path(post, path = "/v1/verify", tag = "proofs", request_body(content = Object, description = "A CDP document (or a DELETE response carrying one under `cdp`)"),
    responses((status = 200, description = "`valid`, the four checks, and why each failing one failed", body = Object),
              (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn verify(AppJson(document): AppJson<Value>) -> Json<proof::cdp::Verification> {
    Json(proof::cdp::verify(&document))
}

#[derive(Serialize, ToSchema, sqlx::FromRow)]
pub struct PublicKey {
    #[schema(example = "nrx-verify-20260301T143000Z-a8f3e71c")]
    key_id: String,
    #[schema(example = "Ed25519")]
    algorithm: String,
    /// `base64:` + the raw 32-byte key.
    public_key: String,
    #[serde(skip)]
    created: DateTime<Utc>,
    #[sqlx(skip)]
    #[schema(value_type = String)]
    created_at: String,
}

#[utoipa::path(get, path = "/v1/keys/{id}", tag = "proofs", params(("id" = String, Path, description = "A CDP's attestation.key_id")),
    responses((status = 200, body = PublicKey), (status = 404, body = ErrorBody)))]
pub async fn get_key(
    State(state): State<ServiceState>,
    Path(id): Path<String>,
) -> Result<Json<PublicKey>, ApiError> {
    let sql = "SELECT key_id, algorithm, public_key, created_at AS created FROM enclave_keys WHERE key_id = $1";
    let key: Option<PublicKey> = on_db!(state.platform.db(), |p| sqlx::query_as(sql)
        .bind(&id)
        .fetch_optional(p)
        .await)?;
    let mut key = key.ok_or_else(|| ApiError::not_found("Key not found"))?;
    key.created_at = stamp(key.created);
    Ok(Json(key))
}
