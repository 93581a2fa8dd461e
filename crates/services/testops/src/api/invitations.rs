//! `/api/invitations`: admins invite by email with a role (strict tier; counts against the
//! plan's users); the token — 32 random bytes as 64 hex, stored as its SHA-256, valid 7 days,
//! single use — is checked publicly (`validate`), used at signup (`inviteToken`) or accepted by
//! a signed-in user. Redoubt sends no email: the creation response carries the token once.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Duration, Utc};
use platform::http::fields::Vocabulary;
use platform::http::{ApiError, AppJson};
use platform::identity::accounts::normalize_email;
use platform::{ServiceName, ServiceState};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::api::organization::organization_of;
use crate::api::{id_or_400, iso, plan_limit};
use crate::api::{token_hash, MessageResponse};
use crate::auth::Caller;
use crate::model::rows::InvitationRow;
use crate::model::Role;
use crate::store::TestopsStore;
use crate::ErrorBody;

const VALID_DAYS: i64 = 7;

/// Why a token cannot be used.
pub enum Unusable {
    BadFormat,
    /// Unknown, revoked or used already.
    Unknown,
    Expired,
}

/// The pending invitation of `token`.
pub async fn find_usable(
    store: &TestopsStore,
    token: &str,
) -> Result<Result<InvitationRow, Unusable>, ApiError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Err(Unusable::BadFormat));
    }
    let Some(invitation) = store
        .invitation_by_token(&token_hash(&token.to_ascii_lowercase()))
        .await?
    else {
        return Ok(Err(Unusable::Unknown));
    };
    if invitation.status != "pending" {
        return Ok(Err(Unusable::Unknown));
    }
    if invitation.expires_at <= Utc::now() {
        return Ok(Err(Unusable::Expired));
    }
    Ok(Ok(invitation))
}

/// The pending invitation of `token`, or signup's 400s.
pub async fn usable_invitation(
    store: &TestopsStore,
    token: &str,
) -> Result<InvitationRow, ApiError> {
    find_usable(store, token).await?.map_err(|why| match why {
        Unusable::BadFormat => {
            ApiError::bad_request("Invitation tokens are 64 hexadecimal characters")
                .with_title("Invalid invitation token format")
        }
        Unusable::Unknown => {
            ApiError::bad_request("This invitation does not exist or was used already")
                .with_title("Invalid or expired invitation")
        }
        Unusable::Expired => {
            ApiError::bad_request("This invitation has expired: ask for a new one")
                .with_title("Invitation has expired")
        }
    })
}

