//! `GET /api/v1/alerts`: alerts raised by block/coach decisions and high or critical risk,
//! newest first, filtered and paginated.

pub mod rule;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::http::pagination::{page_headers, PageParams};
use platform::http::{ApiError, AuthUser};
use platform::store::{fetch_page, Db, Filter};
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::interactions::Interaction;
use crate::ErrorBody;

pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AlertRow {
    pub id: Uuid,
    #[serde(skip)]
    pub tenant_id: Uuid,
    pub interaction_id: Uuid,
    /// medium, high or critical.
    pub severity: String,
    /// JSON list of why: policy_block, policy_coach, risk_high, risk_critical.
    #[serde(skip)]
    pub reasons: String,
    pub title: String,
    pub platform_id: String,
    pub user_id: Option<Uuid>,
    /// The interaction's decision.
    pub action: String,
    pub risk_score: f64,
    pub policy_id: Option<Uuid>,
    /// `open` (alerts have no workflow in this contract).
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// An alert as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alert {
    #[serde(flatten)]
    pub row: AlertRow,
    pub reasons: Vec<String>,
}

impl From<AlertRow> for Alert {
    fn from(row: AlertRow) -> Self {
        Alert {
            reasons: serde_json::from_str(&row.reasons).unwrap_or_default(),
            row,
        }
    }
}

/// The alert an interaction raises, if any.
pub fn for_interaction(i: &Interaction) -> Option<AlertRow> {
    let raised = rule::alert_for(i)?;
    Some(AlertRow {
        id: Uuid::now_v7(),
        tenant_id: i.tenant_id,
        interaction_id: i.id,
        severity: raised.severity.into(),
        reasons: serde_json::to_string(&raised.reasons).expect("strings serialise"),
        title: raised.title,
        platform_id: i.platform_id.clone(),
        user_id: i.user_id,
        action: i.action.clone(),
        risk_score: i.risk_score,
        policy_id: i.decision.policy_id,
        status: "open".into(),
        created_at: i.created_at,
    })
}

pub const INSERT_SQL: &str = "INSERT INTO guard_alerts (id, tenant_id, interaction_id, severity, reasons, title, platform_id, \
     user_id, action, risk_score, policy_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFilters {
    /// low, medium, high, critical.
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

async fn page(
    db: &Db,
    filter: Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AlertRow>, i64), sqlx::Error> {
    let select = "SELECT id, tenant_id, interaction_id, severity, reasons, title, platform_id, user_id, action, risk_score, \
                  policy_id, status, created_at FROM guard_alerts";
    fetch_page(
        db,
        select,
        "FROM guard_alerts",
        &filter,
        "created_at DESC, id DESC",
        limit,
        offset,
    )
    .await
}

/// List alerts, newest first (`page`/`limit`, default 50, max 500).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(PageParams, AlertFilters), security(("bearer" = [])),
    responses((status = 200, body = AlertList, headers(("X-Total-Count" = u64), ("X-Page" = u64), ("X-Per-Page" = u64), ("X-Total-Pages" = u64))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_alerts(
    State(state): State<ServiceState>,
    user: AuthUser,
    Query(params): Query<PageParams>,
    Query(filters): Query<AlertFilters>,
) -> Result<impl IntoResponse, ApiError> {
    let page_req = params.resolve(50, 500)?;
    if let Some(s) = &filters.severity {
        if !SEVERITIES.contains(&s.as_str()) {
            return Err(ApiError::bad_request(
                "severity must be one of low, medium, high, critical",
            ));
        }
    }
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
    let (rows, total) = page(
        state.platform.db(),
        filter,
        page_req.limit as i64,
        page_req.offset() as i64,
    )
    .await?;
    let headers = page_headers(total as u64, page_req, rows.len());
    Ok((
        headers,
        Json(AlertList {
            alerts: rows.into_iter().map(Alert::from).collect(),
        }),
    ))
}
