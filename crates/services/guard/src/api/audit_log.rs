//! `GET /api/v1/audit-log`: the tenant's admin activity log, newest first (admins only).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use platform::audit::AuditEntry;
use platform::http::pagination::{PageParams, Paged};
use platform::http::{ApiError, AuthUser};
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct AuditLogPage {
    entries: Vec<AuditLogEntry>,
    /// Entries in the tenant's log (also in `X-Total-Count`).
    total: i64,
    page: u64,
    limit: u64,
}

/// One audit row, with the hashes that chain it to the previous row.
#[derive(Serialize, ToSchema)]
pub struct AuditLogEntry {
    id: Uuid,
    seq: i64,
    occurred_at: DateTime<Utc>,
    /// The service where it happened.
    service: String,
    /// Who acted (email, API key prefix or `system`).
    actor: String,
    action: String,
    target: String,
    /// As recorded (stored as canonical JSON and passed through unparsed).
    #[schema(value_type = Object)]
    details: Box<serde_json::value::RawValue>,
    prev_hash: String,
    hash: String,
}

impl From<AuditEntry> for AuditLogEntry {
    fn from(e: AuditEntry) -> Self {
        AuditLogEntry {
            details: serde_json::value::RawValue::from_string(e.details).unwrap_or_else(|_| {
                serde_json::value::RawValue::from_string("null".into()).expect("valid JSON")
            }),
            id: e.id,
            seq: e.seq,
            occurred_at: e.occurred_at,
            service: e.service,
            actor: e.actor,
            action: e.action,
            target: e.target,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// List the audit log. Paginated with `page`/`limit` (default 50, max 500).
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(PageParams), security(("bearer" = [])), responses(
    (status = 200, body = AuditLogPage, headers(
        ("X-Total-Count" = u64), ("X-Page" = u64), ("X-Per-Page" = u64), ("X-Total-Pages" = u64))),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "Not an admin"), (status = 429, body = ErrorBody)))]
pub async fn list_audit_log(
    State(state): State<ServiceState>,
    user: AuthUser,
    Query(params): Query<PageParams>,
) -> Result<impl IntoResponse, ApiError> {
    user.require_role(&["admin"])?;
    let page = params.resolve(50, 500)?;
    let (rows, total) = state
        .platform
        .audit()
        .page(user.tenant_id(), page.limit as i64, page.offset() as i64)
        .await?;
    let returned = rows.len();
    let body = AuditLogPage {
        entries: rows.into_iter().map(AuditLogEntry::from).collect(),
        total,
        page: page.page,
        limit: page.limit,
    };
    Ok(Paged::new(page, total.max(0) as u64, returned, body))
}
