//! `GET /api/v1/inventory`: the shadow-AI view — every AI platform the tenant's people used,
//! with first and last sighting, volume, distinct users, risk and decisions.

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::http::pagination::{page_headers, PageParams};
use platform::http::{ApiError, AuthUser};
use platform::store::Filter;
use platform::{bind_args, on_db, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::ErrorBody;

/// Vendors of the platforms the contract names; others are listed by id alone.
fn vendor(platform_id: &str) -> Option<&'static str> {
    Some(match platform_id {
        "chatgpt" => "OpenAI",
        "claude" => "Anthropic",
        "gemini" => "Google",
        "deepseek" => "DeepSeek",
        "perplexity" => "Perplexity",
        "mistral" => "Mistral AI",
        "copilot" => "Microsoft",
        "poe" => "Quora",
        "huggingchat" => "Hugging Face",
        "grok" => "xAI",
        _ => return None,
    })
}

#[derive(sqlx::FromRow)]
struct Row {
    platform_id: String,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    interactions: i64,
    distinct_users: i64,
    max_risk: f64,
    mean_risk: f64,
    blocked: i64,
    coached: i64,
    logged: i64,
    allowed: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ActionCounts {
    block: i64,
    coach: i64,
    log: i64,
    allow: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PlatformUsage {
    platform_id: String,
    /// Known vendor, or null for platforms outside the built-in list.
    vendor: Option<&'static str>,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    interactions: i64,
    distinct_users: i64,
    max_risk: f64,
    mean_risk: f64,
    actions: ActionCounts,
}

#[derive(Serialize, ToSchema)]
pub struct Inventory {
    platforms: Vec<PlatformUsage>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryRange {
    /// Only interactions at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only interactions before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// The AI platforms in use, most used first (`page`/`limit`, default 50, max 500).
#[utoipa::path(get, path = "/api/v1/inventory", tag = "inventory", params(PageParams, InventoryRange), security(("bearer" = [])),
    responses((status = 200, body = Inventory, headers(("X-Total-Count" = u64), ("X-Page" = u64), ("X-Per-Page" = u64), ("X-Total-Pages" = u64))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn inventory(
    State(state): State<ServiceState>,
    user: AuthUser,
    Query(params): Query<PageParams>,
    Query(range): Query<InventoryRange>,
) -> Result<impl IntoResponse, ApiError> {
    let page = params.resolve(50, 500)?;
    let filter = Filter::new()
        .eq("tenant_id", user.tenant_id())
        .cmp_opt("created_at", ">=", range.from)
        .cmp_opt("created_at", "<", range.to);
    let n = filter.next_placeholder();
    let sql = format!(
        "SELECT platform_id, MIN(created_at) AS first_seen, MAX(created_at) AS last_seen, COUNT(*) AS interactions, \
         COUNT(DISTINCT user_id) AS distinct_users, MAX(risk_score) AS max_risk, AVG(risk_score) AS mean_risk, \
         SUM(CASE WHEN action = 'block' THEN 1 ELSE 0 END) AS blocked, SUM(CASE WHEN action = 'coach' THEN 1 ELSE 0 END) AS coached, \
         SUM(CASE WHEN action = 'log' THEN 1 ELSE 0 END) AS logged, SUM(CASE WHEN action = 'allow' THEN 1 ELSE 0 END) AS allowed \
         FROM guard_interactions{} GROUP BY platform_id ORDER BY COUNT(*) DESC, platform_id LIMIT ${n} OFFSET ${}",
        filter.where_sql(),
        n + 1
    );
    let count = format!(
        "SELECT COUNT(DISTINCT platform_id) FROM guard_interactions{}",
        filter.where_sql()
    );
    let db = state.platform.db();
    let rows = on_db!(db, p => bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.clone())), &filter.args)
        .bind(page.limit as i64).bind(page.offset() as i64).fetch_all(p).await)?;
    let (total,): (i64,) = on_db!(db, p => bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(count.clone())), &filter.args).fetch_one(p).await)?;
    let headers = page_headers(total as u64, page, rows.len());
    let platforms = rows
        .into_iter()
        .map(|r| PlatformUsage {
            vendor: vendor(&r.platform_id),
            platform_id: r.platform_id,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            interactions: r.interactions,
            distinct_users: r.distinct_users,
            max_risk: r.max_risk,
            mean_risk: (r.mean_risk * 1000.0).round() / 1000.0,
            actions: ActionCounts {
                block: r.blocked,
                coach: r.coached,
                log: r.logged,
                allow: r.allowed,
            },
        })
        .collect();
    Ok((headers, Json(Inventory { platforms })))
}
