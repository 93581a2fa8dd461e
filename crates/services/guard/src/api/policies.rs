//! `/api/v1/policies`: create, list, read, update and delete the tenant's block / coach / log
//! policies. Reads are open to every role; changes need an admin and are audited.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::http::pagination::{PageParams, Paged};
use platform::http::{ApiError, AppJson, AuthUser};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::rules::Rules;
use crate::store::{GuardStore, PolicyRow, WriteError};
use crate::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct Policy {
    id: Uuid,
    name: String,
    description: String,
    rules: Rules,
    enabled: bool,
    /// 0–1000, lower evaluated first.
    priority: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<PolicyRow> for Policy {
    fn from(row: PolicyRow) -> Self {
        Policy {
            rules: row.rules(),
            id: row.id,
            name: row.name,
            description: row.description,
            enabled: row.enabled,
            priority: row.priority,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CreatePolicy {
    /// Unique within the tenant, at most 200 characters.
    #[schema(example = "Block PII on ChatGPT")]
    name: String,
    rules: Rules,
    /// At most 500 characters (default "").
    #[serde(default)]
    description: String,
    /// Default false: policies are created disabled.
    #[serde(default)]
    enabled: bool,
    /// 0–1000, default 100.
    #[serde(default = "default_priority")]
    priority: i32,
}

fn default_priority() -> i32 {
    100
}

/// Any subset of the fields; those absent keep their value.
#[derive(Deserialize, ToSchema)]
pub struct UpdatePolicy {
    name: Option<String>,
    rules: Option<Rules>,
    description: Option<String>,
    enabled: Option<bool>,
    priority: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyList {
    policies: Vec<Policy>,
}

fn check(name: &str, description: &str, priority: i32, rules: &Rules) -> Result<(), ApiError> {
    let name_len = name.trim().chars().count();
    if name_len == 0 || name_len > 200 {
        return Err(ApiError::bad_request("name must be 1 to 200 characters"));
    }
    if description.chars().count() > 500 {
        return Err(ApiError::bad_request(
            "description must be at most 500 characters",
        ));
    }
    if !(0..=1000).contains(&priority) {
        return Err(ApiError::bad_request("priority must be between 0 and 1000"));
    }
    rules.validate().map_err(ApiError::bad_request)
}

fn write_error(e: WriteError, name: &str) -> ApiError {
    match e {
        WriteError::DuplicateName => {
            ApiError::conflict(format!("A policy named \"{name}\" already exists"))
        }
        WriteError::Other(e) => e.into(),
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("Policy not found")
}

/// Writes a policy change to the audit log.
async fn audit(
    state: &ServiceState,
    user: &AuthUser,
    action: &str,
    policy: &PolicyRow,
) -> anyhow::Result<()> {
    let details = serde_json::json!({ "name": policy.name, "enabled": policy.enabled, "priority": policy.priority });
    let target = format!("policy:{}", policy.id);
    let audit = state.platform.audit();
    audit
        .record(user, ServiceName::Guard, action, target, details)
        .await
        .map(drop)
}

/// Create a policy (admin).
#[utoipa::path(post, path = "/api/v1/policies", tag = "policies", request_body = CreatePolicy, security(("bearer" = [])),
    responses((status = 201, body = Policy), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "Duplicate name")))]
pub async fn create_policy(
    State(state): State<ServiceState>,
    State(store): State<GuardStore>,
    user: AuthUser,
    AppJson(req): AppJson<CreatePolicy>,
) -> Result<impl IntoResponse, ApiError> {
    user.require_role(&["admin"])?;
    check(&req.name, &req.description, req.priority, &req.rules)?;
    let now = platform::store::now();
    let row = PolicyRow {
        id: Uuid::now_v7(),
        tenant_id: user.tenant_id(),
        name: req.name.trim().to_string(),
        description: req.description,
        rules: serde_json::to_string(&req.rules).map_err(anyhow::Error::from)?,
        enabled: req.enabled,
        priority: req.priority,
        created_at: now,
        updated_at: now,
    };
    store
        .insert_policy(&row)
        .await
        .map_err(|e| write_error(e, &row.name))?;
    audit(&state, &user, "policy.create", &row).await?;
    let location = format!("/api/v1/policies/{}", row.id);
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(Policy::from(row)),
    ))
}

/// List policies in evaluation order (`page`/`limit`, default 50, max 500).
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = PolicyList, headers(("X-Total-Count" = u64), ("X-Page" = u64), ("X-Per-Page" = u64), ("X-Total-Pages" = u64))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_policies(
    State(store): State<GuardStore>,
    user: AuthUser,
    Query(params): Query<PageParams>,
) -> Result<Paged<PolicyList>, ApiError> {
    let page = params.resolve(50, 500)?;
    let (rows, total) = store.policies_page(user.tenant_id(), page).await?;
    let returned = rows.len();
    let list = PolicyList {
        policies: rows.into_iter().map(Policy::from).collect(),
    };
    Ok(Paged::new(page, total, returned, list))
}

/// Get one policy.
#[utoipa::path(get, path = "/api/v1/policies/{id}", tag = "policies", security(("bearer" = [])),
    responses((status = 200, body = Policy), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_policy(
    State(store): State<GuardStore>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<Policy>, ApiError> {
    let row = store
        .policy(user.tenant_id(), id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(row.into()))
}

/// Update a policy (admin): the fields given replace the stored ones.
#[utoipa::path(put, path = "/api/v1/policies/{id}", tag = "policies", request_body = UpdatePolicy, security(("bearer" = [])),
    responses((status = 200, body = Policy), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_policy(
    State(state): State<ServiceState>,
    State(store): State<GuardStore>,
    user: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(req): AppJson<UpdatePolicy>,
) -> Result<Json<Policy>, ApiError> {
    user.require_role(&["admin"])?;
    let mut row = store
        .policy(user.tenant_id(), id)
        .await?
        .ok_or_else(not_found)?;
    let rules = req.rules.unwrap_or_else(|| row.rules());
    if let Some(name) = req.name {
        row.name = name.trim().to_string();
    }
    if let Some(description) = req.description {
        row.description = description;
    }
    row.enabled = req.enabled.unwrap_or(row.enabled);
    row.priority = req.priority.unwrap_or(row.priority);
    check(&row.name, &row.description, row.priority, &rules)?;
    row.rules = serde_json::to_string(&rules).map_err(anyhow::Error::from)?;
    row.updated_at = platform::store::now();
    if !store
        .update_policy(&row)
        .await
        .map_err(|e| write_error(e, &row.name))?
    {
        return Err(not_found());
    }
    audit(&state, &user, "policy.update", &row).await?;
    Ok(Json(row.into()))
}

/// Delete a policy (admin): 204, no body.
#[utoipa::path(delete, path = "/api/v1/policies/{id}", tag = "policies", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_policy(
    State(state): State<ServiceState>,
    State(store): State<GuardStore>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    user.require_role(&["admin"])?;
    let row = store
        .policy(user.tenant_id(), id)
        .await?
        .ok_or_else(not_found)?;
    if !store.delete_policy(user.tenant_id(), id).await? {
        return Err(not_found());
    }
    audit(&state, &user, "policy.delete", &row).await?;
    Ok(StatusCode::NO_CONTENT)
}
