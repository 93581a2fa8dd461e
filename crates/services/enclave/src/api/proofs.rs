//! Proofs: `GET /v1/proofs/:session_id` (owner), `POST /v1/verify` (public, stateless),
//! `GET /v1/keys/:id` (public: the per-session public keys, for Level 2 provenance).

use axum::extract::{Path, State};
use axum::Json;
use platform::http::{ApiError, AppJson};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Customer;
use crate::model::stamp;
use crate::store::EnclaveStore;
use crate::ErrorBody;

#[utoipa::path(get, path = "/v1/proofs/{session_id}", tag = "proofs", params(("session_id" = String, Path)),
    responses((status = 200, description = "The stored CDP, identical to `cdp` in the DELETE response", body = Object),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_proof(
    State(store): State<EnclaveStore>,
    customer: Customer,
    Path(session_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let not_found = || ApiError::not_found("Session not found or not yet destroyed");
    let row = store
        .session(&customer.row.id, &session_id)
        .await?
        .ok_or_else(not_found)?;
    let (document, _) = store.proof(&row.id).await?.ok_or_else(not_found)?;
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

#[derive(Serialize, ToSchema)]
pub struct PublicKey {
    #[schema(example = "nrx-verify-20260301T143000Z-a8f3e71c")]
    key_id: String,
    #[schema(example = "Ed25519")]
    algorithm: String,
    /// `base64:` + the raw 32-byte key.
    public_key: String,
    #[schema(value_type = String)]
    created_at: String,
}

#[utoipa::path(get, path = "/v1/keys/{id}", tag = "proofs", params(("id" = String, Path, description = "A CDP's attestation.key_id")),
    responses((status = 200, body = PublicKey), (status = 404, body = ErrorBody)))]
pub async fn get_key(
    State(store): State<EnclaveStore>,
    Path(id): Path<String>,
) -> Result<Json<PublicKey>, ApiError> {
    let key = store
        .public_key(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("Key not found"))?;
    Ok(Json(PublicKey {
        key_id: key.key_id,
        algorithm: key.algorithm,
        public_key: key.public_key,
        created_at: stamp(key.created_at),
    }))
}
