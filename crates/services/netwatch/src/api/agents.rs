//! The agent API: `POST /agents/auth` (licence key → agent token), `POST /agents/heartbeat`,
//! `GET /agents/config`, `GET /agents/version`, and ours: `POST /agents/detections` (batched,
//! idempotent uploads) and `GET /devices` (the agents as devices, for the dashboard).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::Json;
use platform::http::fields::Field;
use platform::http::{ApiError, AppJson};
use platform::identity::api_keys::hash_key;
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::auth::{locked, Agent, Dashboard};
use crate::model::{AGENT_ROLE, AGENT_VERSION, HEARTBEAT_SECS, OFFLINE_AFTER_SECS};
use crate::store::AgentHello;
use crate::store::NetwatchStore;
use crate::ErrorBody;

#[derive(Deserialize, ToSchema)]
pub struct AuthRequest {
    #[serde(default)]
    #[schema(value_type = String, example = "nsx_...")]
    license_key: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "hostname-abc123")]
    agent_id: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "webserver-01")]
    hostname: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "linux")]
    os_type: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "1.2.0")]
    agent_version: Field<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuthResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    /// The device id this agent is known by.
    device_id: uuid::Uuid,
    heartbeat_interval_secs: i64,
}

fn short_text(field: Field<String>, name: &str, max: usize) -> Result<String, ApiError> {
    let value = field.required(name, "a string")?;
    let value = value.trim().to_string();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "{name} must be 1 to {max} printable characters"
        )));
    }
    Ok(value)
}

/// Exchange a licence key for an agent JWT.
#[utoipa::path(post, path = "/api/v1/agents/auth", tag = "agents", request_body = AuthRequest,
    responses((status = 200, body = AuthResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 423, body = ErrorBody, description = "Licence expired or revoked"), (status = 429, body = ErrorBody)))]
