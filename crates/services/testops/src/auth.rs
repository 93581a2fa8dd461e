//! `POST /api/auth/login` and `GET /api/auth/me`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::Json;
use platform::http::{ApiError, AppJson, AuthUser};
use platform::identity::login::{password_login, LoginError};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ErrorBody;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    email: Option<String>,
    password: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    id: Uuid,
    email: String,
    name: String,
    /// `admin` | `developer` | `viewer`.
    role: String,
    organization_id: Uuid,
    organization_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    success: bool,
    /// HS256 JWT, valid 24 hours.
    token: String,
    user: SessionUser,
}

/// Log in with email and password. Auth tier: 5 requests per minute per IP.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse), (status = 400, body = ErrorBody, description = "Missing credentials"),
    (status = 401, body = ErrorBody, description = "Invalid credentials"), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<ServiceState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let (Some(email), Some(password)) = (
        req.email.filter(|e| !e.trim().is_empty()),
        req.password.filter(|p| !p.is_empty()),
    ) else {
        return Err(ApiError::bad_request("Email and password are required")
            .with_title("Missing credentials"));
    };
    let done = password_login(
        &state.platform,
        ServiceName::Testops,
        &email,
        &password,
        peer.ip(),
    )
    .await
    .map_err(|e| match e {
        LoginError::InvalidCredentials | LoginError::Locked => {
            ApiError::unauthorized("Email or password is incorrect")
                .with_title("Invalid credentials")
        }
        LoginError::Other(e) => e.into(),
    })?;
    let organization_name = organization_name(&state, done.user.tenant_id).await?;
    Ok(Json(LoginResponse {
        success: true,
        token: done.token,
        user: SessionUser {
            id: done.user.id,
            email: done.user.email,
            name: done.user.display_name,
            role: done.role,
            organization_id: done.user.tenant_id,
            organization_name,
        },
    }))
}

async fn organization_name(state: &ServiceState, tenant_id: Uuid) -> Result<String, ApiError> {
    let tenant = state
        .platform
        .accounts()
        .tenant_by_id(tenant_id)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(tenant.map(|t| t.name).unwrap_or_default())
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    success: bool,
    data: SessionUser,
}

/// The caller's profile and organisation.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = MeResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn me(
    State(state): State<ServiceState>,
    user: AuthUser,
) -> Result<Json<MeResponse>, ApiError> {
    let not_found =
        || ApiError::not_found("User or organization not found").with_title("User not found");
    let account = state
        .platform
        .accounts()
        .user_by_email(&user.claims.email)
        .await
        .map_err(anyhow::Error::from)?;
    let account = account
        .filter(|a| a.id == user.user_id() && a.tenant_id == user.tenant_id())
        .ok_or_else(not_found)?;
    let organization_name = organization_name(&state, account.tenant_id).await?;
    Ok(Json(MeResponse {
        success: true,
        data: SessionUser {
            id: account.id,
            email: account.email,
            name: account.display_name,
            role: user.claims.role.clone(),
            organization_id: account.tenant_id,
            organization_name,
        },
    }))
}
