//! `/api/v1/webhooks`: register receivers for guard events. The `whsec_` signing secret is
//! shown once, at creation; it and the optional delivery token are stored sealed. Deliveries go
//! through the platform webhook module, which also keeps the subscriptions (signed, retried,
//! SSRF-guarded).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::http::pagination::{PageParams, Paged};
use platform::http::{ApiError, AppJson, AuthUser};
use platform::webhooks::{
    check_events, check_headers, check_target, NewSubscription, SubscriptionRow,
};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::ErrorBody;

/// The events a webhook may subscribe to.
pub const EVENTS: [&str; 4] = [
    "interaction.created",
    "interaction.policy_violated",
    "alert.created",
    "alert.severity_high",
];

#[derive(Deserialize, ToSchema)]
pub struct CreateWebhook {
    /// HTTPS URL of a publicly reachable receiver.
    #[schema(example = "https://hooks.example.com/noxys")]
    url: String,
    /// interaction.created, interaction.policy_violated, alert.created, alert.severity_high.
    events: Vec<String>,
    #[serde(default)]
    description: String,
    #[serde(default = "yes")]
    active: bool,
    /// Extra headers added to every delivery.
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// Sent as `Authorization: Bearer <auth_token>` on deliveries when not empty.
    #[serde(default)]
    auth_token: String,
}

fn yes() -> bool {
    true
}

#[derive(Serialize, ToSchema)]
pub struct Webhook {
    #[schema(example = "whk_abc123def456")]
    id: String,
    url: String,
    events: Vec<String>,
    active: bool,
    description: String,
    /// Header names only; values are not shown again.
    header_names: Vec<String>,
    has_auth_token: bool,
    /// Only in the creation response: keep it, it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    signing_secret: Option<String>,
    created_at: DateTime<Utc>,
}

impl Webhook {
    fn of(row: &SubscriptionRow, signing_secret: Option<String>) -> Webhook {
        Webhook {
            id: row.id.clone(),
            url: row.url.clone(),
            events: row.events(),
            active: row.active,
            description: row.description.clone(),
            header_names: row.headers().into_keys().collect(),
            has_auth_token: row.has_auth_token(),
            signing_secret,
            created_at: row.created_at,
        }
    }
}

/// Writes a webhook change to the audit log.
async fn audit(
    state: &ServiceState,
    user: &AuthUser,
    action: &str,
    row: &SubscriptionRow,
) -> anyhow::Result<()> {
    let details =
        serde_json::json!({ "url": row.url, "events": row.events(), "active": row.active });
    let target = format!("webhook:{}", row.id);
    let audit = state.platform.audit();
    audit
        .record(user, ServiceName::Guard, action, target, details)
        .await
        .map(drop)
}

/// Register a webhook (admin). The response carries the signing secret, once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = CreateWebhook, security(("bearer" = [])),
    responses((status = 201, body = Webhook), (status = 400, body = ErrorBody, description = "Bad URL (not https, private or unresolvable target), unknown event, bad header"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_webhook(
    State(state): State<ServiceState>,
    user: AuthUser,
    AppJson(req): AppJson<CreateWebhook>,
) -> Result<impl IntoResponse, ApiError> {
    user.require_role(&["admin"])?;
    let events = check_events(&req.events, &EVENTS).map_err(ApiError::bad_request)?;
    if req.description.chars().count() > 500 || req.url.len() > 2048 || req.auth_token.len() > 4096
    {
        return Err(ApiError::bad_request(
            "description (500), url (2048) or auth_token (4096) too long",
        ));
    }
    check_headers(&req.headers).map_err(ApiError::bad_request)?;
    let allow_private = state.platform.settings().webhooks.allow_private_targets;
    let url = check_target(&req.url, allow_private)
        .await
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let new = NewSubscription {
        url: url.to_string(),
        events,
        description: req.description,
        active: req.active,
        headers: req.headers,
        auth_token: req.auth_token,
    };
    let webhooks = state.platform.webhooks();
    let (row, secret) = webhooks
        .create(user.tenant_id(), ServiceName::Guard, new)
        .await?;
    audit(&state, &user, "webhook.create", &row).await?;
    Ok((StatusCode::CREATED, Json(Webhook::of(&row, Some(secret)))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookFilters {
    pub active: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    webhooks: Vec<Webhook>,
}

/// List webhooks (secrets and header values are never shown).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", params(PageParams, WebhookFilters), security(("bearer" = [])),
    responses((status = 200, body = WebhookList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_webhooks(
    State(state): State<ServiceState>,
    user: AuthUser,
    Query(params): Query<PageParams>,
    Query(filters): Query<WebhookFilters>,
) -> Result<Paged<WebhookList>, ApiError> {
    let page = params.resolve(50, 500)?;
    let webhooks = state.platform.webhooks();
    let (rows, total) = webhooks
        .page(user.tenant_id(), ServiceName::Guard, filters.active, page)
        .await?;
    let list = WebhookList {
        webhooks: rows.iter().map(|r| Webhook::of(r, None)).collect(),
    };
    Ok(Paged::new(page, total, rows.len(), list))
}

/// Delete a webhook (admin): 204. Deliveries already queued still run.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_webhook(
    State(state): State<ServiceState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    user.require_role(&["admin"])?;
    let webhooks = state.platform.webhooks();
    let not_found = || ApiError::not_found("Webhook not found");
    let row = webhooks
        .get(user.tenant_id(), ServiceName::Guard, &id)
        .await?
        .ok_or_else(not_found)?;
    if !webhooks
        .delete(user.tenant_id(), ServiceName::Guard, &id)
        .await?
    {
        return Err(not_found());
    }
    audit(&state, &user, "webhook.delete", &row).await?;
    Ok(StatusCode::NO_CONTENT)
}
