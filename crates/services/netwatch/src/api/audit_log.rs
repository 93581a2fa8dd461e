//! `GET /api/v1/settings/audit-log`: the tenant's audit log, newest first, `limit`/`offset`
//! paginated with `total` in the body (admins and auditors).

use axum::extract::{Query, State};
use axum::Json;
use platform::audit::AuditEntry;
use platform::http::pagination::OffsetParams;
use platform::http::ApiError;
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Dashboard;
use crate::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct AuditLogPage {
    #[schema(value_type = Vec<Object>)]
    entries: Vec<AuditEntry>,
    /// Entries matching, ignoring paging.
    total: i64,
    limit: u64,
    offset: u64,
}

/// List the audit log (default limit 30, max 100).
#[utoipa::path(get, path = "/api/v1/settings/audit-log", tag = "settings", params(OffsetParams), security(("bearer" = [])),
    responses((status = 200, body = AuditLogPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list_audit_log(
    State(state): State<ServiceState>,
    user: Dashboard,
    Query(params): Query<OffsetParams>,
) -> Result<Json<AuditLogPage>, ApiError> {
    user.require(&["admin", "auditor"])?;
    let page = params.resolve(30, 100)?;
    let (entries, total) = state
        .platform
        .audit()
        .page(user.tenant_id(), page.limit as i64, page.offset as i64)
        .await?;
    Ok(Json(AuditLogPage {
        entries,
        total,
        limit: page.limit,
        offset: page.offset,
    }))
}
