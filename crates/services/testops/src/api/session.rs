//! `/api/auth`: signup (a new organisation, or joining one with an invitation token), login
//! (with the contract's lockout), me, profile and logout.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Duration, Utc};
use platform::audit::AuditEvent;
use platform::http::{ApiError, AppJson};
use platform::identity::accounts::{normalize_email, AccountError};
use platform::identity::login::{password_login, LoginError};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::organization::{org_summary, organization_of};
use crate::api::{iso, member_status, MessageResponse, OrgSummary};
use crate::auth::Caller;
use crate::model::password::weaknesses;
use crate::model::rows::MemberRow;
use crate::store::{NewOrg, TestopsStore};
use crate::ErrorBody;

/// Failed logins that lock an email, and for how long they count (and it stays locked).
const LOCKOUT_FAILURES: usize = 5;
const LOCKOUT_MINUTES: i64 = 15;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignupRequest {
    email: Option<String>,
    /// 8–128 characters with a lowercase letter, an uppercase letter, a digit and a special character.
    password: Option<String>,
    name: Option<String>,
    /// Required unless `inviteToken` is given.
    organization_name: Option<String>,
    /// The 64-hex token of an invitation: join its organisation with its role.
    invite_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    id: String,
    email: String,
    name: String,
    /// `admin` | `developer` | `viewer`.
    role: String,
    organization_id: String,
    organization_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    success: bool,
    /// HS256 JWT, valid 24 hours.
    token: String,
    user: SessionUser,
}

fn missing(fields: &[&str]) -> ApiError {
    ApiError::bad_request(format!("Required: {}", fields.join(", ")))
        .with_title("Missing required fields")
}

/// Create an account: a new organisation (you are its admin, on the free plan), or join the
/// organisation of an invitation. Auth tier: 5 requests per minute per IP.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = SignupRequest, responses(
    (status = 201, body = SessionResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "Email mismatch (invitation)"),
    (status = 409, body = ErrorBody, description = "Email already registered"), (status = 429, body = ErrorBody)))]
