//! `GET /api/v1/alerts`: alerts raised by block/coach decisions and high or critical risk,
//! newest first, filtered and paginated.

use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use platform::http::pagination::{PageParams, Paged};
use platform::http::{ApiError, AuthUser};
use platform::store::Filter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::model::alert::Alert;
use crate::model::vocabulary::{filter, Severity};
use crate::store::GuardStore;
use crate::ErrorBody;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFilters {
    /// low, medium, high, critical.
    #[param(value_type = Option<Severity>)]
    pub severity: Option<String>,
    pub platform_id: Option<String>,
    pub user_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    /// Only alerts at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only alerts before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertList {
    alerts: Vec<Alert>,
}

/// List alerts, newest first (`page`/`limit`, default 50, max 500).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(PageParams, AlertFilters), security(("bearer" = [])),
    responses((status = 200, body = AlertList, headers(("X-Total-Count" = u64), ("X-Page" = u64), ("X-Per-Page" = u64), ("X-Total-Pages" = u64))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_alerts(
    State(store): State<GuardStore>,
    user: AuthUser,
    Query(params): Query<PageParams>,
    Query(filters): Query<AlertFilters>,
) -> Result<Paged<AlertList>, ApiError> {
    let page_req = params.resolve(50, 500)?;
    filter::<Severity>("severity", &filters.severity)?;
    let filter = Filter::new()
        .eq("tenant_id", user.tenant_id())
        .eq_opt("severity", filters.severity)
        .eq_opt(
            "platform_id",
            filters.platform_id.map(|p| p.to_ascii_lowercase()),
        )
        .eq_opt("user_id", filters.user_id)
        .eq_opt("interaction_id", filters.interaction_id)
        .cmp_opt("created_at", ">=", filters.from)
        .cmp_opt("created_at", "<", filters.to);
    let (rows, total) = store.alerts_page(&filter, page_req).await?;
    let returned = rows.len();
    let list = AlertList {
        alerts: rows.into_iter().map(Alert::from).collect(),
    };
    Ok(Paged::new(page_req, total, returned, list))
}
