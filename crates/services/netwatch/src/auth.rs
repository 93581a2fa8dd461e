//! netwatch's callers. `Dashboard`: a user's JWT with a dashboard role (admin, analyst,
//! auditor) whose account is active (locked: 423) and whose tenant's licences have not all
//! lapsed (423, except billing and the GDPR routes); an agent's token is refused there. `Agent`: an agent's JWT (role `agent`, subject
//! = its device id), whose device still exists and whose licence is still usable (else 423).

use axum::extract::{FromRef, FromRequestParts};
use http::request::Parts;
use http::StatusCode;
use platform::http::{ApiError, AuthUser};
use platform::ServiceState;

use crate::model::{AgentRow, LicenseRow, AGENT_ROLE, ALL_ROLES};
use crate::store::NetwatchStore;

pub struct Dashboard(pub AuthUser);

impl Dashboard {
    pub fn tenant_id(&self) -> uuid::Uuid {
        self.0.tenant_id()
    }

    pub fn require(&self, roles: &[&str]) -> Result<(), ApiError> {
        self.0.require_role(roles)
    }

    pub fn email(&self) -> &str {
        &self.0.claims.email
    }
}

impl<S> FromRequestParts<S> for Dashboard
where
    ServiceState: FromRef<S>,
    NetwatchStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        user.require_role(ALL_ROLES)?;
        let shared = ServiceState::from_ref(state);
        let status = shared
            .platform
            .accounts()
            .user_status(user.tenant_id(), user.user_id())
            .await
            .map_err(anyhow::Error::from)?;
        match status.as_deref() {
            Some("active") => {}
            Some("locked") => {
                return Err(locked(
                    "This account is locked: ask your administrator to unlock it",
                ))
            }
            _ => {
                return Err(ApiError::unauthorized(
                    "This account is no longer active: sign in again",
                ))
            }
        }
        let path = parts.uri.path();
        if !LICENCE_EXEMPT.iter().any(|p| path.starts_with(p)) {
            let licenses = NetwatchStore::from_ref(state)
                .licenses(user.tenant_id())
                .await?;
            let now = chrono::Utc::now();
            if !licenses.is_empty() && !licenses.iter().any(|l| l.usable_at(now)) {
                return Err(locked(
                    "Every licence of this tenant has expired or was revoked: renew it (billing stays open)",
                ));
            }
        }
        Ok(Dashboard(user))
    }
}

/// A dashboard caller with the admin role, checked before any body is read (so a non-admin gets
/// 403 whatever it sent).
pub struct Admin(pub Dashboard);

impl<S> FromRequestParts<S> for Admin
where
    ServiceState: FromRef<S>,
    NetwatchStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = Dashboard::from_request_parts(parts, state).await?;
        user.require(&["admin"])?;
        Ok(Admin(user))
    }
}

impl std::ops::Deref for Admin {
    type Target = Dashboard;
    fn deref(&self) -> &Dashboard {
        &self.0
    }
}

/// Routes a lapsed licence does not lock: renewing it, and the GDPR export and erasure.
const LICENCE_EXEMPT: &[&str] = &["/api/v1/billing/", "/api/v1/tenant"];

pub struct Agent {
    pub agent: AgentRow,
    pub license: LicenseRow,
}

pub fn locked(message: &str) -> ApiError {
    ApiError::new(StatusCode::LOCKED, message.to_string())
}

impl<S> FromRequestParts<S> for Agent
where
    ServiceState: FromRef<S>,
    NetwatchStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        if user.role() != AGENT_ROLE {
            return Err(ApiError::forbidden(
                "This endpoint is for agents (authenticate with POST /agents/auth)",
            ));
        }
        let store = NetwatchStore::from_ref(state);
        let gone =
            || ApiError::unauthorized("This agent is no longer registered: authenticate again");
        let agent = store
            .agent(user.tenant_id(), user.user_id())
            .await
            .map_err(ApiError::from)?
            .ok_or_else(gone)?;
        let license = store
            .license(agent.license_id)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(gone)?;
        if !license.usable_at(chrono::Utc::now()) {
            return Err(locked(
                "The licence of this agent has expired or was revoked",
            ));
        }
        Ok(Agent { agent, license })
    }
}
