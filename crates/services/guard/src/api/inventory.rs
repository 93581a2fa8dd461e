//! `GET /api/v1/inventory`: the shadow-AI view — every AI platform the tenant's people used,
//! with first and last sighting, volume, distinct users, risk and decisions.

use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use platform::http::pagination::{PageParams, Paged};
use platform::http::{ApiError, AuthUser};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::store::GuardStore;
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
    State(store): State<GuardStore>,
    user: AuthUser,
    Query(params): Query<PageParams>,
    Query(range): Query<InventoryRange>,
) -> Result<Paged<Inventory>, ApiError> {
    let page = params.resolve(50, 500)?;
    let (rows, total) = store
        .platforms_page(user.tenant_id(), range.from, range.to, page)
        .await?;
    let returned = rows.len();
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
    Ok(Paged::new(page, total, returned, Inventory { platforms }))
}
