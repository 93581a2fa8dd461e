//! Authentication extractors: JWT bearer users and API keys, each answering 401 in the
//! service's envelope; roles checked with `require_role` (403).

use axum::extract::{FromRef, FromRequestParts};
use http::request::Parts;
use http::HeaderMap;
use uuid::Uuid;

use super::error::ApiError;
use crate::identity::{ApiKeyRecord, Claims, JwtError};
use crate::{ServiceName, ServiceState};

/// Claims already verified earlier in the request (by the rate-limit layer).
#[derive(Debug, Clone)]
pub struct VerifiedClaims(pub Claims);

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// An API key of `service`: the `X-API-Key` header, or a bearer token carrying the service's
/// key prefix (enclave's `Authorization: Bearer nrx_live_…`).
pub fn presented_api_key(headers: &HeaderMap, service: ServiceName) -> Option<&str> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        return Some(key.trim());
    }
    bearer_token(headers).filter(|token| token.starts_with(service.api_key_prefix()))
}

/// A user authenticated by a JWT issued for this service.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub claims: Claims,
}

impl AuthUser {
    pub fn user_id(&self) -> Uuid {
        self.claims.sub
    }
    pub fn tenant_id(&self) -> Uuid {
        self.claims.tenant_id
    }
    pub fn role(&self) -> &str {
        &self.claims.role
    }

    /// 403 unless the user's role is one of `roles`.
    pub fn require_role(&self, roles: &[&str]) -> Result<(), ApiError> {
        if roles.contains(&self.claims.role.as_str()) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "This action requires one of the following roles: {}. Your role: {}.",
                roles.join(", "),
                self.claims.role
            ))
            .with_title("Insufficient permissions"))
        }
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    ServiceState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(VerifiedClaims(claims)) = parts.extensions.get::<VerifiedClaims>() {
            return Ok(AuthUser {
                claims: claims.clone(),
            });
        }
        let state = ServiceState::from_ref(state);
        let Some(token) = bearer_token(&parts.headers) else {
            return Err(
                ApiError::unauthorized("No token provided in Authorization header")
                    .with_title("Authentication required"),
            );
        };
        match state.platform.jwt().verify(state.service, token) {
            Ok(claims) => Ok(AuthUser { claims }),
            Err(JwtError::Expired) => {
                Err(ApiError::unauthorized("Token expired").with_title("Invalid token"))
            }
            Err(JwtError::Invalid) => {
                Err(ApiError::unauthorized("Invalid token").with_title("Invalid token"))
            }
        }
    }
}

/// A caller authenticated by one of this service's API keys.
#[derive(Debug, Clone)]
pub struct ApiKeyAuth {
    pub key: ApiKeyRecord,
}

impl ApiKeyAuth {
    pub fn tenant_id(&self) -> Uuid {
        self.key.tenant_id
    }
}

impl<S> FromRequestParts<S> for ApiKeyAuth
where
    ServiceState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = ServiceState::from_ref(state);
        let Some(presented) = presented_api_key(&parts.headers, state.service) else {
            return Err(
                ApiError::unauthorized("Missing API key").with_title("Authentication required")
            );
        };
        match state
            .platform
            .api_keys()
            .authenticate(state.service, presented)
            .await?
        {
            Some(key) => Ok(ApiKeyAuth { key }),
            None => Err(ApiError::unauthorized(
                "The provided API key is invalid or has been revoked.",
            )
            .with_title("Invalid API key")),
        }
    }
}
