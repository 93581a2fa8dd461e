//! `GET /alerts/` (and without the slash), `GET /alerts/{alert_id}`, `PUT /alerts/{alert_id}`
//! (triage; `false_positive` silences that rule for that source/destination pair for 7 days,
//! pushed to agents through their config).

use axum::extract::{Path, Query, State};
use axum::Json;
use platform::audit::AuditEvent;
use platform::http::fields::{Field, Vocabulary};
use platform::http::pagination::OffsetParams;
use platform::http::{ApiError, AppJson};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Dashboard;
use crate::model::{
    AlertRow, AlertStatus, Severity, FALSE_POSITIVE_SUPPRESSION_DAYS, TRIAGE_ROLES,
};
use crate::store::{AlertQuery, NetwatchStore};
use crate::ErrorBody;

/// An alert as the contract lists it, plus our detail fields.
#[derive(Serialize, ToSchema)]
pub struct Alert {
    id: Uuid,
    #[schema(value_type = Severity)]
    severity: String,
    rule_name: String,
    source_ip: String,
    dest_ip: Option<String>,
    port: Option<i64>,
    protocol: String,
    score: f64,
    /// Unix seconds.
    timestamp: i64,
    #[schema(value_type = AlertStatus)]
    status: String,
    /// base_value, base_logit, logit, score and per feature its value, reference, weight,
    /// logit_contribution and contribution: base_value + Σ contribution = score.
    #[schema(value_type = Object)]
    shap_json: Value,
    trace_id: Uuid,
    notes: Option<String>,
    summary: String,
    mitre: String,
    device_id: Uuid,
    first_seen: f64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    /// A detection self-test, not a real incident.
    self_test: bool,
}

impl Alert {
    pub fn from_row(r: AlertRow) -> Alert {
        Alert {
            shap_json: serde_json::from_str(&r.shap_json).unwrap_or(Value::Null),
            id: r.id,
            severity: r.severity,
            rule_name: r.rule_name,
            source_ip: r.source_ip,
            dest_ip: r.dest_ip,
            port: r.port,
            protocol: r.protocol,
            score: r.score,
            timestamp: r.ts,
            status: r.status,
            trace_id: r.trace_id,
            notes: r.notes,
            summary: r.summary,
            mitre: r.mitre,
            device_id: r.agent,
            first_seen: r.first_seen,
            created_at: r.created_at,
            updated_at: r.updated_at,
            self_test: r.self_test,
        }
    }
}

/// The detail view: the alert with its evidence and thresholds.
#[derive(Serialize, ToSchema)]
pub struct AlertDetail {
    #[serde(flatten)]
    alert: Alert,
    #[schema(value_type = Object)]
    evidence: Value,
    #[schema(value_type = Object)]
    thresholds: Value,
}

#[derive(Serialize, ToSchema)]
pub struct AlertList {
    alerts: Vec<Alert>,
    total: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFilters {
    /// CRITICAL, HIGH, MEDIUM or LOW.
    severity: Option<String>,
    /// open, reviewed, resolved or false_positive.
    status: Option<String>,
    /// A rule name, e.g. PORT_SCAN.
    rule: Option<String>,
    /// Ours: alerts at or after this Unix time.
    since: Option<i64>,
    /// Ours: alerts at or before this Unix time.
    until: Option<i64>,
    /// Ours: free text over rule, addresses, summary and severity ("port scan" finds PORT_SCAN).
    q: Option<String>,
}

/// Search text as patterns: itself and with spaces as underscores (rule names).
pub fn search_patterns(text: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    if text.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "search must be at most 200 characters",
        ));
    }
    let mut patterns = vec![text.to_string()];
    if text.contains(' ') {
        patterns.push(text.replace(' ', "_"));
    }
    Ok(patterns)
}

fn vocab<T: Vocabulary>(value: Option<&str>, name: &str) -> Result<Option<String>, ApiError> {
    value
        .map(|v| {
            T::parse(v).map(|t| t.as_str().to_string()).ok_or_else(|| {
                ApiError::bad_request(format!("{name} must be one of {}", T::listed()))
            })
        })
        .transpose()
}

async fn list(
    store: NetwatchStore,
    user: Dashboard,
    page: OffsetParams,
    f: AlertFilters,
) -> Result<Json<AlertList>, ApiError> {
    let page = crate::api::clamped(page, 30)?;
    if let Some(rule) = &f.rule {
        if netdetect::Rule::parse(rule).is_none() {
            return Err(ApiError::bad_request(format!(
                "rule must be one of {}",
                netdetect::Rule::ALL.map(|r| r.as_str()).join(", ")
            )));
        }
    }
    let q = AlertQuery {
        severity: vocab::<Severity>(f.severity.as_deref(), "severity")?,
        status: vocab::<AlertStatus>(f.status.as_deref(), "status")?,
        rule: f.rule,
        since: f.since,
        until: f.until,
        search: search_patterns(f.q.as_deref())?,
    };
    let (rows, total) = store.alerts(user.tenant_id(), &q, page).await?;
    Ok(Json(AlertList {
        alerts: rows.into_iter().map(Alert::from_row).collect(),
        total,
    }))
}

