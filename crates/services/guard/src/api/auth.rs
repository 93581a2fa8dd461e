//! `POST /api/v1/auth/login`: email and password for a 24-hour JWT.

use axum::extract::{ConnectInfo, State};
use axum::Json;
use platform::http::{ApiError, AppJson};
use platform::identity::login::{password_login, LoginError};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ErrorBody;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "alice@acme.fr")]
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// HS256 JWT, valid 24 hours; send as `Authorization: Bearer <token>`.
    token: String,
    user: LoginUser,
}

#[derive(Serialize, ToSchema)]
pub struct LoginUser {
    id: Uuid,
    email: String,
    display_name: String,
    /// `admin` or `viewer`.
    role: String,
    tenant_id: Uuid,
}

/// Exchange credentials for a JWT. Limited to 5 requests per minute per IP.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 400, body = ErrorBody, description = "Malformed body or missing field"),
    (status = 401, body = ErrorBody, description = "Bad credentials"),
    (status = 429, body = ErrorBody, description = "More than 5 attempts a minute from this IP")))]
pub async fn login(
    State(state): State<ServiceState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    if req.email.trim().is_empty() || req.password.is_empty() {
        return Err(ApiError::bad_request("email and password are required"));
    }
    let done = password_login(
        &state.platform,
        ServiceName::Guard,
        &req.email,
        &req.password,
        peer.ip(),
    )
    .await
    .map_err(|e| match e {
        LoginError::InvalidCredentials | LoginError::Locked => {
            ApiError::unauthorized("Invalid email or password")
        }
        LoginError::Other(e) => e.into(),
    })?;
    let user = done.user;
    Ok(Json(LoginResponse {
        token: done.token,
        user: LoginUser {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            role: done.role,
            tenant_id: user.tenant_id,
        },
    }))
}
