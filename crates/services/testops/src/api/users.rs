//! `/api/users`: the organisation's members (every role reads), role changes and removals
//! (admins; strict tier) with the contract's self and last-admin rules. Audited.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::Json;
use platform::http::fields::Vocabulary;
use platform::http::{ApiError, AppJson};
use platform::identity::Member;
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::MessageResponse;
use crate::api::{id_or_400, iso, member_status};
use crate::auth::Caller;
use crate::model::rows::MemberRow;
use crate::model::Role;
use crate::store::TestopsStore;
use crate::ErrorBody;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    id: String,
    email: String,
    name: String,
    role: String,
    /// `active` | `invited` | `suspended`.
    status: String,
    last_login_at: Option<String>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

fn view(member: &MemberRow, user: &Member) -> UserView {
    UserView {
        id: member.id.clone(),
        email: user.email.clone(),
        name: user.display_name.clone(),
        role: user.role.clone(),
        status: member_status(&user.status).into(),
        last_login_at: member.last_login_at.map(iso),
        created_at: iso(user.created_at),
        updated_at: None,
    }
}

/// Every platform user of the tenant with a testops role, with their member row (created for
/// users that never signed in yet: ids must exist before anyone can address them).
async fn roster(
    state: &ServiceState,
    store: &TestopsStore,
    tenant_id: Uuid,
) -> Result<Vec<(MemberRow, Member)>, ApiError> {
    let users = state
        .platform
        .accounts()
        .members_of(tenant_id, ServiceName::Testops)
        .await
        .map_err(anyhow::Error::from)?;
    let mut members: HashMap<Uuid, MemberRow> = store
        .members(tenant_id)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m))
        .collect();
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        let member = match members.remove(&user.id) {
            Some(m) => m,
            None => store.ensure_member(user.id, tenant_id).await?,
        };
        out.push((member, user));
    }
    Ok(out)
}

async fn find(
    state: &ServiceState,
    store: &TestopsStore,
    caller: &Caller,
    raw_id: &str,
) -> Result<(MemberRow, Member, Vec<(MemberRow, Member)>), ApiError> {
    let id = id_or_400(raw_id, "Invalid user ID format")?;
    let all = roster(state, store, caller.tenant_id).await?;
    let (member, user) = all
        .iter()
        .find(|(m, _)| m.id == id)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found("No user with this id in your organization")
                .with_title("User not found")
        })?;
    Ok((member, user, all))
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    success: bool,
    users: Vec<UserView>,
}

/// Members of your organisation, oldest first.
#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<UserList>, ApiError> {
    let users = roster(&state, &store, caller.tenant_id)
        .await?
        .iter()
        .map(|(m, u)| view(m, u))
        .collect();
    Ok(Json(UserList {
        success: true,
        users,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OneUser {
    success: bool,
    user: UserView,
}

/// One member.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", params(("id" = String, Path, description = "24 hex")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = OneUser), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OneUser>, ApiError> {
    let (member, user, _) = find(&state, &store, &caller, &id).await?;
    let mut user = view(&member, &user);
    user.updated_at = Some(iso(member.updated_at));
    Ok(Json(OneUser {
        success: true,
        user,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct RoleRequest {
    /// admin | developer | viewer.
    role: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleChanged {
    success: bool,
    message: String,
    #[schema(value_type = Object)]
    user: serde_json::Value,
}

fn admins(all: &[(MemberRow, Member)]) -> usize {
    all.iter()
        .filter(|(_, u)| u.role == "admin" && u.status == "active")
        .count()
}

/// Change a member's role (admins; strict tier). Not your own; not the last admin's.
#[utoipa::path(patch, path = "/api/users/{id}/role", tag = "users", request_body = RoleRequest, params(("id" = String, Path, description = "24 hex")),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = RoleChanged), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn change_role(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
    AppJson(req): AppJson<RoleRequest>,
) -> Result<Json<RoleChanged>, ApiError> {
    caller.require_admin()?;
    let role = req
        .role
        .as_ref()
        .and_then(|r| r.as_str())
        .and_then(Role::parse)
        .ok_or_else(|| {
            ApiError::bad_request("role must be one of admin, developer, viewer")
                .with_title("Invalid role")
        })?;
    let (member, user, all) = find(&state, &store, &caller, &id).await?;
    if member.id == caller.member_id {
        return Err(ApiError::forbidden("You cannot change your own role")
            .with_title("Cannot change own role"));
    }
    if user.role == "admin" && role != Role::Admin && admins(&all) <= 1 {
        return Err(
            ApiError::forbidden("The organization needs at least one admin")
                .with_title("Cannot remove last admin"),
        );
    }
    state
        .platform
        .accounts()
        .set_role(user.id, ServiceName::Testops, role.as_str())
        .await
        .map_err(anyhow::Error::from)?;
    store.touch_member(&member.id).await?;
    caller
        .audit(
            &state.platform,
            "user.role_changed",
            format!("user:{}", member.id),
            serde_json::json!({"email": user.email, "from": user.role, "to": role}),
        )
        .await?;
    Ok(Json(RoleChanged {
        success: true,
        message: format!("User role updated to {role}"),
        user: serde_json::json!({"id": member.id, "email": user.email, "name": user.display_name, "role": role}),
    }))
}

/// Remove a member from the organisation (admins; strict tier): their account, tokens and API
/// keys stop working. Not yourself; not the last admin.
#[utoipa::path(delete, path = "/api/users/{id}", tag = "users", params(("id" = String, Path, description = "24 hex")), security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = MessageResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MessageResponse>, ApiError> {
    caller.require_admin()?;
    let (member, user, all) = find(&state, &store, &caller, &id).await?;
    if member.id == caller.member_id {
        return Err(
            ApiError::forbidden("You cannot remove yourself").with_title("Cannot delete yourself")
        );
    }
    if user.role == "admin" && admins(&all) <= 1 {
        return Err(
            ApiError::forbidden("The organization needs at least one admin")
                .with_title("Cannot delete last admin"),
        );
    }
    for link in store.api_key_links(&member.id).await? {
        state
            .platform
            .api_keys()
            .revoke(caller.tenant_id, ServiceName::Testops, link.api_key_id)
            .await?;
    }
    state
        .platform
        .accounts()
        .delete_user(caller.tenant_id, user.id)
        .await
        .map_err(anyhow::Error::from)?;
    caller
        .audit(
            &state.platform,
            "user.removed",
            format!("user:{}", member.id),
            serde_json::json!({"email": user.email, "role": user.role}),
        )
        .await?;
    Ok(MessageResponse::ok(format!(
        "User {} has been removed from the organization",
        user.email
    )))
}
