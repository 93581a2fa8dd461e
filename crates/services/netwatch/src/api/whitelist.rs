//! The IP whitelist: `GET|POST /settings/whitelist`, `DELETE /settings/whitelist/{entry_id}`.
//! Entries are pushed to agents through `/agents/config`; listed addresses are never reported.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use ipnet::IpNet;
use platform::audit::AuditEvent;
use platform::http::fields::Field;
use platform::http::{ApiError, AppJson};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::alerts::parse_id;
use crate::auth::Dashboard;
use crate::model::{WhitelistEntry, TRIAGE_ROLES};
use crate::store::NetwatchStore;
use crate::ErrorBody;

const MAX_ENTRIES: usize = 1000;

#[derive(Serialize, ToSchema)]
pub struct Whitelist {
    entries: Vec<WhitelistEntry>,
    total: usize,
}

#[derive(Deserialize, ToSchema)]
pub struct NewEntry {
    /// An IPv4/IPv6 address or a network in CIDR form (`ip` is accepted as the same field).
    #[serde(default, alias = "ip")]
    #[schema(value_type = String, example = "203.0.113.7")]
    cidr: Field<String>,
    #[serde(default, alias = "description")]
    #[schema(value_type = Option<String>)]
    note: Field<String>,
}

/// Parses an address or network into its canonical network form (host bits cleared).
pub fn canonical_network(text: &str) -> Option<String> {
    let text = text.trim();
    let net: IpNet = text
        .parse()
        .ok()
        .or_else(|| text.parse::<std::net::IpAddr>().ok().map(IpNet::from))?;
    Some(net.trunc().to_string())
}

/// The whitelist (every role).
#[utoipa::path(get, path = "/api/v1/settings/whitelist", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Whitelist), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list(
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<Whitelist>, ApiError> {
    let entries = store.whitelist(user.tenant_id()).await?;
    Ok(Json(Whitelist {
        total: entries.len(),
        entries,
    }))
}

/// Add an address or network (admin, analyst).
#[utoipa::path(post, path = "/api/v1/settings/whitelist", tag = "settings", request_body = NewEntry, security(("bearer" = [])),
    responses((status = 201, body = WhitelistEntry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn add(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
    AppJson(body): AppJson<NewEntry>,
) -> Result<(StatusCode, Json<WhitelistEntry>), ApiError> {
    user.require(TRIAGE_ROLES)?;
    let text = body.cidr.required("cidr", "a string")?;
    let cidr = canonical_network(&text).ok_or_else(|| {
        ApiError::bad_request("cidr must be an IP address or a network such as 10.0.0.0/8")
    })?;
    let note = body.note.optional("note", "a string")?.unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(ApiError::bad_request("note must be at most 500 characters"));
    }
    if store.whitelist(user.tenant_id()).await?.len() >= MAX_ENTRIES {
        return Err(ApiError::bad_request(format!(
            "The whitelist holds at most {MAX_ENTRIES} entries"
        )));
    }
    let entry = store
        .add_whitelist(user.tenant_id(), &cidr, &note, user.email())
        .await?
        .ok_or_else(|| ApiError::conflict(format!("{cidr} is already whitelisted")))?;
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().into(),
        action: "whitelist.add".into(),
        target: format!("whitelist:{}", entry.id),
        details: json!({"cidr": cidr, "note": note}),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Remove an entry (admin, analyst).
#[utoipa::path(delete, path = "/api/v1/settings/whitelist/{entry_id}", tag = "settings", params(("entry_id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn remove(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    user.require(TRIAGE_ROLES)?;
    let id = parse_id(&id, "Whitelist entry")?;
    let entry = store
        .remove_whitelist(user.tenant_id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("Whitelist entry not found"))?;
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().into(),
        action: "whitelist.remove".into(),
        target: format!("whitelist:{}", entry.id),
        details: json!({"cidr": entry.cidr}),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
