//! Ours: `POST /agents/detections`, how an agent uploads what its engine found. Batched (at most
//! 200, 1 MiB), idempotent per `upload_id` (a retry after a lost answer stores nothing twice), each
//! detection checked — known rule, addresses, finite numbers, and a SHAP explanation that adds
//! up — before any is stored; then alert, trace and proof-trail entries in one transaction.

use std::net::IpAddr;

use axum::extract::State;
use axum::Json;
use netdetect::{Explanation, Rule};
use platform::http::fields::Vocabulary;
use platform::http::{ApiError, AppJson};
use platform::store;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Agent;
use crate::model::{AlertRow, AlertStatus, Protocol};
use crate::store::{NetwatchStore, NewAlert};
use crate::ErrorBody;

/// Detections per upload (a batch of them stays under the 1 MiB body limit).
pub const MAX_BATCH: usize = 200;
/// Largest evidence object per detection, as JSON text.
const MAX_EVIDENCE: usize = 16 * 1024;
/// Tolerance of the additivity check: the engine's sums are exact to the last few ulps.
const ADDITIVITY: f64 = 1e-9;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadedDetection {
    /// The agent's id for this detection (1–64 of `A-Za-z0-9-_`), unique per agent.
    upload_id: String,
    #[schema(example = "PORT_SCAN")]
    rule: String,
    /// Accepted and ignored: the server derives it from the rule.
    #[serde(default)]
    #[allow(dead_code)]
    severity: Option<String>,
    source_ip: String,
    dest_ip: Option<String>,
    port: Option<u16>,
    protocol: Protocol,
    first_seen: f64,
    ts: f64,
    summary: String,
    #[schema(value_type = Object)]
    evidence: Value,
    #[schema(value_type = Object)]
    thresholds: std::collections::BTreeMap<String, f64>,
    /// Accepted and ignored: the server derives it from the rule.
    #[serde(default)]
    #[allow(dead_code)]
    mitre: Option<String>,
    #[schema(value_type = Object)]
    explanation: Explanation,
}

