//! `/api/organization`: the caller's organisation (every role reads; admins change it), its
//! feature flags, usage against the plan with the docs' alerts, and the AI settings (BYOK keys
//! sealed with the master key, never returned).

use axum::extract::State;
use axum::Json;
use chrono::{Datelike, TimeZone, Utc};
use platform::http::{ApiError, AppJson};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::{bool_field, invalid_payload, iso, OrgSummary};
use crate::auth::Caller;
use crate::model::plan::{alert_band, percent_used, Limits};
use crate::model::rows::OrgRow;
use crate::model::{AI_FEATURES, AI_MODELS, BYOK_PROVIDERS, NOTIFIABLE_STATUSES};
use crate::store::{NewOrg, OrgUpdate, TestopsStore};
use crate::ErrorBody;

/// The tenant's organisation (created, named after the tenant, the first time it is needed).
pub async fn organization_of(
    state: &ServiceState,
    store: &TestopsStore,
    tenant_id: Uuid,
) -> Result<OrgRow, ApiError> {
    if let Some(org) = store.org(tenant_id).await? {
        return Ok(org);
    }
    let tenant = state
        .platform
        .accounts()
        .tenant_by_id(tenant_id)
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| ApiError::not_found("User or organization not found"))?;
    Ok(store
        .ensure_org(NewOrg {
            tenant_id,
            name: &tenant.name,
            plan: "free",
        })
        .await?)
}

async fn user_count(state: &ServiceState, tenant_id: Uuid) -> Result<i64, ApiError> {
    Ok(state
        .platform
        .accounts()
        .service_user_count(tenant_id, ServiceName::Testops)
        .await
        .map_err(anyhow::Error::from)?)
}

pub async fn org_summary(state: &ServiceState, org: &OrgRow) -> Result<OrgSummary, ApiError> {
    let limits = org.plan().limits();
    Ok(OrgSummary {
        id: org.id.clone(),
        name: org.name.clone(),
        slug: org.slug.clone(),
        plan: org.plan.clone(),
        limits,
        user_count: user_count(state, org.tenant_id).await?,
        user_limit: limits.max_users,
        ai_analysis_enabled: org.ai_analysis_enabled,
    })
}

fn ai_config(org: &OrgRow) -> Value {
    let byok = org.byok();
    let configured: Map<String, Value> = BYOK_PROVIDERS
        .iter()
        .map(|p| (p.to_string(), byok.contains_key(*p).into()))
        .collect();
    json!({"defaultModel": org.ai_default_model, "byokConfigured": configured})
}

fn org_view(summary: OrgSummary, org: &OrgRow) -> Value {
    let mut view = serde_json::to_value(summary).unwrap_or_default();
    let obj = view.as_object_mut().expect("an object");
    // The vendor's source adds the storage used to the limits.
    obj["limits"]["currentStorageUsedBytes"] = 0.into();
    obj.insert("aiFeatures".into(), org.ai_features().into());
    obj.insert("aiConfig".into(), ai_config(org));
    obj.insert(
        "slackWebhookUrl".into(),
        org.slack_webhook_url.as_ref().map(|_| "configured").into(),
    );
    obj.insert("slackNotificationEvents".into(), org.slack_events().into());
    obj.insert("features".into(), json!({"testCasesEnabled": org.test_cases_enabled, "testCyclesEnabled": org.test_cycles_enabled}));
    obj.insert("createdAt".into(), iso(org.created_at).into());
    obj.insert("updatedAt".into(), iso(org.updated_at).into());
    view
}

#[derive(Serialize, ToSchema)]
pub struct OrganizationResponse {
    success: bool,
    /// The summary of `GET /api/auth/me` plus `aiFeatures`, `aiConfig`, `slackWebhookUrl`
    /// (`null` | `"configured"`), `slackNotificationEvents`, `features`, `createdAt`, `updatedAt`.
    #[schema(value_type = Object)]
    organization: Value,
}

