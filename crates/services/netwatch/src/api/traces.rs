//! Decision traces: `GET /traces/` (search over rule, addresses and text), `GET /traces/{id}`,
//! `GET /traces/{id}/proof-trail` (the signed, hash-chained record), and ours:
//! `GET /proof/public-key` (the key trails are signed with).

use axum::extract::{Path, Query, State};
use axum::Json;
use platform::http::pagination::OffsetParams;
use platform::http::ApiError;
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::alerts::{parse_id, search_patterns};
use crate::auth::Dashboard;
use crate::model::AlertRow;
use crate::store::{AlertQuery, NetwatchStore};
use crate::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct TraceSummary {
    id: Uuid,
    alert_id: Uuid,
    rule_name: String,
    severity: String,
    source_ip: String,
    dest_ip: Option<String>,
    port: Option<i64>,
    score: f64,
    timestamp: i64,
    summary: String,
    status: String,
}

fn summary(r: &AlertRow) -> TraceSummary {
    TraceSummary {
        id: r.trace_id,
        alert_id: r.id,
        rule_name: r.rule_name.clone(),
        severity: r.severity.clone(),
        source_ip: r.source_ip.clone(),
        dest_ip: r.dest_ip.clone(),
        port: r.port,
        score: r.score,
        timestamp: r.ts,
        summary: r.summary.clone(),
        status: r.status.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct TraceList {
    traces: Vec<TraceSummary>,
    total: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TraceSearch {
    /// Free text over rule name, addresses, summary and severity; `port+scan` finds PORT_SCAN.
    search: Option<String>,
}

async fn list(
    store: NetwatchStore,
    user: Dashboard,
    page: OffsetParams,
    s: TraceSearch,
) -> Result<Json<TraceList>, ApiError> {
    let page = crate::api::clamped(page, 20)?;
    // A trace per alert: traces are listed through their alerts.
    let q = AlertQuery {
        search: search_patterns(s.search.as_deref())?,
        ..AlertQuery::default()
    };
    let (rows, total) = store.alerts(user.tenant_id(), &q, page).await?;
    Ok(Json(TraceList {
        traces: rows.iter().map(summary).collect(),
        total,
    }))
}

/// List decision traces, newest first (limit default 20, max 100).
#[utoipa::path(get, path = "/api/v1/traces/", tag = "traces", params(OffsetParams, TraceSearch), security(("bearer" = [])),
    responses((status = 200, body = TraceList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list_traces(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Query(page): Query<OffsetParams>,
    Query(s): Query<TraceSearch>,
) -> Result<Json<TraceList>, ApiError> {
    list(store, user, page, s).await
}

/// The same list without the trailing slash.
#[utoipa::path(get, path = "/api/v1/traces", tag = "traces", params(OffsetParams, TraceSearch), security(("bearer" = [])),
    responses((status = 200, body = TraceList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list_traces_no_slash(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Query(page): Query<OffsetParams>,
    Query(s): Query<TraceSearch>,
) -> Result<Json<TraceList>, ApiError> {
    list(store, user, page, s).await
}

async fn trace_rows(
    store: &NetwatchStore,
    user: &Dashboard,
    id: &str,
) -> Result<(AlertRow, Vec<proof::trail::TrailEntry>), ApiError> {
    let not_found = || ApiError::not_found("Trace not found");
    let trace_id = parse_id(id, "Trace")?;
    let alert = store
        .alert_by_trace(user.tenant_id(), trace_id)
        .await?
        .ok_or_else(not_found)?;
    let entries = store
        .trail(user.tenant_id(), trace_id)
        .await?
        .iter()
        .map(|e| e.to_entry())
        .collect();
    Ok((alert, entries))
}

/// One trace: inputs, features, contributions, decision, output and triage, as recorded.
#[utoipa::path(get, path = "/api/v1/traces/{trace_id}", tag = "traces", params(("trace_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get_trace(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (alert, entries) = trace_rows(&store, &user, &id).await?;
    let mut steps = serde_json::Map::new();
    for e in &entries {
        if e.kind == "triage" {
            steps
                .entry("triage")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("array")
                .push(e.data.clone());
        } else {
            steps.insert(e.kind.clone(), e.data.clone());
        }
    }
    let mut body = json!(summary(&alert));
    body["steps"] = Value::Object(steps);
    body["head_hash"] = json!(entries.last().map(|e| e.hash.clone()));
    body["entries"] = json!(entries.len());
    body["proof_trail"] = json!(format!("/api/v1/traces/{}/proof-trail", alert.trace_id));
    Ok(Json(body))
}

/// The proof trail: RFC 8785 entries chained with SHA-256, the head signed with Ed25519 (verify
/// offline with `redoubt verify trail FILE`, or the stock-tool recipe in docs/services.md).
#[utoipa::path(get, path = "/api/v1/traces/{trace_id}/proof-trail", tag = "traces", params(("trace_id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn proof_trail(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (alert, entries) = trace_rows(&store, &user, &id).await?;
    let signer = crate::trail::signer(state.platform.master_key());
    let header = json!({"trace_id": alert.trace_id, "alert_id": alert.id, "tenant_id": alert.tenant_id, "generated_at": platform::store::now()});
    Ok(Json(signer.document(header, &entries)))
}

#[derive(Serialize, ToSchema)]
pub struct PublicKey {
    algorithm: &'static str,
    /// `base64:` and the 32-byte Ed25519 public key.
    public_key: String,
    key_id: String,
}

/// Ours: the public key proof trails are signed with (every role).
#[utoipa::path(get, path = "/api/v1/proof/public-key", tag = "traces", security(("bearer" = [])),
    responses((status = 200, body = PublicKey), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_key(State(state): State<ServiceState>, _user: Dashboard) -> Json<PublicKey> {
    let signer = crate::trail::signer(state.platform.master_key());
    Json(PublicKey {
        algorithm: "Ed25519",
        public_key: signer.public_key(),
        key_id: signer.key_id(),
    })
}
