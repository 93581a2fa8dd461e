//! `GET /compliance/status` (every role): the eight NIS2 readiness checks of
//! [`crate::compliance`] with a score; `GET`/`PUT /compliance/settings` (PUT: admins, audited).
//!
//! PUT merges: a field left out keeps its value, `null` clears it. Recording `irp_reference`
//! without `irp_reviewed_at` dates the review today; `supply_chain_assessed: true` and
//! `mfa_enforced: true` are dated today unless a date is given.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::audit::AuditEvent;
use platform::http::fields::Field;
use platform::http::{ApiError, AppJson};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::{Admin, Dashboard};
use crate::compliance::{self, AgentFacts, Check, ComplianceFacts};
use crate::model::{ComplianceSettings, AGENT_VERSION};
use crate::store::NetwatchStore;
use crate::ErrorBody;

#[derive(Serialize, ToSchema)]
pub struct ComplianceStatus {
    /// passed ÷ 8, as a percentage (0–100).
    score: u32,
    passed: usize,
    total: usize,
    checks: Vec<Check>,
    evaluated_at: DateTime<Utc>,
}

/// The facts the checks read, gathered from the store.
pub async fn gather(
    state: &ServiceState,
    store: &NetwatchStore,
    tenant_id: uuid::Uuid,
) -> Result<ComplianceFacts, ApiError> {
    let now = Utc::now();
    let settings = store.compliance_settings(tenant_id).await?;
    let agents = store
        .agents(tenant_id)
        .await?
        .into_iter()
        .map(|a| AgentFacts {
            hostname: a.hostname,
            version: a.agent_version,
            last_heartbeat: a.last_heartbeat,
        })
        .collect();
    let stale_urgent = store
        .stale_urgent_alerts(
            tenant_id,
            now - chrono::Duration::hours(compliance::EARLY_WARNING_HOURS),
        )
        .await?;
    let self_test = store
        .latest_self_test(
            tenant_id,
            now - chrono::Duration::days(compliance::SELF_TEST_DAYS),
        )
        .await?;
    let console_users = state
        .platform
        .accounts()
        .service_user_count(tenant_id, ServiceName::Netwatch)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(ComplianceFacts {
        now,
        settings,
        agents,
        latest_agent_version: AGENT_VERSION.to_string(),
        stale_urgent,
        console_users,
        self_test,
    })
}

