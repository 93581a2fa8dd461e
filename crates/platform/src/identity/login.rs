//! Password login shared by every service that has one: check the credentials, require a role
//! in the service, issue its JWT and write the audit row.

use std::net::IpAddr;

use crate::audit::AuditEvent;
use crate::identity::accounts::LoginCandidate;
use crate::identity::password::verify_password;
use crate::{Platform, ServiceName};

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub user: LoginCandidate,
    pub role: String,
    pub token: String,
}

/// Unknown email, wrong password, disabled account and "no role in this service" all look the
/// same to the caller, so the answer reveals nothing about which accounts exist.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The right password for a locked account: services whose contract has a lock answer it
    /// (423); the others treat it as invalid credentials.
    #[error("account locked")]
    Locked,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub async fn password_login(
    platform: &Platform,
    service: ServiceName,
    email: &str,
    password: &str,
    client_ip: IpAddr,
) -> Result<LoggedIn, LoginError> {
    let candidate = platform
        .accounts()
        .login_candidate(email, service)
        .await
        .map_err(anyhow::Error::from)?;
    let password_ok = verify_password(
        password.to_string(),
        candidate.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    if password_ok && candidate.as_ref().is_some_and(|c| c.status == "locked") {
        return Err(LoginError::Locked);
    }
    let Some(user) = candidate.filter(|c| password_ok && c.status == "active") else {
        return Err(LoginError::InvalidCredentials);
    };
    let Some(role) = user.role.clone() else {
        return Err(LoginError::InvalidCredentials);
    };
    let token = platform
        .jwt()
        .issue(service, user.id, &user.email, user.tenant_id, &role);
    let event = AuditEvent {
        service,
        actor: user.email.clone(),
        action: "auth.login".into(),
        target: format!("user:{}", user.id),
        details: serde_json::json!({ "ip": client_ip.to_string() }),
    };
    platform.audit().append(user.tenant_id, event).await?;
    Ok(LoggedIn { user, role, token })
}