pub async fn signup(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    AppJson(req): AppJson<SignupRequest>,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (email, name, org_name, invite) = (
        text(req.email),
        text(req.name),
        text(req.organization_name),
        text(req.invite_token),
    );
    let password = req.password.filter(|p| !p.is_empty());
    let mut absent = Vec::new();
    for (field, present) in [
        ("email", email.is_some()),
        ("password", password.is_some()),
        ("name", name.is_some()),
    ] {
        if !present {
            absent.push(field);
        }
    }
    if invite.is_none() && org_name.is_none() {
        absent.push("organizationName (or inviteToken)");
    }
    let (Some(email), Some(password), Some(name)) = (email, password, name) else {
        return Err(missing(&absent));
    };
    if !absent.is_empty() {
        return Err(missing(&absent));
    }
    let email = normalize_email(&email).map_err(|_| {
        ApiError::bad_request(format!("`{email}` is not an email address"))
            .with_title("Invalid email format")
    })?;
    let weak = weaknesses(&password);
    if !weak.is_empty() {
        return Err(ApiError::bad_request(weak.join(". ")).with_title("Weak password"));
    }
    if name.chars().count() > 100 {
        return Err(
            ApiError::bad_request("name must be at most 100 characters").with_title("Invalid name")
        );
    }
    let accounts = state.platform.accounts();
    if accounts
        .user_by_email(&email)
        .await
        .map_err(anyhow::Error::from)?
        .is_some()
    {
        return Err(email_taken());
    }
    let (user, role) = match invite {
        Some(token) => join_by_invitation(&state, &store, &token, &email, &name, &password).await?,
        None => {
            let org_name = org_name.unwrap_or_default();
            if !(2..=100).contains(&org_name.chars().count()) {
                return Err(
                    ApiError::bad_request("organizationName must be 2 to 100 characters")
                        .with_title("Invalid organization name"),
                );
            }
            let tenant = new_tenant(&state, &org_name).await?;
            let created = accounts
                .create_user(
                    tenant,
                    &email,
                    Some(&name),
                    &password,
                    ServiceName::Testops,
                    "admin",
                )
                .await;
            let user = match created {
                Ok(user) => user,
                Err(e) => {
                    accounts
                        .delete_empty_tenant(tenant)
                        .await
                        .map_err(anyhow::Error::from)?;
                    return Err(account_error(e));
                }
            };
            store
                .ensure_org(NewOrg {
                    tenant_id: tenant,
                    name: &org_name,
                    plan: "free",
                })
                .await?;
            (user, "admin".to_string())
        }
    };
    let member = store.ensure_member(user.id, user.tenant_id).await?;
    store.record_login(&member.id).await?;
    let event = AuditEvent {
        service: ServiceName::Testops,
        actor: user.email.clone(),
        action: "auth.signup".into(),
        target: format!("user:{}", member.id),
        details: serde_json::json!({"role": role}),
    };
    state.platform.audit().append(user.tenant_id, event).await?;
    let token = state.platform.jwt().issue(
        ServiceName::Testops,
        user.id,
        &user.email,
        user.tenant_id,
        &role,
    );
    let body = session(
        &state,
        &store,
        token,
        &member,
        user.email,
        user.display_name,
        role,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

fn email_taken() -> ApiError {
    ApiError::conflict("An account with this email already exists: login instead")
        .with_title("Email already registered")
}

fn account_error(e: AccountError) -> ApiError {
    match e {
        AccountError::Conflict(_) => email_taken(),
        AccountError::Invalid(m) => ApiError::bad_request(m),
        AccountError::Other(e) => e.into(),
    }
}

/// A tenant for a new organisation: named after it, or after it and a random suffix when an
/// organisation elsewhere has that name already (organisation names need not be unique).
async fn new_tenant(state: &ServiceState, org_name: &str) -> Result<Uuid, ApiError> {
    let accounts = state.platform.accounts();
    let mut name = org_name.to_string();
    for _ in 0..4 {
        let (tenant, created) = accounts
            .ensure_tenant(&name)
            .await
            .map_err(anyhow::Error::from)?;
        if created {
            return Ok(tenant.id);
        }
        name = format!("{org_name} ({})", &crate::model::id::new_id()[16..]);
    }
    Err(anyhow::anyhow!("no free tenant name for {org_name}").into())
}

/// Creates the user in the invitation's organisation with its role, and uses the invitation up.
async fn join_by_invitation(
    state: &ServiceState,
    store: &TestopsStore,
    token: &str,
    email: &str,
    name: &str,
    password: &str,
) -> Result<(platform::identity::User, String), ApiError> {
    let invitation = crate::api::invitations::usable_invitation(store, token).await?;
    if invitation.email != email {
        return Err(
            ApiError::forbidden("This invitation was sent to another email address")
                .with_title("Email mismatch"),
        );
    }
    let accounts = state.platform.accounts();
    let user = accounts
        .create_user(
            invitation.tenant_id,
            email,
            Some(name),
            password,
            ServiceName::Testops,
            &invitation.role,
        )
        .await
        .map_err(account_error)?;
    if !store.accept_invitation(&invitation.id).await? {
        accounts
            .delete_user(invitation.tenant_id, user.id)
            .await
            .map_err(anyhow::Error::from)?;
        return Err(ApiError::bad_request("This invitation was used already")
            .with_title("Invalid or expired invitation"));
    }
    Ok((user, invitation.role))
}

async fn session(
    state: &ServiceState,
    store: &TestopsStore,
    token: String,
    member: &MemberRow,
    email: String,
    name: String,
    role: String,
) -> Result<SessionResponse, ApiError> {
    let org = organization_of(state, store, member.tenant_id).await?;
    Ok(SessionResponse {
        success: true,
        token,
        user: SessionUser {
            id: member.id.clone(),
            email,
            name,
            role,
            organization_id: org.id,
            organization_name: org.name,
        },
    })
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    email: Option<String>,
    password: Option<String>,
}

fn locked_for(retry_after: i64) -> ApiError {
    let minutes = (retry_after + 59) / 60;
    ApiError::rate_limited(format!(
        "Too many failed login attempts. Please try again in {minutes} minute(s)."
    ))
    .with_title("Account temporarily locked")
    .with_extra("retryAfter", retry_after.into())
}

/// Log in with email and password. Auth tier: 5 requests per minute per IP; 5 failures for an
/// email within 15 minutes lock it for 15 minutes (429 `Account temporarily locked`).
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = SessionResponse), (status = 400, body = ErrorBody, description = "Missing credentials"),
    (status = 401, body = ErrorBody, description = "Invalid credentials"), (status = 403, body = ErrorBody, description = "Account suspended"),
    (status = 429, body = ErrorBody, description = "Rate limit, or the lockout (with retryAfter)")))]