#[derive(Deserialize, ToSchema)]
pub struct UploadRequest {
    detections: Vec<UploadedDetection>,
    /// A detection self-test (`redoubt-agent --self-test`): the alerts are stored already
    /// resolved, kept out of analytics, and count for the compliance self-test check.
    #[serde(default)]
    self_test: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UploadedAlert {
    upload_id: String,
    alert_id: Uuid,
    trace_id: Option<Uuid>,
    /// This upload id had been stored before: nothing new was written.
    duplicate: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UploadResponse {
    accepted: usize,
    duplicates: usize,
    alerts: Vec<UploadedAlert>,
}

fn check(d: &UploadedDetection, i: usize) -> Result<Rule, ApiError> {
    let bad = |m: String| ApiError::bad_request(format!("detections[{i}]: {m}"));
    if d.upload_id.is_empty()
        || d.upload_id.len() > 64
        || !d
            .upload_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(bad("upload_id must be 1 to 64 of A-Z a-z 0-9 - _".into()));
    }
    let rule = Rule::parse(&d.rule).ok_or_else(|| bad(format!("unknown rule {}", d.rule)))?;
    d.source_ip
        .parse::<IpAddr>()
        .map_err(|_| bad("source_ip must be an IPv4 or IPv6 address".into()))?;
    if let Some(dest) = &d.dest_ip {
        dest.parse::<IpAddr>()
            .map_err(|_| bad("dest_ip must be an IPv4 or IPv6 address".into()))?;
    }
    let now = chrono::Utc::now().timestamp() as f64;
    if !(946_684_800.0..=now + 86_400.0).contains(&d.ts)
        || !d.first_seen.is_finite()
        || d.first_seen > d.ts
        || d.ts - d.first_seen > 30.0 * 86_400.0
    {
        return Err(bad(
            "ts must be a Unix time between 2000 and now, first_seen at most 30 days before it"
                .into(),
        ));
    }
    if d.summary.chars().count() > 1000 {
        return Err(bad("summary must be at most 1000 characters".into()));
    }
    if !d.evidence.is_object() || d.evidence.to_string().len() > MAX_EVIDENCE {
        return Err(bad(format!(
            "evidence must be an object of at most {MAX_EVIDENCE} bytes"
        )));
    }
    if d.thresholds.len() > 32 || d.thresholds.values().any(|v| !v.is_finite()) {
        return Err(bad("thresholds must be at most 32 finite numbers".into()));
    }
    let e = &d.explanation;
    let numbers = [e.base_value, e.base_logit, e.logit, e.score]
        .into_iter()
        .chain(e.features.iter().flat_map(|f| {
            [
                f.value,
                f.reference,
                f.weight,
                f.logit_contribution,
                f.contribution,
            ]
        }));
    if e.features.is_empty()
        || e.features.len() > 64
        || numbers.clone().any(|v| !v.is_finite())
        || !(0.0..=1.0).contains(&e.score)
    {
        return Err(bad(
            "explanation must hold 1 to 64 features of finite numbers and a score in [0, 1]".into(),
        ));
    }
    let (p, l) = e.additivity_error();
    if p > ADDITIVITY || l > ADDITIVITY {
        return Err(bad(format!("explanation does not add up: base_value + Σ contribution − score = {p:e}, base_logit + Σ logit_contribution − logit = {l:e}")));
    }
    Ok(rule)
}

/// Whether a detection is the self-test's synthetic scan (its two documentation addresses).
fn is_self_test_traffic(d: &UploadedDetection) -> bool {
    let ip = |text: &str| text.parse::<IpAddr>().ok();
    ip(&d.source_ip) == Some(netdetect::selftest::SELF_TEST_SOURCE)
        && d.dest_ip
            .as_deref()
            .is_none_or(|t| ip(t) == Some(netdetect::selftest::SELF_TEST_TARGET))
}

/// Upload a batch of detections (agents only).
#[utoipa::path(post, path = "/api/v1/agents/detections", tag = "agents", request_body = UploadRequest, security(("bearer" = [])),
    responses((status = 200, body = UploadResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn upload(
    State(store): State<NetwatchStore>,
    caller: Agent,
    AppJson(body): AppJson<UploadRequest>,
) -> Result<Json<UploadResponse>, ApiError> {
    if body.detections.is_empty() || body.detections.len() > MAX_BATCH {
        return Err(ApiError::bad_request(format!(
            "detections must hold 1 to {MAX_BATCH} items"
        )));
    }
    let agent = &caller.agent;
    let agent_json = json!({"device_id": agent.id, "agent_id": agent.agent_id, "hostname": agent.hostname, "agent_version": agent.agent_version});
    let now = store::now();
    let mut batch = Vec::with_capacity(body.detections.len());
    for (i, d) in body.detections.iter().enumerate() {
        let rule = check(d, i)?;
        if body.self_test && !is_self_test_traffic(d) {
            return Err(ApiError::bad_request(format!(
                "detections[{i}]: a self-test runs from {} to {}; real detections cannot be filed as one",
                netdetect::selftest::SELF_TEST_SOURCE,
                netdetect::selftest::SELF_TEST_TARGET
            )));
        }
        let row = AlertRow {
            id: Uuid::new_v4(),
            tenant_id: agent.tenant_id,
            agent: agent.id,
            upload_id: d.upload_id.clone(),
            trace_id: Uuid::new_v4(),
            rule_name: rule.as_str().into(),
            severity: rule.severity().as_str().into(),
            source_ip: d.source_ip.parse::<IpAddr>().expect("checked").to_string(),
            dest_ip: d
                .dest_ip
                .as_deref()
                .map(|ip| ip.parse::<IpAddr>().expect("checked").to_string()),
            port: d.port.map(i64::from),
            protocol: d.protocol.as_str().into(),
            score: d.explanation.score,
            ts: d.ts.floor() as i64,
            first_seen: d.first_seen,
            status: if body.self_test {
                AlertStatus::Resolved
            } else {
                AlertStatus::Open
            }
            .as_str()
            .into(),
            notes: None,
            summary: d.summary.clone(),
            mitre: rule.mitre().into(),
            evidence: d.evidence.to_string(),
            thresholds: json!(d.thresholds).to_string(),
            shap_json: serde_json::to_string(&d.explanation).expect("serialisable"),
            created_at: now,
            updated_at: now,
            triaged_at: body.self_test.then_some(now),
            resolved_at: body.self_test.then_some(now),
            self_test: body.self_test,
        };
        let entries = crate::trail::initial_entries(&row, agent_json.clone(), &d.explanation);
        batch.push(NewAlert { row, entries });
    }
    let stored = store.insert_alerts(&batch).await?;
    let duplicates = stored.iter().filter(|s| s.duplicate).count();
    let alerts = stored
        .into_iter()
        .zip(&batch)
        .map(|(s, a)| UploadedAlert {
            trace_id: (!s.duplicate).then_some(a.row.trace_id),
            upload_id: s.upload_id,
            alert_id: s.alert_id,
            duplicate: s.duplicate,
        })
        .collect();
    Ok(Json(UploadResponse {
        accepted: batch.len() - duplicates,
        duplicates,
        alerts,
    }))
}
