//! testops' caller: a JWT of this service that was not revoked by logout, or an `x-api-key`
//! (`pk_live_…`) — the docs accept a key on every API route. Either way the user must still be
//! an active member with a testops role, read live (a role change applies at once, a removed
//! user's token and keys stop working).

use axum::extract::{FromRef, FromRequestParts};
use http::request::Parts;
use platform::http::auth::{bearer_token, presented_api_key};
use platform::http::fields::Vocabulary;
use platform::http::ApiError;
use platform::identity::JwtError;
use platform::{ServiceName, ServiceState};
use uuid::Uuid;

use crate::model::Role;
use crate::store::TestopsStore;

/// Someone calling the API, with their live role.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    /// The contract's id of the user.
    pub member_id: String,
    pub email: String,
    pub role: Role,
    /// `(jti, exp)` of the JWT used; `None` when an API key was.
    pub token: Option<(String, i64)>,
}

impl Caller {
    /// 403 `Insufficient permissions` unless the caller's role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(ApiError::forbidden(format!(
            "This action requires one of the following roles: {}. Your role: {}.",
            names.join(", "),
            self.role
        ))
        .with_title("Insufficient permissions"))
    }

    /// Admins only.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.require(&[Role::Admin])
    }

    /// Admins and developers (viewers read only).
    pub fn require_writer(&self) -> Result<(), ApiError> {
        self.require(&[Role::Admin, Role::Developer])
    }
}

fn invalid_token(message: &str) -> ApiError {
    ApiError::unauthorized(message.to_string()).with_title("Invalid token")
}

fn invalid_key() -> ApiError {
    ApiError::unauthorized("The provided API key is invalid or has been revoked.")
        .with_title("Invalid API key")
}

impl<S> FromRequestParts<S> for Caller
where
    ServiceState: FromRef<S>,
    TestopsStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let shared = ServiceState::from_ref(state);
        let store = TestopsStore::from_ref(state);
        let platform = &shared.platform;
        let (tenant_id, user_id, token, via_key) = if let Some(key) =
            presented_api_key(&parts.headers, ServiceName::Testops)
        {
            let record = platform
                .api_keys()
                .authenticate(ServiceName::Testops, key)
                .await?
                .ok_or_else(invalid_key)?;
            let user = record.created_by.ok_or_else(invalid_key)?;
            (record.tenant_id, user, None, true)
        } else if let Some(token) = bearer_token(&parts.headers) {
            let claims = match platform.jwt().verify(ServiceName::Testops, token) {
                Ok(claims) => claims,
                Err(JwtError::Expired) => {
                    return Err(invalid_token("Token has expired. Please login again."))
                }
                Err(JwtError::Invalid) => {
                    return Err(invalid_token("The token is invalid. Please login again."))
                }
            };
            // A token without an id (none are issued so) cannot be revoked: refused.
            if claims.jti.is_empty() || store.is_revoked(&claims.jti).await? {
                return Err(ApiError::unauthorized(
                    "This token was revoked by logging out. Please login again.",
                )
                .with_title("Token has been revoked"));
            }
            (
                claims.tenant_id,
                claims.sub,
                Some((claims.jti, claims.exp)),
                false,
            )
        } else {
            return Err(ApiError::unauthorized(
                    "No credentials provided. Send an x-api-key header or Authorization: Bearer <token> (see POST /api/auth/login).",
                )
                .with_title("Authentication required"));
        };
        let gone = || {
            if via_key {
                invalid_key()
            } else {
                invalid_token(
                    "This account is no longer active in this organization. Please login again.",
                )
            }
        };
        let role = platform
            .accounts()
            .role_of(tenant_id, user_id, ServiceName::Testops)
            .await
            .map_err(anyhow::Error::from)?
            .and_then(|r| Role::parse(&r))
            .ok_or_else(gone)?;
        let member = store
            .member_by_user(user_id)
            .await?
            .filter(|m| m.tenant_id == tenant_id)
            .ok_or_else(gone)?;
        let email = platform
            .accounts()
            .user(tenant_id, user_id)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or_else(gone)?
            .email;
        Ok(Caller {
            tenant_id,
            user_id,
            member_id: member.id,
            email,
            role,
            token,
        })
    }
}

impl Caller {
    /// Appends `action` on `target` to the tenant's audit log, as this caller.
    pub async fn audit(
        &self,
        platform: &platform::Platform,
        action: &str,
        target: String,
        details: serde_json::Value,
    ) -> Result<(), ApiError> {
        let event = platform::audit::AuditEvent {
            service: ServiceName::Testops,
            actor: self.email.clone(),
            action: action.into(),
            target,
            details,
        };
        platform.audit().append(self.tenant_id, event).await?;
        Ok(())
    }
}