/// Your organisation.
#[utoipa::path(get, path = "/api/organization", tag = "organization", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = OrganizationResponse), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<OrganizationResponse>, ApiError> {
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    let summary = org_summary(&state, &org).await?;
    Ok(Json(OrganizationResponse {
        success: true,
        organization: org_view(summary, &org),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationUpdate {
    /// 2–100 characters.
    name: Option<Value>,
    ai_analysis_enabled: Option<Value>,
    /// `https://hooks.slack.com/services/...`; `null` or `""` clears it.
    #[serde(default, deserialize_with = "crate::api::present")]
    slack_webhook_url: Option<Value>,
    /// A subset of PASSED, FAILED, ERROR, UNSTABLE.
    slack_notification_events: Option<Value>,
}

#[derive(Serialize, ToSchema)]
pub struct OrganizationUpdated {
    success: bool,
    message: String,
    #[schema(value_type = Object)]
    organization: Value,
}

/// Change the organisation's name, AI analysis and Slack notifications (admins). Audited.
#[utoipa::path(patch, path = "/api/organization", tag = "organization", request_body = OrganizationUpdate, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = OrganizationUpdated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn update(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    AppJson(req): AppJson<OrganizationUpdate>,
) -> Result<Json<OrganizationUpdated>, ApiError> {
    caller.require_admin()?;
    let mut problems = Vec::new();
    let mut update = OrgUpdate::default();
    let mut changed = Map::new();
    if let Some(name) = &req.name {
        match name.as_str().map(str::trim) {
            Some(n) if (2..=100).contains(&n.chars().count()) => update.name = Some(n.to_string()),
            _ => problems.push((
                "name".into(),
                "must be a string of 2 to 100 characters".into(),
            )),
        }
        changed.insert("name".into(), name.clone());
    }
    if let Some(flag) = &req.ai_analysis_enabled {
        update.ai_analysis_enabled = bool_field(&mut problems, "aiAnalysisEnabled", Some(flag));
        changed.insert("aiAnalysisEnabled".into(), flag.clone());
    }
    if let Some(url) = &req.slack_webhook_url {
        match url {
            Value::Null => update.slack_webhook_url = Some(None),
            Value::String(s) if s.is_empty() => update.slack_webhook_url = Some(None),
            Value::String(s)
                if s.starts_with("https://hooks.slack.com/services/")
                    && !s.chars().any(char::is_whitespace) =>
            {
                update.slack_webhook_url =
                    Some(Some(platform::sealed::seal(state.platform.master_key(), s)))
            }
            _ => problems.push((
                "slackWebhookUrl".into(),
                "must be an https://hooks.slack.com/services/... URL, or null to clear it".into(),
            )),
        }
        changed.insert(
            "slackWebhookUrl".into(),
            if url.is_null() || url == "" {
                Value::Null
            } else {
                "configured".into()
            },
        );
    }
    if let Some(events) = &req.slack_notification_events {
        let list: Option<Vec<String>> = events.as_array().and_then(|a| {
            a.iter()
                .map(|e| {
                    e.as_str()
                        .filter(|s| NOTIFIABLE_STATUSES.contains(s))
                        .map(str::to_string)
                })
                .collect()
        });
        match list {
            Some(list) => {
                update.slack_events = Some(serde_json::to_string(&list).unwrap_or_default())
            }
            None => problems.push((
                "slackNotificationEvents".into(),
                format!("must be an array of {}", NOTIFIABLE_STATUSES.join(", ")),
            )),
        }
        changed.insert("slackNotificationEvents".into(), events.clone());
    }
    if !problems.is_empty() {
        return Err(invalid_payload("Validation failed", problems));
    }
    if changed.is_empty() {
        return Err(ApiError::bad_request("Send at least one of name, aiAnalysisEnabled, slackWebhookUrl, slackNotificationEvents")
            .with_title("Missing fields"));
    }
    let org = store
        .update_org(caller.tenant_id, update)
        .await?
        .ok_or_else(|| ApiError::not_found("Organization not found"))?;
    caller
        .audit(
            &state.platform,
            "org.settings_updated",
            format!("organization:{}", org.id),
            Value::Object(changed),
        )
        .await?;
    let summary = org_summary(&state, &org).await?;
    Ok(Json(OrganizationUpdated {
        success: true,
        message: "Organization settings updated successfully".into(),
        organization: org_view(summary, &org),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct FeaturesUpdate {
    test_cases_enabled: Option<Value>,
    test_cycles_enabled: Option<Value>,
    /// Flags among rootCauseAnalysis, autoBugGeneration, flakinessDetective, testOptimizer,
    /// prRouting, qualityChatbot, specToTest, automationPlanner.
    ai_features: Option<Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeaturesResponse {
    success: bool,
    #[schema(value_type = Object)]
    features: Value,
    #[schema(value_type = Object)]
    ai_features: Value,
}

/// Turn the Quality Hub and AI features on or off (admins). Audited.
#[utoipa::path(patch, path = "/api/organization/features", tag = "organization", request_body = FeaturesUpdate, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = FeaturesResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn features(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    AppJson(req): AppJson<FeaturesUpdate>,
) -> Result<Json<FeaturesResponse>, ApiError> {
    caller.require_admin()?;
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    let mut problems = Vec::new();
    let mut update = OrgUpdate {
        test_cases_enabled: bool_field(
            &mut problems,
            "testCasesEnabled",
            req.test_cases_enabled.as_ref(),
        ),
        test_cycles_enabled: bool_field(
            &mut problems,
            "testCyclesEnabled",
            req.test_cycles_enabled.as_ref(),
        ),
        ..OrgUpdate::default()
    };
    if let Some(flags) = &req.ai_features {
        let mut merged = org.ai_features();
        match flags.as_object() {
            Some(map) => {
                for (name, on) in map {
                    match (AI_FEATURES.contains(&name.as_str()), on.as_bool()) {
                        (true, Some(b)) => {
                            merged.insert(name.clone(), b.into());
                        }
                        (false, _) => problems.push((
                            format!("aiFeatures.{name}"),
                            format!("unknown feature (known: {})", AI_FEATURES.join(", ")),
                        )),
                        (true, None) => problems
                            .push((format!("aiFeatures.{name}"), "must be a boolean".into())),
                    }
                }
                update.ai_features = Some(Value::Object(merged).to_string());
            }
            None => problems.push(("aiFeatures".into(), "must be an object of booleans".into())),
        }
    }
    if !problems.is_empty() {
        return Err(invalid_payload("Validation failed", problems));
    }
    if req.test_cases_enabled.is_none()
        && req.test_cycles_enabled.is_none()
        && req.ai_features.is_none()
    {
        return Err(ApiError::bad_request(
            "Send testCasesEnabled, testCyclesEnabled or aiFeatures",
        )
        .with_title("Missing fields"));
    }
    let org = store
        .update_org(caller.tenant_id, update)
        .await?
        .ok_or_else(|| ApiError::not_found("Organization not found"))?;
    let features = json!({"testCasesEnabled": org.test_cases_enabled, "testCyclesEnabled": org.test_cycles_enabled});
    let ai_features = Value::Object(org.ai_features());
    caller
        .audit(
            &state.platform,
            "org.features_updated",
            format!("organization:{}", org.id),
            json!({"features": features, "aiFeatures": ai_features}),
        )
        .await?;
    Ok(Json(FeaturesResponse {
        success: true,
        features,
        ai_features,
    }))
}

/// The calendar month (UTC) usage is counted in: its `YYYY-MM` and bounds.
fn current_period() -> (String, chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let now = Utc::now();
    let start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let (y, m) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    let next = Utc
        .with_ymd_and_hms(y, m, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    (
        now.format("%Y-%m").to_string(),
        start,
        next - chrono::Duration::milliseconds(1),
    )
}

struct Usage {
    period: (String, chrono::DateTime<Utc>, chrono::DateTime<Utc>),
    runs: i64,
    users: i64,
    projects: i64,
    limits: Limits,
}

async fn usage_of(
    state: &ServiceState,
    store: &TestopsStore,
    org: &OrgRow,
) -> Result<Usage, ApiError> {
    let period = current_period();
    Ok(Usage {
        runs: store.test_runs_in(org.tenant_id, &period.0).await?,
        users: user_count(state, org.tenant_id).await?,
        projects: store.project_count(org.tenant_id).await?,
        limits: org.plan().limits(),
        period,
    })
}

/// The docs' alerts: one per resource at 50 % of its limit or more, most severe first.
fn alerts(usage: &Usage) -> Vec<Value> {
    let mut alerts: Vec<(u8, Value)> = [
        ("testRuns", "test runs this month", usage.runs, usage.limits.max_test_runs),
        ("users", "users", usage.users, usage.limits.max_users),
        ("projects", "projects", usage.projects, usage.limits.max_projects),
    ]
    .into_iter()
    .filter_map(|(resource, what, used, limit)| {
        let percent = percent_used(used, limit);
        let band = alert_band(percent)?;
        let rank = match band {
            "critical" => 0,
            "warning" => 1,
            _ => 2,
        };
        let message = format!("{percent}% of your plan's {what} used ({used} of {limit})");
        Some((rank, json!({"type": band, "severity": band, "resource": resource, "message": message, "percentUsed": percent,
            "action": "Upgrade your plan", "actionUrl": "/settings?tab=billing"})))
    })
    .collect();
    alerts.sort_by_key(|(rank, _)| *rank);
    alerts.into_iter().map(|(_, a)| a).collect()
}

#[derive(Serialize, ToSchema)]
pub struct UsageResponse {
    success: bool,
    /// `{currentPeriod{startDate,endDate}, testRuns{used,limit,percentUsed}, users{active,limit}, projects{used,limit}, storage{usedBytes,limitBytes}}`.
    #[schema(value_type = Object)]
    usage: Value,
    /// `[{type: info|warning|critical, severity (the same), resource, message, percentUsed, action, actionUrl}]`.
    #[schema(value_type = Vec<Object>)]
    alerts: Vec<Value>,
}

/// Usage this calendar month (UTC) against the plan, with alerts from 50 % of a limit.
#[utoipa::path(get, path = "/api/organization/usage", tag = "organization", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = UsageResponse), (status = 401, body = ErrorBody)))]
pub async fn usage(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<UsageResponse>, ApiError> {
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    let u = usage_of(&state, &store, &org).await?;
    let usage = json!({
        "currentPeriod": {"startDate": iso(u.period.1), "endDate": iso(u.period.2)},
        "testRuns": {"used": u.runs, "limit": u.limits.max_test_runs, "percentUsed": percent_used(u.runs, u.limits.max_test_runs)},
        "users": {"active": u.users, "limit": u.limits.max_users},
        "projects": {"used": u.projects, "limit": u.limits.max_projects},
        "storage": {"usedBytes": 0, "limitBytes": u.limits.max_storage_bytes},
    });
    Ok(Json(UsageResponse {
        success: true,
        alerts: alerts(&u),
        usage,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AlertsResponse {
    success: bool,
    #[schema(value_type = Vec<Object>)]
    alerts: Vec<Value>,
}

/// The usage alerts alone.
#[utoipa::path(get, path = "/api/organization/usage/alerts", tag = "organization", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = AlertsResponse), (status = 401, body = ErrorBody)))]
pub async fn usage_alerts(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<AlertsResponse>, ApiError> {
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    let u = usage_of(&state, &store, &org).await?;
    Ok(Json(AlertsResponse {
        success: true,
        alerts: alerts(&u),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AiConfigResponse {
    success: bool,
    /// `{defaultModel, byokConfigured{gemini, openai, anthropic}}`: whether a key is set, never the key.
    #[schema(value_type = Object)]
    data: Value,
}

/// The AI settings: the default model and which providers have a key (the keys are never shown).
#[utoipa::path(get, path = "/api/organization/ai-config", tag = "organization", security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = AiConfigResponse), (status = 401, body = ErrorBody)))]
pub async fn get_ai_config(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
) -> Result<Json<AiConfigResponse>, ApiError> {
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    Ok(Json(AiConfigResponse {
        success: true,
        data: ai_config(&org),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct AiConfigUpdate {
    /// gemini-2.5-flash | gpt-4o | claude-3-5-sonnet.
    default_model: Option<Value>,
    /// `{provider: gemini|openai|anthropic, apiKey}`: sealed with the master key.
    byok: Option<Value>,
    /// A provider whose key to remove.
    remove_byok: Option<Value>,
}

/// Change the default model, add or remove a provider key (admins). Audited without the key.
#[utoipa::path(patch, path = "/api/organization/ai-config", tag = "organization", request_body = AiConfigUpdate, security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, body = AiConfigResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn update_ai_config(
    State(state): State<ServiceState>,
    State(store): State<TestopsStore>,
    caller: Caller,
    AppJson(req): AppJson<AiConfigUpdate>,
) -> Result<Json<AiConfigResponse>, ApiError> {
    caller.require_admin()?;
    let org = organization_of(&state, &store, caller.tenant_id).await?;
    let mut problems = Vec::new();
    let mut update = OrgUpdate::default();
    let mut byok = org.byok();
    let mut changed = Map::new();
    if let Some(model) = &req.default_model {
        match model.as_str().filter(|m| AI_MODELS.contains(m)) {
            Some(m) => update.ai_default_model = Some(m.to_string()),
            None => problems.push((
                "defaultModel".into(),
                format!("must be one of {}", AI_MODELS.join(", ")),
            )),
        }
        changed.insert("defaultModel".into(), model.clone());
    }
    if let Some(entry) = &req.byok {
        let provider = entry
            .get("provider")
            .and_then(Value::as_str)
            .filter(|p| BYOK_PROVIDERS.contains(p));
        let key = entry
            .get("apiKey")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 512);
        match (provider, key) {
            (Some(p), Some(k)) => {
                byok.insert(
                    p.to_string(),
                    platform::sealed::seal(state.platform.master_key(), k).into(),
                );
                changed.insert("byokAdded".into(), p.into());
            }
            (None, _) => problems.push((
                "byok.provider".into(),
                format!("must be one of {}", BYOK_PROVIDERS.join(", ")),
            )),
            (_, None) => problems.push((
                "byok.apiKey".into(),
                "must be a non-empty string of at most 512 characters".into(),
            )),
        }
    }
    if let Some(remove) = &req.remove_byok {
        match remove.as_str().filter(|p| BYOK_PROVIDERS.contains(p)) {
            Some(p) => {
                byok.remove(p);
                changed.insert("byokRemoved".into(), p.into());
            }
            None => problems.push((
                "removeByok".into(),
                format!("must be one of {}", BYOK_PROVIDERS.join(", ")),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(invalid_payload("Validation failed", problems));
    }
    if changed.is_empty() {
        return Err(
            ApiError::bad_request("Send defaultModel, byok or removeByok")
                .with_title("Missing fields"),
        );
    }
    update.byok = Some(Value::Object(byok).to_string());
    let org = store
        .update_org(caller.tenant_id, update)
        .await?
        .ok_or_else(|| ApiError::not_found("Organization not found"))?;
    caller
        .audit(
            &state.platform,
            "org.ai_config_updated",
            format!("organization:{}", org.id),
            Value::Object(changed),
        )
        .await?;
    Ok(Json(AiConfigResponse {
        success: true,
        data: ai_config(&org),
    }))
}