#[derive(Deserialize, ToSchema)]
pub struct InviteRequest {
    email: Option<Value>,
    /// admin | developer | viewer.
    role: Option<Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationCreated {
    id: String,
    email: String,
    role: String,
    expires_at: String,
    /// Whether the invitee has an account already (then they login and accept).
    user_exists: bool,
    /// `signup` (new user: sign up with `inviteToken`) or `join` (existing user: accept).
    action_type: String,
    /// Ours: the token, shown this once (Redoubt sends no email; pass it on).
    token: String,
    /// Ours: where the invitee checks it (`GET`).
    validate_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct InviteResponse {
    success: bool,
    message: String,
    invitation: InvitationCreated,
}

/// Invite someone (admins; strict tier). Pending invitations count against the plan's users.
#[utoipa::path(post, path = "/api/invitations", tag = "invitations", request_body = InviteRequest, security(("bearer" = []), ("api_key" = [])),
    responses((status = 201, body = InviteResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Not an admin, or the plan's user limit"), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    AppJson(req): AppJson<InviteRequest>,
) -> Result<(StatusCode, Json<InviteResponse>), ApiError> {
    caller.require_admin()?;
    let (Some(email), Some(role)) = (
        req.email
            .as_ref()
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty()),
        req.role
            .as_ref()
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty()),
    ) else {
        return Err(ApiError::bad_request("email and role are required")
            .with_title("Missing required fields"));
    };
    let email = normalize_email(email).map_err(|_| {
        ApiError::bad_request(format!("`{email}` is not an email address"))
            .with_title("Invalid email format")
    })?;
    let role = Role::parse(role).ok_or_else(|| {
        ApiError::bad_request("role must be one of admin, developer, viewer")
            .with_title("Invalid role")
    })?;
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    let now = Utc::now();
    let accounts = state.platform.accounts();
    let existing = accounts
        .user_by_email(&email)
        .await
        .map_err(anyhow::Error::from)?;
    if existing
        .as_ref()
        .is_some_and(|u| u.tenant_id == caller.tenant_id)
    {
        return Err(ApiError::conflict(format!("{email} is already a member"))
            .with_title("User already in organization"));
    }
    if store
        .pending_invitation_for(caller.tenant_id, &email, now)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(format!(
            "{email} has a pending invitation: revoke it to send another"
        ))
        .with_title("Invitation already sent"));
    }
    let limit = org.plan().limits().max_users;
    let users = accounts
        .service_user_count(caller.tenant_id, ServiceName::Testops)
        .await
        .map_err(anyhow::Error::from)?;
    let pending = store
        .pending_invitation_count(caller.tenant_id, now)
        .await?;
    if users + pending >= limit {
        let message = format!("Your plan allows {limit} users ({users} members, {pending} pending invitations). Upgrade to invite more.");
        return Err(plan_limit(
            "User limit exceeded",
            message,
            users + pending,
            limit,
        ));
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = hex::encode(secret);
    let row = InvitationRow {
        id: crate::model::id::new_id(),
        tenant_id: caller.tenant_id,
        email: email.clone(),
        role: role.to_string(),
        invited_by: Some(caller.member_id.clone()),
        status: "pending".into(),
        expires_at: now + Duration::days(VALID_DAYS),
        created_at: now,
    };
    store.create_invitation(&row, &token_hash(&token)).await?;
    caller
        .audit(
            &state.platform,
            "invitation.created",
            format!("invitation:{}", row.id),
            json!({"email": email, "role": role}),
        )
        .await?;
    let user_exists = existing.is_some();
    Ok((
        StatusCode::CREATED,
        Json(InviteResponse {
            success: true,
            message: if user_exists {
                "Invitation sent. User should login to accept."
            } else {
                "Invitation sent. User will create an account."
            }
            .into(),
            invitation: InvitationCreated {
                id: row.id,
                email,
                role: role.to_string(),
                expires_at: iso(row.expires_at),
                user_exists,
                action_type: if user_exists { "join" } else { "signup" }.into(),
                validate_url: format!("/api/invitations/validate/{token}"),
                token,
            },
        }),
    ))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    id: String,
    email: String,
    role: String,
    /// `pending` (only pending ones are listed).
    status: String,
    invited_by: Option<String>,
    invited_by_name: Option<String>,
    expires_at: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationList {
    success: bool,
    invitations: Vec<InvitationView>,
}

/// Pending invitations (admins), newest first.
#[utoipa::path(get, path = "/api/invitations", tag = "invitations", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = InvitationList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<InvitationList>, ApiError> {
    caller.require_admin()?;
    let rows = store
        .pending_invitations(caller.tenant_id, Utc::now())
        .await?;
    let mut invitations = Vec::with_capacity(rows.len());
    for row in rows {
        let inviter_name = inviter_name(&state, &store, &row).await?;
        invitations.push(InvitationView {
            id: row.id,
            email: row.email,
            role: row.role,
            status: row.status,
            invited_by: row.invited_by,
            invited_by_name: inviter_name,
            expires_at: iso(row.expires_at),
            created_at: iso(row.created_at),
        });
    }
    Ok(Json(InvitationList {
        success: true,
        invitations,
    }))
}

async fn inviter_name(
    state: &ServiceState,
    store: &TestopsStore,
    row: &InvitationRow,
) -> Result<Option<String>, ApiError> {
    let Some(member_id) = &row.invited_by else {
        return Ok(None);
    };
    let Some(member) = store.member(row.tenant_id, member_id).await? else {
        return Ok(None);
    };
    let user = state
        .platform
        .accounts()
        .user(row.tenant_id, member.user_id)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(user.map(|u| u.display_name))
}

/// Revoke a pending invitation (admins): its token stops working.
#[utoipa::path(delete, path = "/api/invitations/{id}", tag = "invitations", params(("id" = String, Path, description = "24 hex")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MessageResponse>, ApiError> {
    caller.require_admin()?;
    let id = id_or_400(&id, "Invalid invitation ID format")?;
    if !store.revoke_invitation(caller.tenant_id, &id).await? {
        return Err(ApiError::not_found("No pending invitation with this id")
            .with_title("Invitation not found"));
    }
    caller
        .audit(
            &state.platform,
            "invitation.revoked",
            format!("invitation:{id}"),
            json!({}),
        )
        .await?;
    Ok(MessageResponse::ok("Invitation revoked successfully"))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Validated {
    success: bool,
    valid: bool,
    organization_name: String,
    role: String,
    inviter_name: Option<String>,
    user_exists: bool,
}