/// List alerts, newest first (limit default 30, max 100).
#[utoipa::path(get, path = "/api/v1/alerts/", tag = "alerts", params(OffsetParams, AlertFilters), security(("bearer" = [])),
    responses((status = 200, body = AlertList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list_alerts(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Query(page): Query<OffsetParams>,
    Query(f): Query<AlertFilters>,
) -> Result<Json<AlertList>, ApiError> {
    list(store, user, page, f).await
}

/// The same list without the trailing slash.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(OffsetParams, AlertFilters), security(("bearer" = [])),
    responses((status = 200, body = AlertList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list_alerts_no_slash(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Query(page): Query<OffsetParams>,
    Query(f): Query<AlertFilters>,
) -> Result<Json<AlertList>, ApiError> {
    list(store, user, page, f).await
}

pub fn parse_id(text: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::not_found(format!("{what} not found")))
}

/// One alert with its evidence.
#[utoipa::path(get, path = "/api/v1/alerts/{alert_id}", tag = "alerts", params(("alert_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = AlertDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get_alert(
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Path(id): Path<String>,
) -> Result<Json<AlertDetail>, ApiError> {
    let row = store
        .alert(user.tenant_id(), parse_id(&id, "Alert")?)
        .await?
        .ok_or_else(|| ApiError::not_found("Alert not found"))?;
    Ok(Json(detail(row)))
}

/// An alert as the GDPR export writes it: the detail view plus its triage times.
pub fn export_json(row: AlertRow) -> Value {
    let (triaged_at, resolved_at) = (row.triaged_at, row.resolved_at);
    let mut v = json!(detail(row));
    v["triaged_at"] = json!(triaged_at);
    v["resolved_at"] = json!(resolved_at);
    v
}

fn detail(row: AlertRow) -> AlertDetail {
    AlertDetail {
        evidence: serde_json::from_str(&row.evidence).unwrap_or(Value::Null),
        thresholds: serde_json::from_str(&row.thresholds).unwrap_or(Value::Null),
        alert: Alert::from_row(row),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct AlertUpdate {
    #[serde(default)]
    #[schema(value_type = Option<AlertStatus>)]
    status: Field<AlertStatus>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    notes: Field<String>,
}

/// Triage an alert (admin, analyst): status and/or notes; recorded in its proof trail and the audit log.
#[utoipa::path(put, path = "/api/v1/alerts/{alert_id}", tag = "alerts", params(("alert_id" = String, Path)), request_body = AlertUpdate,
    security(("bearer" = [])),
    responses((status = 200, body = AlertDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn update_alert(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
    Path(id): Path<String>,
    AppJson(body): AppJson<AlertUpdate>,
) -> Result<Json<AlertDetail>, ApiError> {
    user.require(TRIAGE_ROLES)?;
    let status = match body.status {
        Field::Absent | Field::Null => None,
        Field::Value(s) => Some(s),
        Field::Mistyped => {
            return Err(ApiError::bad_request(format!(
                "status must be one of {}",
                AlertStatus::listed()
            )))
        }
    };
    let notes = body.notes.optional("notes", "a string")?;
    if status.is_none() && notes.is_none() {
        return Err(ApiError::bad_request("Give status, notes or both"));
    }
    if notes.as_ref().is_some_and(|n| n.chars().count() > 10_000) {
        return Err(ApiError::bad_request(
            "notes must be at most 10000 characters",
        ));
    }
    let alert = store
        .alert(user.tenant_id(), parse_id(&id, "Alert")?)
        .await?
        .ok_or_else(|| ApiError::not_found("Alert not found"))?;
    let new_status = status.map_or(alert.status.clone(), |s| s.as_str().to_string());
    let now = platform::store::now();
    let suppress = (status == Some(AlertStatus::FalsePositive) && alert.status != "false_positive")
        .then(|| now + chrono::Duration::days(FALSE_POSITIVE_SUPPRESSION_DAYS));
    let by = user.email().to_string();
    let updated = store
        .triage(
            &alert,
            &new_status,
            notes.as_deref(),
            |prev| crate::trail::triage_entry(prev, &new_status, notes.as_deref(), &by, now),
            suppress,
        )
        .await?;
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: by.clone(),
        action: "alert.update".into(),
        target: format!("alert:{}", alert.id),
        details: json!({"from": alert.status, "to": new_status, "notes": notes.is_some(),
            "suppressed_until": suppress}),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok(Json(detail(updated)))
}