pub async fn auth(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    AppJson(body): AppJson<AuthRequest>,
) -> Result<Json<AuthResponse>, ApiError> {
    let key = short_text(body.license_key, "license_key", 200)?;
    let agent_id = short_text(body.agent_id, "agent_id", 128)?;
    let hostname = short_text(body.hostname, "hostname", 255)?;
    let os_type = short_text(body.os_type, "os_type", 32)?.to_lowercase();
    let agent_version = short_text(body.agent_version, "agent_version", 32)?;
    let license = store
        .license_by_hash(&hash_key(&key))
        .await?
        .ok_or_else(|| ApiError::unauthorized("Invalid licence key"))?;
    if !license.usable_at(chrono::Utc::now()) {
        return Err(locked("This licence has expired or was revoked"));
    }
    let registered = store.agents(license.tenant_id).await?;
    if let Some(max) = license.plan().max_agents() {
        let known = registered.iter().any(|a| a.agent_id == agent_id);
        if !known && registered.len() >= max {
            return Err(ApiError::forbidden(format!(
                "The {} plan allows {max} agents and this tenant has {}: remove one or upgrade (POST /billing/checkout)",
                license.plan, registered.len()
            )));
        }
    }
    let ip = peer.ip().to_string();
    let hello = AgentHello {
        tenant_id: license.tenant_id,
        license_id: license.id,
        agent_id: &agent_id,
        hostname: &hostname,
        os_type: &os_type,
        agent_version: &agent_version,
        ip: &ip,
    };
    let agent = store.enrol_agent(&hello).await?;
    let jwt = state.platform.jwt();
    let token = jwt.issue(
        ServiceName::Netwatch,
        agent.id,
        &format!("agent:{agent_id}"),
        license.tenant_id,
        AGENT_ROLE,
    );
    Ok(Json(AuthResponse {
        access_token: token,
        token_type: "bearer",
        expires_in: jwt.ttl_secs(),
        device_id: agent.id,
        heartbeat_interval_secs: HEARTBEAT_SECS,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct HeartbeatRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    agent_version: Field<String>,
    /// The agent's counters (packets, detections, queued uploads, …), kept as sent (≤ 4 KiB).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    stats: Field<serde_json::Map<String, Value>>,
}

#[derive(Serialize, ToSchema)]
pub struct HeartbeatResponse {
    status: &'static str,
    license_status: &'static str,
    license_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    plan: String,
    update_available: bool,
    latest_version: &'static str,
    /// Changes whenever `/agents/config` would answer differently.
    config_version: String,
    server_time: i64,
    heartbeat_interval_secs: i64,
}

/// Newer than `running` (numeric dotted versions; anything unparsable counts as older).
fn newer(latest: &str, running: &str) -> bool {
    let parse = |v: &str| {
        v.trim_start_matches('v')
            .split(['.', '-', '+'])
            .take(3)
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parse(latest) > parse(running)
}

/// Agent heartbeat, every 60 s (2 per minute per agent).
#[utoipa::path(post, path = "/api/v1/agents/heartbeat", tag = "agents", request_body = HeartbeatRequest, security(("bearer" = [])),
    responses((status = 200, body = HeartbeatResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn heartbeat(
    State(store): State<NetwatchStore>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    caller: Agent,
    body: axum::body::Bytes,
) -> Result<Json<HeartbeatResponse>, ApiError> {
    // The contract gives no body: an empty one is fine, else it must be our JSON object.
    let body: HeartbeatRequest = if body.iter().all(u8::is_ascii_whitespace) {
        HeartbeatRequest::default()
    } else {
        platform::http::input::refuse_nul(&body)?;
        serde_json::from_slice(&body)
            .map_err(|_| ApiError::bad_request("The body must be a JSON object"))?
    };
    let version = match body.agent_version.optional("agent_version", "a string")? {
        Some(v) if !v.is_empty() && v.len() <= 32 => v,
        Some(_) => {
            return Err(ApiError::bad_request(
                "agent_version must be 1 to 32 characters",
            ))
        }
        None => caller.agent.agent_version.clone(),
    };
    let stats = Value::Object(
        body.stats
            .optional("stats", "an object")?
            .unwrap_or_default(),
    )
    .to_string();
    if stats.len() > 4096 {
        return Err(ApiError::bad_request(
            "stats must be at most 4096 bytes of JSON",
        ));
    }
    store
        .heartbeat(caller.agent.id, &version, &stats, &peer.ip().to_string())
        .await?;
    let config = crate::api::config::agent_config(&store, &caller).await?;
    Ok(Json(HeartbeatResponse {
        status: "ok",
        license_status: "active",
        license_expires_at: caller.license.expires_at,
        plan: caller.license.plan.clone(),
        update_available: newer(AGENT_VERSION, &version),
        latest_version: AGENT_VERSION,
        config_version: config["config_version"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        server_time: chrono::Utc::now().timestamp(),
        heartbeat_interval_secs: HEARTBEAT_SECS,
    }))
}

/// The agent's detection configuration: rule overrides, whitelist, suppressions.
#[utoipa::path(get, path = "/api/v1/agents/config", tag = "agents", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn config(
    State(store): State<NetwatchStore>,
    caller: Agent,
) -> Result<Json<Value>, ApiError> {
    store.touch_agent(caller.agent.id).await?;
    Ok(Json(
        crate::api::config::agent_config(&store, &caller).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct VersionResponse {
    latest_version: &'static str,
    /// Agents older than this are told to update before they upload.
    minimum_version: &'static str,
    /// Where to get it: the agent ships with the server (`redoubt-agent` from the same build).
    download_url: Option<String>,
    running_version: String,
    update_available: bool,
}

/// The latest agent version (for auto-update).
#[utoipa::path(get, path = "/api/v1/agents/version", tag = "agents", security(("bearer" = [])),
    responses((status = 200, body = VersionResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn version(caller: Agent) -> Json<VersionResponse> {
    Json(VersionResponse {
        latest_version: AGENT_VERSION,
        minimum_version: AGENT_VERSION,
        download_url: None,
        update_available: newer(AGENT_VERSION, &caller.agent.agent_version),
        running_version: caller.agent.agent_version,
    })
}

#[derive(Serialize, ToSchema)]
pub struct Device {
    id: uuid::Uuid,
    agent_id: String,
    hostname: String,
    os_type: String,
    agent_version: String,
    last_ip: Option<String>,
    first_seen: chrono::DateTime<chrono::Utc>,
    last_seen: chrono::DateTime<chrono::Utc>,
    last_heartbeat: Option<chrono::DateTime<chrono::Utc>>,
    /// `online` when the last heartbeat is under 180 s old (three missed beats make it offline).
    status: &'static str,
    #[schema(value_type = Object)]
    stats: Value,
}

#[derive(Serialize, ToSchema)]
pub struct DeviceList {
    devices: Vec<Device>,
    total: usize,
}

/// Ours: the tenant's agents as devices (every role).
#[utoipa::path(get, path = "/api/v1/devices", tag = "agents", security(("bearer" = [])),
    responses((status = 200, body = DeviceList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn devices(
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<DeviceList>, ApiError> {
    let now = chrono::Utc::now();
    let devices: Vec<Device> = store
        .agents(user.tenant_id())
        .await?
        .into_iter()
        .map(|a| Device {
            status: if a
                .last_heartbeat
                .is_some_and(|t| (now - t).num_seconds() < OFFLINE_AFTER_SECS)
            {
                "online"
            } else {
                "offline"
            },
            stats: a
                .stats
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(json!({})),
            id: a.id,
            agent_id: a.agent_id,
            hostname: a.hostname,
            os_type: a.os_type,
            agent_version: a.agent_version,
            last_ip: a.last_ip,
            first_seen: a.first_seen,
            last_seen: a.last_seen,
            last_heartbeat: a.last_heartbeat,
        })
        .collect();
    Ok(Json(DeviceList {
        total: devices.len(),
        devices,
    }))
}