pub async fn login(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let (Some(email), Some(password)) = (
        req.email
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty()),
        req.password.filter(|p| !p.is_empty()),
    ) else {
        return Err(ApiError::bad_request("Email and password are required")
            .with_title("Missing credentials"));
    };
    let now = Utc::now();
    let window = Duration::minutes(LOCKOUT_MINUTES);
    let failures = store.login_failures(&email, now - window).await?;
    if failures.len() >= LOCKOUT_FAILURES {
        // Locked until the failure that makes it five is 15 minutes old.
        let unlock = failures[LOCKOUT_FAILURES - 1] + window;
        return Err(locked_for((unlock - now).num_seconds().max(1)));
    }
    let done = match password_login(
        &state.platform,
        ServiceName::Testops,
        &email,
        &password,
        peer.ip(),
    )
    .await
    {
        Ok(done) => done,
        Err(LoginError::InvalidCredentials) => {
            store.record_login_failure(&email, now - window).await?;
            return Err(ApiError::unauthorized("Email or password is incorrect")
                .with_title("Invalid credentials"));
        }
        Err(LoginError::Locked) => {
            return Err(ApiError::forbidden(
                "This account is suspended: ask your organization's admin",
            )
            .with_title("Account suspended"))
        }
        Err(LoginError::Other(e)) => return Err(e.into()),
    };
    store.clear_login_failures(&email).await?;
    let user = done.user;
    let member = store.ensure_member(user.id, user.tenant_id).await?;
    store.record_login(&member.id).await?;
    let body = session(
        &state,
        &store,
        done.token,
        &member,
        user.email,
        user.display_name,
        done.role,
    )
    .await?;
    Ok(Json(body))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    id: String,
    email: String,
    name: String,
    role: String,
    /// `active` | `invited` | `suspended`.
    status: String,
    last_login_at: Option<String>,
    organization: OrgSummary,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    success: bool,
    data: Me,
}

/// The caller's profile and organisation.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = []), ("api_key" = [])), responses(
    (status = 200, body = MeResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn me(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<MeResponse>, ApiError> {
    let not_found =
        || ApiError::not_found("User or organization not found").with_title("User not found");
    let user = state
        .platform
        .accounts()
        .user(caller.tenant_id, caller.user_id)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(not_found)?;
    let member = store
        .member_by_user(caller.user_id)
        .await?
        .ok_or_else(not_found)?;
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    Ok(Json(MeResponse {
        success: true,
        data: Me {
            id: member.id,
            email: user.email,
            name: user.display_name,
            role: caller.role.to_string(),
            status: member_status(&user.status).into(),
            last_login_at: member.last_login_at.map(iso),
            organization: org_summary(&state, &org).await?,
        },
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileRequest {
    /// 1–100 characters once trimmed.
    name: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileUser {
    id: String,
    name: String,
    email: String,
    role: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileResponse {
    success: bool,
    message: String,
    user: ProfileUser,
}

/// Change your display name.
#[utoipa::path(patch, path = "/api/auth/profile", tag = "auth", request_body = ProfileRequest, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = ProfileResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn profile(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    AppJson(req): AppJson<ProfileRequest>,
) -> Result<Json<ProfileResponse>, ApiError> {
    let Some(name) = req.name.filter(|v| !v.is_null()) else {
        return Err(ApiError::bad_request("name is required").with_title("Missing required field"));
    };
    let name = name.as_str().map(str::trim).unwrap_or_default().to_string();
    if !(1..=100).contains(&name.chars().count()) {
        return Err(
            ApiError::bad_request("name must be a string of 1 to 100 characters")
                .with_title("Invalid name"),
        );
    }
    state
        .platform
        .accounts()
        .rename_user(caller.tenant_id, caller.user_id, &name)
        .await
        .map_err(anyhow::Error::from)?;
    store.touch_member(&caller.member_id).await?;
    caller
        .audit(
            &state.platform,
            "user.profile_updated",
            format!("user:{}", caller.member_id),
            serde_json::json!({"name": name}),
        )
        .await?;
    Ok(Json(ProfileResponse {
        success: true,
        message: "Profile updated successfully".into(),
        user: ProfileUser {
            id: caller.member_id,
            name,
            email: caller.email,
            role: caller.role.to_string(),
        },
    }))
}

/// Log out: the token used is refused from now on, on every node (it is recorded until it expires).
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody, description = "Called with an API key"), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<MessageResponse>, ApiError> {
    let Some((jti, exp)) = caller.token else {
        return Err(ApiError::bad_request(
            "Logout ends a token session; revoke an API key with DELETE /api/auth/api-keys/{id}",
        ));
    };
    let expires = chrono::DateTime::from_timestamp(exp, 0).unwrap_or_else(Utc::now);
    store.revoke_token(&jti, caller.user_id, expires).await?;
    Ok(MessageResponse::ok("Logged out successfully"))
}
