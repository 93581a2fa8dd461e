//! The dashboard's login, Supabase Auth compatible (the vendor delegates login to Supabase):
//! `POST /auth/v1/token?grant_type=password|refresh_token`, `GET /auth/v1/user`,
//! `POST /auth/v1/logout`. Answers and errors are GoTrue's shapes (errors also carry `detail`),
//! so a stock Supabase client pointed at this listener logs in.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use platform::http::envelope::EnvelopeExempt;
use platform::http::{ApiError, AuthUser};
use platform::identity::api_keys::hash_key;
use platform::identity::login::{password_login, LoginError};
use platform::{ServiceName, ServiceState};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::model::ALL_ROLES;
use crate::store::NetwatchStore;
use crate::ErrorBody;

/// Refresh tokens live 30 days and are single use.
const REFRESH_DAYS: i64 = 30;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Grant {
    /// `password` or `refresh_token`.
    grant_type: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct TokenRequest {
    email: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
}

/// A GoTrue error: `{code, error_code, msg, error, error_description}` plus our `detail`.
fn gotrue_error(status: StatusCode, error: &str, error_code: &str, message: &str) -> Response {
    let body = json!({"code": status.as_u16(), "error_code": error_code, "msg": message, "error": error,
        "error_description": message, "detail": message});
    let mut response = (status, Json(body)).into_response();
    response.extensions_mut().insert(EnvelopeExempt);
    response
}

fn user_json(id: Uuid, email: &str, tenant_id: Uuid, role: &str) -> Value {
    json!({"id": id, "aud": "authenticated", "role": "authenticated", "email": email, "phone": "",
        "app_metadata": {"provider": "email", "providers": ["email"], "tenant_id": tenant_id, "netwatch_role": role},
        "user_metadata": {}, "identities": []})
}

async fn session(
    state: &ServiceState,
    store: &NetwatchStore,
    user_id: Uuid,
    email: &str,
    tenant_id: Uuid,
    role: &str,
    access_token: String,
) -> Result<Value, ApiError> {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let refresh = hex::encode(secret);
    let expires = platform::store::now() + chrono::Duration::days(REFRESH_DAYS);
    store
        .store_refresh_token(&hash_key(&refresh), tenant_id, user_id, email, expires)
        .await?;
    let ttl = state.platform.jwt().ttl_secs();
    Ok(
        json!({"access_token": access_token, "token_type": "bearer", "expires_in": ttl,
        "expires_at": chrono::Utc::now().timestamp() + ttl, "refresh_token": refresh,
        "user": user_json(user_id, email, tenant_id, role)}),
    )
}

/// Supabase-compatible token endpoint: password or refresh-token grant.
#[utoipa::path(post, path = "/auth/v1/token", tag = "auth", params(Grant), request_body = TokenRequest,
    responses((status = 200, body = Object), (status = 400, body = Object, description = "GoTrue error: invalid_grant"),
        (status = 429, body = ErrorBody)))]
pub async fn token(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(grant): Query<Grant>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: TokenRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(_) => {
            return Ok(gotrue_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "bad_json",
                "Could not parse request body as JSON",
            ))
        }
    };
    match grant.grant_type.as_deref() {
        Some("password") => {
            let (Some(email), Some(password)) = (body.email.as_deref(), body.password.as_deref())
            else {
                return Ok(gotrue_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "validation_failed",
                    "email and password are required",
                ));
            };
            let done = match password_login(
                &state.platform,
                ServiceName::Netwatch,
                email,
                password,
                peer.ip(),
            )
            .await
            {
                Ok(done) if ALL_ROLES.contains(&done.role.as_str()) => done,
                Ok(_) | Err(LoginError::InvalidCredentials) => {
                    return Ok(gotrue_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "invalid_credentials",
                        "Invalid login credentials",
                    ));
                }
                Err(LoginError::Locked) => {
                    return Ok(gotrue_error(
                        StatusCode::LOCKED,
                        "locked",
                        "user_banned",
                        "This account is locked: ask your administrator to unlock it",
                    ));
                }
                Err(LoginError::Other(e)) => return Err(e.into()),
            };
            let s = session(
                &state,
                &store,
                done.user.id,
                &done.user.email,
                done.user.tenant_id,
                &done.role,
                done.token,
            )
            .await?;
            Ok(Json(s).into_response())
        }
        Some("refresh_token") => {
            let invalid = || {
                gotrue_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "refresh_token_not_found",
                    "Invalid Refresh Token: Refresh Token Not Found",
                )
            };
            let Some(refresh) = body
                .refresh_token
                .as_deref()
                .filter(|t| !t.is_empty() && t.len() <= 128)
            else {
                return Ok(invalid());
            };
            let Some((tenant_id, user_id, email)) =
                store.use_refresh_token(&hash_key(refresh)).await?
            else {
                return Ok(invalid());
            };
            let status = state
                .platform
                .accounts()
                .user_status(tenant_id, user_id)
                .await
                .map_err(|e| ApiError::internal().with_source(anyhow::anyhow!("{e}")))?;
            if status.as_deref() == Some("locked") {
                return Ok(gotrue_error(
                    StatusCode::LOCKED,
                    "locked",
                    "user_banned",
                    "This account is locked: ask your administrator to unlock it",
                ));
            }
            let role = state
                .platform
                .accounts()
                .role_of(tenant_id, user_id, ServiceName::Netwatch)
                .await
                .map_err(|e| ApiError::internal().with_source(anyhow::anyhow!("{e}")))?;
            let Some(role) = role.filter(|r| ALL_ROLES.contains(&r.as_str())) else {
                return Ok(invalid());
            };
            let access = state.platform.jwt().issue(
                ServiceName::Netwatch,
                user_id,
                &email,
                tenant_id,
                &role,
            );
            Ok(
                Json(session(&state, &store, user_id, &email, tenant_id, &role, access).await?)
                    .into_response(),
            )
        }
        _ => Ok(gotrue_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "validation_failed",
            "grant_type must be password or refresh_token",
        )),
    }
}

/// The signed-in user (Supabase `GET /auth/v1/user`).
#[utoipa::path(get, path = "/auth/v1/user", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub async fn user(user: AuthUser) -> Json<Value> {
    let c = &user.claims;
    Json(user_json(c.sub, &c.email, c.tenant_id, &c.role))
}

/// Sign out: every refresh token of the user stops working (Supabase `POST /auth/v1/logout`).
#[utoipa::path(post, path = "/auth/v1/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(store): State<NetwatchStore>,
    user: AuthUser,
) -> Result<StatusCode, ApiError> {
    store.revoke_refresh_tokens(user.user_id()).await?;
    Ok(StatusCode::NO_CONTENT)
}