/// NIS2 readiness: eight checks from stored state, and the share that pass.
#[utoipa::path(get, path = "/api/v1/compliance/status", tag = "compliance", security(("bearer" = [])),
    responses((status = 200, body = ComplianceStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn status(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<ComplianceStatus>, ApiError> {
    let facts = gather(&state, &store, user.tenant_id()).await?;
    let checks = compliance::evaluate(&facts);
    Ok(Json(ComplianceStatus {
        score: compliance::score(&checks),
        passed: checks.iter().filter(|c| c.passed).count(),
        total: checks.len(),
        checks,
        evaluated_at: facts.now,
    }))
}

/// The settings as stored (all unset before the first PUT).
#[utoipa::path(get, path = "/api/v1/compliance/settings", tag = "compliance", security(("bearer" = [])),
    responses((status = 200, body = ComplianceSettings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get_settings(
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<ComplianceSettings>, ApiError> {
    Ok(Json(store.compliance_settings(user.tenant_id()).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "csirt@example.es")]
    csirt_contact: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "IRP-2024-v3.pdf")]
    irp_reference: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    irp_reviewed_at: Field<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    supply_chain_assessed: Field<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    supply_chain_assessed_at: Field<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    mfa_enforced: Field<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "dpo@example.es")]
    dpo_contact: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Example Logistics S.L.")]
    entity_name: Field<String>,
    /// `essential` or `important` (NIS2 Art. 3).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    entity_type: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Transport")]
    sector: Field<String>,
    /// ISO 3166 alpha-2, e.g. `ES`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    member_state: Field<String>,
}

/// Applies a text field: absent keeps, null clears, a value is trimmed and checked.
fn text(
    field: Field<String>,
    name: &str,
    current: &mut Option<String>,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<bool, ApiError> {
    match field {
        Field::Absent => Ok(false),
        Field::Null => {
            *current = None;
            Ok(true)
        }
        Field::Mistyped => Err(ApiError::bad_request(format!("{name} must be a string"))),
        Field::Value(v) => {
            let v = v.trim().to_string();
            if v.is_empty() || v.chars().count() > 300 || v.chars().any(char::is_control) {
                return Err(ApiError::bad_request(format!(
                    "{name} must be 1 to 300 printable characters (null clears it)"
                )));
            }
            check(&v).map_err(|m| ApiError::bad_request(format!("{name} {m}")))?;
            *current = Some(v);
            Ok(true)
        }
    }
}

fn date(
    field: Field<DateTime<Utc>>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Option<Option<DateTime<Utc>>>, ApiError> {
    match field {
        Field::Absent => Ok(None),
        Field::Null => Ok(Some(None)),
        Field::Mistyped => Err(ApiError::bad_request(format!(
            "{name} must be an RFC 3339 date-time"
        ))),
        Field::Value(t) if t > now + chrono::Duration::minutes(5) => Err(ApiError::bad_request(
            format!("{name} cannot be in the future"),
        )),
        Field::Value(t) => Ok(Some(Some(t))),
    }
}

fn flag(field: Field<bool>, name: &str) -> Result<Option<bool>, ApiError> {
    match field {
        Field::Absent => Ok(None),
        Field::Null => Ok(Some(false)),
        Field::Mistyped => Err(ApiError::bad_request(format!(
            "{name} must be true or false"
        ))),
        Field::Value(b) => Ok(Some(b)),
    }
}

/// Update the settings (admins): merged into what is stored; recorded in the audit log.
#[utoipa::path(put, path = "/api/v1/compliance/settings", tag = "compliance", request_body = SettingsUpdate,
    security(("bearer" = [])),
    responses((status = 200, body = ComplianceSettings), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Admin,
    AppJson(body): AppJson<SettingsUpdate>,
) -> Result<Json<ComplianceSettings>, ApiError> {
    let now = Utc::now();
    let mut s = store.compliance_settings(user.tenant_id()).await?;
    let contact = |v: &str| {
        compliance::valid_contact(v)
            .then_some(())
            .ok_or_else(|| "must be an e-mail address or an https URL".to_string())
    };
    let any = |_: &str| Ok(());
    let mut changed: Vec<&str> = Vec::new();
    if text(
        body.csirt_contact,
        "csirt_contact",
        &mut s.csirt_contact,
        contact,
    )? {
        changed.push("csirt_contact");
    }
    if text(body.dpo_contact, "dpo_contact", &mut s.dpo_contact, contact)? {
        changed.push("dpo_contact");
    }
    let irp_set = text(
        body.irp_reference,
        "irp_reference",
        &mut s.irp_reference,
        any,
    )?;
    match date(body.irp_reviewed_at, "irp_reviewed_at", now)? {
        Some(t) => {
            s.irp_reviewed_at = t;
            changed.push("irp_reviewed_at");
        }
        None if irp_set => s.irp_reviewed_at = s.irp_reference.is_some().then_some(now),
        None => {}
    }
    if irp_set {
        changed.push("irp_reference");
    }
    if let Some(assessed) = flag(body.supply_chain_assessed, "supply_chain_assessed")? {
        s.supply_chain_assessed = assessed;
        s.supply_chain_assessed_at = assessed.then_some(now);
        changed.push("supply_chain_assessed");
    }
    if let Some(t) = date(
        body.supply_chain_assessed_at,
        "supply_chain_assessed_at",
        now,
    )? {
        if t.is_some() && !s.supply_chain_assessed {
            return Err(ApiError::bad_request(
                "supply_chain_assessed_at needs supply_chain_assessed: true",
            ));
        }
        s.supply_chain_assessed_at = t;
        changed.push("supply_chain_assessed_at");
    }
    if let Some(enforced) = flag(body.mfa_enforced, "mfa_enforced")? {
        s.mfa_enforced = enforced;
        s.mfa_attested_at = enforced.then_some(now);
        changed.push("mfa_enforced");
    }
    if text(body.entity_name, "entity_name", &mut s.entity_name, any)? {
        changed.push("entity_name");
    }
    let entity_type = |v: &str| {
        matches!(v, "essential" | "important")
            .then_some(())
            .ok_or_else(|| "must be essential or important".to_string())
    };
    if text(
        body.entity_type,
        "entity_type",
        &mut s.entity_type,
        entity_type,
    )? {
        changed.push("entity_type");
    }
    if text(body.sector, "sector", &mut s.sector, any)? {
        changed.push("sector");
    }
    let country = |v: &str| {
        (v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase()))
            .then_some(())
            .ok_or_else(|| "must be an ISO 3166 alpha-2 code such as ES".to_string())
    };
    if text(
        body.member_state,
        "member_state",
        &mut s.member_state,
        country,
    )? {
        changed.push("member_state");
    }
    if changed.is_empty() {
        return Err(ApiError::bad_request("Give at least one setting to change"));
    }
    s.updated_by = Some(user.email().to_string());
    s.updated_at = Some(now);
    store.put_compliance_settings(user.tenant_id(), &s).await?;
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().to_string(),
        action: "compliance.settings.update".into(),
        target: format!("tenant:{}", user.tenant_id()),
        details: json!({"changed": changed}),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok(Json(s))
}
