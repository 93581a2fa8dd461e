//! `/api/v1/users` (admins): invite people into the tenant and list its members. Invitations
//! create `pending` users; they cannot log in until activated (docs/services.md).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use platform::http::pagination::{PageParams, Paged};
use platform::http::{ApiError, AppJson, AuthUser};
use platform::identity::{Member, MemberQuery};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::ErrorBody;

const INVITATION_DAYS: i64 = 7;

#[derive(Deserialize, ToSchema)]
pub struct Invite {
    #[schema(example = "bob@acme.fr")]
    email: String,
    /// admin or viewer.
    role: String,
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    id: Uuid,
    tenant_id: Uuid,
    email: String,
    display_name: String,
    role: String,
    /// pending (invited), active, inactive.
    status: String,
    created_at: DateTime<Utc>,
    /// The inviter's email; null for users created by an operator.
    invited_by: Option<String>,
    /// For pending users: when the invitation lapses (7 days after it was sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation_expires_at: Option<DateTime<Utc>>,
}

impl From<Member> for UserView {
    fn from(m: Member) -> Self {
        UserView {
            invitation_expires_at: (m.status == "pending")
                .then(|| m.created_at + Duration::days(INVITATION_DAYS)),
            id: m.id,
            tenant_id: m.tenant_id,
            email: m.email,
            display_name: m.display_name,
            role: m.role,
            status: m.status,
            created_at: m.created_at,
            invited_by: m.invited_by,
        }
    }
}

/// Invite a user (admin). 409 if the email is already a user.
#[utoipa::path(post, path = "/api/v1/users/invite", tag = "users", request_body = Invite, security(("bearer" = [])),
    responses((status = 201, body = UserView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn invite(
    State(state): State<ServiceState>,
    user: AuthUser,
    AppJson(req): AppJson<Invite>,
) -> Result<impl IntoResponse, ApiError> {
    user.require_role(&["admin"])?;
    if req
        .display_name
        .as_deref()
        .is_some_and(|d| d.chars().count() > 200)
    {
        return Err(ApiError::bad_request(
            "display_name must be at most 200 characters",
        ));
    }
    let invited = state
        .platform
        .accounts()
        .invite_user(
            user.tenant_id(),
            &req.email,
            req.display_name.as_deref(),
            ServiceName::Guard,
            &req.role,
            &user.claims.email,
        )
        .await?;
    let details = serde_json::json!({ "email": invited.email, "role": req.role });
    let target = format!("user:{}", invited.id);
    let audit = state.platform.audit();
    audit
        .record(&user, ServiceName::Guard, "user.invite", target, details)
        .await?;
    let view = UserView::from(Member {
        id: invited.id,
        tenant_id: invited.tenant_id,
        email: invited.email,
        display_name: invited.display_name,
        status: invited.status,
        created_at: invited.created_at,
        role: req.role,
        invited_by: Some(user.claims.email.clone()),
    });
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// admin or viewer.
    pub role: Option<String>,
    /// active, pending or inactive.
    pub status: Option<String>,
    /// created_at (default) or email; prefix `-` for descending.
    pub sort: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    users: Vec<UserView>,
    total: u64,
    page: u64,
    limit: u64,
}

/// List the tenant's users (admin).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageParams, UserFilters), security(("bearer" = [])),
    responses((status = 200, body = UserList, headers(("X-Total-Count" = u64), ("X-Page" = u64), ("X-Per-Page" = u64), ("X-Total-Pages" = u64))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<ServiceState>,
    user: AuthUser,
    Query(params): Query<PageParams>,
    Query(filters): Query<UserFilters>,
) -> Result<impl IntoResponse, ApiError> {
    user.require_role(&["admin"])?;
    let page = params.resolve(50, 500)?;
    if filters
        .role
        .as_deref()
        .is_some_and(|r| !ServiceName::Guard.roles().contains(&r))
    {
        return Err(ApiError::bad_request("role must be admin or viewer"));
    }
    if filters
        .status
        .as_deref()
        .is_some_and(|s| !["active", "pending", "inactive"].contains(&s))
    {
        return Err(ApiError::bad_request(
            "status must be active, pending or inactive",
        ));
    }
    let sort = filters.sort.unwrap_or_else(|| "created_at".into());
    if !["created_at", "-created_at", "email", "-email"].contains(&sort.as_str()) {
        return Err(ApiError::bad_request(
            "sort must be created_at or email, optionally prefixed with -",
        ));
    }
    let query = MemberQuery {
        tenant_id: user.tenant_id(),
        role: filters.role,
        status: filters.status,
        sort,
        page,
    };
    let (members, total) = state
        .platform
        .accounts()
        .list_members(ServiceName::Guard, &query)
        .await?;
    let returned = members.len();
    let list = UserList {
        users: members.into_iter().map(UserView::from).collect(),
        total,
        page: page.page,
        limit: page.limit,
    };
    Ok(Paged::new(page, total, returned, list))
}
