//! `/api/auth/api-keys`: the caller's own `pk_live_…` keys — shown once at creation, stored as
//! their SHA-256, listed with prefix and last use, revoked by id.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use platform::http::ApiError;
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::MessageResponse;
use crate::api::{id_or_400, iso, optional_json};
use crate::auth::Caller;
use crate::store::TestopsStore;
use crate::ErrorBody;

#[derive(Deserialize, ToSchema, Default)]
pub struct NewKeyRequest {
    /// Up to 100 characters; "Unnamed Key" when absent.
    name: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    id: String,
    name: String,
    /// The key's first characters, to recognise it.
    prefix: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_used: Option<Option<String>>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewKeyResponse {
    success: bool,
    message: String,
    /// The whole key: shown this once, never again.
    api_key: String,
    data: KeyView,
}

/// Create an API key for CI (`x-api-key: pk_live_…`). It acts as you, with your role.
#[utoipa::path(post, path = "/api/auth/api-keys", tag = "auth", request_body = NewKeyRequest, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = NewKeyResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<NewKeyResponse>), ApiError> {
    let name = optional_json::<NewKeyRequest>(&body)?
        .name
        .unwrap_or_default();
    if name.chars().count() > 100 {
        return Err(
            ApiError::bad_request("name must be at most 100 characters").with_title("Invalid name")
        );
    }
    let issued = state
        .platform
        .api_keys()
        .create(
            caller.tenant_id,
            ServiceName::Testops,
            &name,
            Some(caller.user_id),
        )
        .await?;
    let id = store.link_api_key(issued.id, &caller.member_id).await?;
    caller
        .audit(
            &state.platform,
            "api_key.created",
            format!("api_key:{id}"),
            serde_json::json!({"name": issued.name, "prefix": issued.prefix}),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewKeyResponse {
            success: true,
            message: "API key created. Copy it now: it will not be shown again.".into(),
            api_key: issued.key,
            data: KeyView {
                id,
                name: issued.name,
                prefix: issued.prefix,
                created_at: iso(issued.created_at),
                last_used: None,
            },
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct KeyList {
    success: bool,
    data: Vec<KeyView>,
}

/// Your live API keys, newest first.
#[utoipa::path(get, path = "/api/auth/api-keys", tag = "auth", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = KeyList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<KeyList>, ApiError> {
    let mine: HashMap<_, _> = store
        .api_key_links(&caller.member_id)
        .await?
        .into_iter()
        .map(|l| (l.api_key_id, l.id))
        .collect();
    let keys = state
        .platform
        .api_keys()
        .list(caller.tenant_id, ServiceName::Testops)
        .await?;
    let data = keys
        .into_iter()
        .filter(|k| k.revoked_at.is_none())
        .filter_map(|k| {
            let id = mine.get(&k.id)?.clone();
            Some(KeyView {
                id,
                name: k.name,
                prefix: k.prefix,
                created_at: iso(k.created_at),
                last_used: Some(k.last_used_at.map(iso)),
            })
        })
        .collect();
    Ok(Json(KeyList {
        success: true,
        data,
    }))
}

/// Revoke one of your keys: it stops working at once.
#[utoipa::path(delete, path = "/api/auth/api-keys/{id}", tag = "auth", params(("id" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MessageResponse>, ApiError> {
    let id = id_or_400(&id, "Invalid key ID")?;
    let not_found =
        || ApiError::not_found("No API key of yours has this id").with_title("API key not found");
    let link = store
        .api_key_links(&caller.member_id)
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(not_found)?;
    if !state
        .platform
        .api_keys()
        .revoke(caller.tenant_id, ServiceName::Testops, link.api_key_id)
        .await?
    {
        return Err(not_found());
    }
    caller
        .audit(
            &state.platform,
            "api_key.revoked",
            format!("api_key:{id}"),
            serde_json::json!({}),
        )
        .await?;
    Ok(MessageResponse::ok("API key revoked successfully"))
}