fn invalid(status: StatusCode, error: &'static str, message: &str) -> ApiError {
    ApiError::new(status, message.to_string())
        .with_title(error)
        .with_extra("valid", false.into())
}

/// Check an invitation token (public): for the signup or join page.
#[utoipa::path(get, path = "/api/invitations/validate/{token}", tag = "invitations", params(("token" = String, Path, description = "64 hex")),
    responses((status = 200, body = Validated), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn validate(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    Path(token): Path<String>,
) -> Result<Json<Validated>, ApiError> {
    let invitation = find_usable(&store, &token)
        .await?
        .map_err(|why| match why {
            Unusable::BadFormat => invalid(
                StatusCode::BAD_REQUEST,
                "Invalid token format",
                "Invitation tokens are 64 hexadecimal characters",
            ),
            Unusable::Unknown => invalid(
                StatusCode::NOT_FOUND,
                "Invitation not found or already used",
                "This invitation does not exist or was used already",
            ),
            Unusable::Expired => invalid(
                StatusCode::NOT_FOUND,
                "Invitation has expired",
                "This invitation has expired: ask for a new one",
            ),
        })?;
    let org = organization_of(&state, &store, invitation.tenant_id).await?;
    let user_exists = state
        .platform
        .accounts()
        .user_by_email(&invitation.email)
        .await
        .map_err(anyhow::Error::from)?
        .is_some();
    Ok(Json(Validated {
        success: true,
        valid: true,
        organization_name: org.name,
        role: invitation.role.clone(),
        inviter_name: inviter_name(&state, &store, &invitation).await?,
        user_exists,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptRequest {
    token: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    success: bool,
    message: String,
    #[schema(value_type = Object)]
    organization: Value,
}

/// Accept an invitation sent to your email: you move to its organisation with its role (your
/// API keys of the organisation you leave are revoked; login again for a token of the new one).
#[utoipa::path(post, path = "/api/invitations/accept", tag = "invitations", request_body = AcceptRequest, security(("bearer" = [])),
    responses((status = 200, body = Accepted), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Email mismatch"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    AppJson(req): AppJson<AcceptRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let token = req.token.filter(|t| !t.is_empty()).ok_or_else(|| {
        ApiError::bad_request("token is required").with_title("Missing required fields")
    })?;
    let invitation = find_usable(&store, &token)
        .await?
        .map_err(|why| match why {
            Unusable::BadFormat => {
                ApiError::bad_request("Invitation tokens are 64 hexadecimal characters")
                    .with_title("Invalid token format")
            }
            Unusable::Unknown => {
                ApiError::not_found("This invitation does not exist or was used already")
                    .with_title("Invitation not found or already used")
            }
            Unusable::Expired => {
                ApiError::not_found("This invitation has expired: ask for a new one")
                    .with_title("Invitation has expired")
            }
        })?;
    if invitation.email != caller.email {
        return Err(
            ApiError::forbidden("This invitation was sent to another email address")
                .with_title("Email mismatch"),
        );
    }
    if invitation.tenant_id == caller.tenant_id {
        return Err(
            ApiError::conflict("You are already a member of this organization")
                .with_title("User already in organization"),
        );
    }
    if !store.accept_invitation(&invitation.id).await? {
        return Err(ApiError::not_found("This invitation was used already")
            .with_title("Invitation not found or already used"));
    }
    let role = Role::parse(&invitation.role).unwrap_or(Role::Viewer);
    state
        .platform
        .accounts()
        .move_user(
            caller.user_id,
            invitation.tenant_id,
            ServiceName::Testops,
            role.as_str(),
        )
        .await
        .map_err(anyhow::Error::from)?;
    let member = store
        .ensure_member(caller.user_id, invitation.tenant_id)
        .await?;
    let org = organization_of(&state, &store, invitation.tenant_id).await?;
    let event = platform::audit::AuditEvent {
        service: ServiceName::Testops,
        actor: caller.email.clone(),
        action: "invitation.accepted".into(),
        target: format!("invitation:{}", invitation.id),
        details: json!({"member": member.id, "role": role}),
    };
    state
        .platform
        .audit()
        .append(invitation.tenant_id, event)
        .await?;
    Ok(Json(Accepted {
        success: true,
        message: format!("Successfully joined {}", org.name),
        organization: json!({"id": org.id, "name": org.name}),
    }))
}
