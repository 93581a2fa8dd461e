//! `POST /reports/nis2` and `POST /reports/gdpr` `{"alert_id"}` → `application/pdf`: the NIS2
//! Art. 23 incident notification and the GDPR Art. 33 breach notification drafted from one alert
//! (admins, analysts and auditors; 10 per hour per tenant). Each report is recorded in the audit
//! log with its SHA-256, which makes the log the Art. 33(5) breach register.

use std::time::Instant;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use platform::audit::AuditEvent;
use platform::http::fields::Field;
use platform::http::{ApiError, AppJson};
use platform::{ServiceName, ServiceState};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::api::alerts::parse_id;
use crate::auth::Dashboard;
use crate::reports::{self, ReportInput, ReportKind};
use crate::store::NetwatchStore;
use crate::ErrorBody;

#[derive(Deserialize, ToSchema, Default)]
pub struct ReportRequest {
    /// The alert the report is about.
    #[serde(default)]
    #[schema(value_type = String, format = Uuid)]
    alert_id: Field<String>,
}

async fn report(
    state: ServiceState,
    store: NetwatchStore,
    user: Dashboard,
    body: ReportRequest,
    kind: ReportKind,
) -> Result<Response, ApiError> {
    let alert_id = body
        .alert_id
        .required("alert_id", "a string (the alert's id)")?;
    let alert = store
        .alert(user.tenant_id(), parse_id(&alert_id, "Alert")?)
        .await?
        .ok_or_else(|| ApiError::not_found("Alert not found"))?;
    let trail: Vec<_> = store
        .trail(user.tenant_id(), alert.trace_id)
        .await?
        .iter()
        .map(|e| e.to_entry())
        .collect();
    let device = store.agent(user.tenant_id(), alert.agent).await?;
    let settings = store.compliance_settings(user.tenant_id()).await?;
    let tenant = state
        .platform
        .accounts()
        .tenant_by_id(user.tenant_id())
        .await
        .map_err(anyhow::Error::from)?;
    let report_id = uuid::Uuid::new_v4();
    let data = reports::report_data(&ReportInput {
        kind,
        report_id,
        now: chrono::Utc::now(),
        tenant_name: tenant.as_ref().map_or("", |t| t.name.as_str()),
        settings: &settings,
        alert: &alert,
        device: device.as_ref(),
        trail: &trail,
        key_id: crate::trail::signer(state.platform.master_key()).key_id(),
    });
    let started = Instant::now();
    let pdf = tokio::task::spawn_blocking(move || reports::render(kind, &data))
        .await
        .map_err(|e| anyhow::anyhow!("the report task failed: {e}"))?
        .map_err(|e| anyhow::anyhow!("rendering the {} report: {e}", kind.as_str()))?;
    let render_ms = started.elapsed().as_secs_f64() * 1000.0;
    let sha256 = hex::encode(Sha256::digest(&pdf));
    let head = trail.last().map(|e| e.hash.clone()).unwrap_or_default();
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().to_string(),
        action: format!("report.{}", kind.as_str()),
        target: format!("alert:{}", alert.id),
        details: json!({"report_id": report_id, "sha256": sha256, "bytes": pdf.len(),
            "proof_trail_head": head, "render_ms": (render_ms * 10.0).round() / 10.0}),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    let mut response = pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let name = format!(
        "attachment; filename=\"{}-{}.pdf\"",
        kind.as_str(),
        alert.id
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&name).expect("ascii"),
    );
    headers.insert(
        "x-report-id",
        HeaderValue::from_str(&report_id.to_string()).expect("ascii"),
    );
    headers.insert(
        "x-report-sha256",
        HeaderValue::from_str(&sha256).expect("hex"),
    );
    Ok(response)
}

/// NIS2 Art. 23 incident notification (early warning and notification) for one alert, as PDF.
#[utoipa::path(post, path = "/api/v1/reports/nis2", tag = "reports", request_body = ReportRequest, security(("bearer" = [])),
    responses((status = 200, description = "The report", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn nis2(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
    AppJson(body): AppJson<ReportRequest>,
) -> Result<Response, ApiError> {
    report(state, store, user, body, ReportKind::Nis2).await
}

/// GDPR Art. 33 personal data breach notification for one alert, as PDF.
#[utoipa::path(post, path = "/api/v1/reports/gdpr", tag = "reports", request_body = ReportRequest, security(("bearer" = [])),
    responses((status = 200, description = "The report", content_type = "application/pdf", body = Vec<u8>),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn gdpr(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
    AppJson(body): AppJson<ReportRequest>,
) -> Result<Response, ApiError> {
    report(state, store, user, body, ReportKind::Gdpr).await
}
