//! `/api/v1/webhooks`: register receivers for guard events. The `whsec_` signing secret is
//! shown once, at creation; it and the optional delivery token are stored sealed. Deliveries go
//! through the platform webhook module (signed, retried, SSRF-guarded).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::audit::AuditEvent;
use platform::http::pagination::{page_headers, PageParams};
use platform::http::{ApiError, AppJson, AuthUser};
use platform::store::{self, fetch_page, Db, Filter};
use platform::webhooks::{check_target, new_signing_secret};
use platform::{on_db, sealed, ServiceName, ServiceState};
use rand::distributions::{Alphanumeric, DistString};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::ErrorBody;

/// The events a webhook may subscribe to.
pub const EVENTS: [&str; 4] = [
    "interaction.created",
    "interaction.policy_violated",
    "alert.created",
    "alert.severity_high",
];
const MAX_HEADERS: usize = 20;
const RESERVED_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
    "connection",
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: String,
    pub tenant_id: Uuid,
    pub url: String,
    pub events: String,
    pub description: String,
    pub active: bool,
    pub headers: String,
    pub auth_token: String,
    pub signing_secret: String,
    pub created_at: DateTime<Utc>,
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

impl WebhookRow {
    pub fn events(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }
    pub fn headers(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.headers).unwrap_or_default()
    }
    fn view(&self, signing_secret: Option<String>) -> Webhook {
        Webhook {
            id: self.id.clone(),
            url: self.url.clone(),
            events: self.events(),
            active: self.active,
            description: self.description.clone(),
            header_names: self.headers().into_keys().collect(),
            has_auth_token: !self.auth_token.is_empty(),
            signing_secret,
            created_at: self.created_at,
        }
    }
}

const COLUMNS: &str = "id, tenant_id, url, events, description, active, headers, auth_token, signing_secret, created_at";

/// The tenant's active webhooks (for delivery).
pub async fn active(db: &Db, tenant_id: Uuid) -> Result<Vec<WebhookRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM guard_webhooks WHERE tenant_id = $1 AND active = TRUE");
    on_db!(db, p => sqlx::query_as::<_, WebhookRow>(sqlx::AssertSqlSafe(sql.clone())).bind(tenant_id).fetch_all(p).await)
}

fn check_headers(headers: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if headers.len() > MAX_HEADERS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_HEADERS} custom headers"
        )));
    }
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err()
            || axum::http::HeaderValue::from_str(value).is_err()
        {
            return Err(ApiError::bad_request(format!("invalid header `{name}`")));
        }
        if RESERVED_HEADERS.contains(&lower.as_str()) || lower.starts_with("x-redoubt-") {
            return Err(ApiError::bad_request(format!(
                "header `{name}` is set by Redoubt and cannot be overridden"
            )));
        }
    }
    Ok(())
}

async fn audit(
    state: &ServiceState,
    user: &AuthUser,
    action: &str,
    row: &WebhookRow,
) -> Result<(), ApiError> {
    let event = AuditEvent {
        service: ServiceName::Guard,
        actor: user.claims.email.clone(),
        action: action.into(),
        target: format!("webhook:{}", row.id),
        details: serde_json::json!({ "url": row.url, "events": row.events(), "active": row.active }),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok(())
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
    if req.events.is_empty() {
        return Err(ApiError::bad_request("events must list at least one event"));
    }
    if let Some(bad) = req.events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown event `{bad}` (events: {})",
            EVENTS.join(", ")
        )));
    }
    if req.description.chars().count() > 500 || req.url.len() > 2048 || req.auth_token.len() > 4096
    {
        return Err(ApiError::bad_request(
            "description (500), url (2048) or auth_token (4096) too long",
        ));
    }
    check_headers(&req.headers)?;
    let allow_private = state.platform.settings().webhooks.allow_private_targets;
    let url = check_target(&req.url, allow_private)
        .await
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut events = req.events.clone();
    events.sort();
    events.dedup();
    let secret = new_signing_secret();
    let key = state.platform.master_key();
    let row = WebhookRow {
        id: format!(
            "whk_{}",
            Alphanumeric
                .sample_string(&mut rand::thread_rng(), 24)
                .to_ascii_lowercase()
        ),
        tenant_id: user.tenant_id(),
        url: url.to_string(),
        events: serde_json::to_string(&events).map_err(anyhow::Error::from)?,
        description: req.description,
        active: req.active,
        headers: serde_json::to_string(&req.headers).map_err(anyhow::Error::from)?,
        auth_token: if req.auth_token.is_empty() {
            String::new()
        } else {
            sealed::seal(key, &req.auth_token)
        },
        signing_secret: sealed::seal(key, &secret),
        created_at: store::now(),
    };
    let sql = "INSERT INTO guard_webhooks (id, tenant_id, url, events, description, active, headers, auth_token, signing_secret, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    on_db!(state.platform.db(), p => sqlx::query(sql)
        .bind(&row.id).bind(row.tenant_id).bind(&row.url).bind(&row.events).bind(&row.description).bind(row.active)
        .bind(&row.headers).bind(&row.auth_token).bind(&row.signing_secret).bind(row.created_at)
        .execute(p).await.map(|_| ()))?;
    audit(&state, &user, "webhook.create", &row).await?;
    Ok((StatusCode::CREATED, Json(row.view(Some(secret)))))
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
) -> Result<impl IntoResponse, ApiError> {
    let page = params.resolve(50, 500)?;
    let filter = Filter::new()
        .eq("tenant_id", user.tenant_id())
        .eq_opt("active", filters.active);
    let select = format!("SELECT {COLUMNS} FROM guard_webhooks");
    let (rows, total) = fetch_page::<WebhookRow>(
        state.platform.db(),
        &select,
        "FROM guard_webhooks",
        &filter,
        "created_at DESC, id",
        page.limit as i64,
        page.offset() as i64,
    )
    .await?;
    let headers = page_headers(total as u64, page, rows.len());
    Ok((
        headers,
        Json(WebhookList {
            webhooks: rows.iter().map(|r| r.view(None)).collect(),
        }),
    ))
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
    let db = state.platform.db();
    let sql = format!("SELECT {COLUMNS} FROM guard_webhooks WHERE id = $1 AND tenant_id = $2");
    let row = on_db!(db, p => sqlx::query_as::<_, WebhookRow>(sqlx::AssertSqlSafe(sql.clone())).bind(&id).bind(user.tenant_id()).fetch_optional(p).await)?
        .ok_or_else(|| ApiError::not_found("Webhook not found"))?;
    let delete = "DELETE FROM guard_webhooks WHERE id = $1 AND tenant_id = $2";
    on_db!(db, p => sqlx::query(delete).bind(&id).bind(user.tenant_id()).execute(p).await.map(|_| ()))?;
    audit(&state, &user, "webhook.delete", &row).await?;
    Ok(StatusCode::NO_CONTENT)
}
