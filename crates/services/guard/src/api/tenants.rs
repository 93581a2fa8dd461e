//! `/api/v1/tenants/me` (admins): the tenant, its settings, limits and usage; and
//! `PUT /tenants/me/settings` to change name, data residency, audit retention and IP allow-list.

use std::net::IpAddr;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use platform::http::{ApiError, AppJson, AuthUser};
use platform::webhooks::new_signing_secret;
use platform::{sealed, ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{GuardStore, SettingsRow};
use crate::ErrorBody;

const LIMITS: Limits = Limits {
    users: 50,
    policies: 100,
    interactions_per_month: 1_000_000,
    api_requests_per_minute: 1000,
};

#[derive(Serialize, ToSchema)]
pub struct Settings {
    /// eu or us.
    data_residency: String,
    /// Whether stored data is encrypted by Redoubt itself: secrets are (sealed with the master
    /// key); the database as a whole is the operator's to encrypt, so this reports false.
    encryption_enabled: bool,
    audit_log_retention_days: i32,
    sso_enabled: bool,
    /// Masked: only the prefix and the last four characters are ever shown.
    webhook_signing_secret: String,
    ip_whitelist: Vec<String>,
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct Limits {
    users: i64,
    policies: i64,
    interactions_per_month: i64,
    api_requests_per_minute: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Usage {
    active_users: i64,
    policies: i64,
    interactions_this_month: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TenantView {
    id: Uuid,
    name: String,
    domain: String,
    /// Always `self-hosted` for a Redoubt installation.
    plan: &'static str,
    status: &'static str,
    created_at: DateTime<Utc>,
    settings: Settings,
    limits: Limits,
    usage: Usage,
    updated_at: DateTime<Utc>,
}

/// The tenant's settings, created with defaults on first use.
async fn settings_of(
    state: &ServiceState,
    store: &GuardStore,
    user: &AuthUser,
) -> Result<SettingsRow, ApiError> {
    if let Some(row) = store.tenant_settings(user.tenant_id()).await? {
        return Ok(row);
    }
    let domain = user.claims.email.rsplit('@').next().unwrap_or_default();
    let defaults = SettingsRow {
        tenant_id: user.tenant_id(),
        domain: domain.to_string(),
        data_residency: "eu".into(),
        audit_log_retention_days: 365,
        ip_whitelist: "[]".into(),
        webhook_signing_secret: sealed::seal(state.platform.master_key(), &new_signing_secret()),
        updated_at: platform::store::now(),
    };
    Ok(store.tenant_settings_or(defaults).await?)
}

fn masked_secret(state: &ServiceState, sealed_value: &str) -> String {
    let secret = sealed::open(state.platform.master_key(), sealed_value).unwrap_or_default();
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("whsec_…{tail}")
}

async fn view(
    state: &ServiceState,
    store: &GuardStore,
    user: &AuthUser,
) -> Result<TenantView, ApiError> {
    let settings = settings_of(state, store, user).await?;
    let tenant = state
        .platform
        .accounts()
        .tenant_by_id(user.tenant_id())
        .await?
        .ok_or_else(|| ApiError::not_found("Tenant not found"))?;
    let now = Utc::now();
    let month_start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let usage = Usage {
        active_users: state
            .platform
            .accounts()
            .active_user_count(user.tenant_id())
            .await?,
        policies: store.policy_count(user.tenant_id()).await? as i64,
        interactions_this_month: store
            .interaction_count_since(user.tenant_id(), month_start)
            .await? as i64,
    };
    Ok(TenantView {
        id: tenant.id,
        name: tenant.name,
        domain: settings.domain.clone(),
        plan: "self-hosted",
        status: "active",
        created_at: tenant.created_at,
        settings: Settings {
            webhook_signing_secret: masked_secret(state, &settings.webhook_signing_secret),
            data_residency: settings.data_residency,
            encryption_enabled: false,
            audit_log_retention_days: settings.audit_log_retention_days,
            sso_enabled: false,
            ip_whitelist: serde_json::from_str(&settings.ip_whitelist).unwrap_or_default(),
        },
        limits: LIMITS,
        usage,
        updated_at: settings.updated_at,
    })
}

/// The caller's tenant (admin).
#[utoipa::path(get, path = "/api/v1/tenants/me", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = TenantView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_tenant(
    State(state): State<ServiceState>,
    State(store): State<GuardStore>,
    user: AuthUser,
) -> Result<Json<TenantView>, ApiError> {
    user.require_role(&["admin"])?;
    Ok(Json(view(&state, &store, &user).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    name: Option<String>,
    /// eu or us.
    data_residency: Option<String>,
    /// 90 to 2555.
    audit_log_retention_days: Option<i32>,
    /// IP addresses or CIDR blocks.
    ip_whitelist: Option<Vec<String>>,
}

/// An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`), normalised.
fn parse_cidr(entry: &str) -> Option<String> {
    let entry = entry.trim();
    let (addr, prefix) = match entry.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (entry, None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    match prefix {
        Some(p) if p > max => None,
        Some(p) => Some(format!("{ip}/{p}")),
        None => Some(ip.to_string()),
    }
}

/// Change tenant settings (admin); returns the updated tenant. Audited.
#[utoipa::path(put, path = "/api/v1/tenants/me/settings", tag = "tenants", request_body = SettingsUpdate, security(("bearer" = [])),
    responses((status = 200, body = TenantView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "Tenant name taken")))]
pub async fn update_settings(
    State(state): State<ServiceState>,
    State(store): State<GuardStore>,
    user: AuthUser,
    AppJson(req): AppJson<SettingsUpdate>,
) -> Result<Json<TenantView>, ApiError> {
    user.require_role(&["admin"])?;
    let mut row = settings_of(&state, &store, &user).await?;
    if let Some(r) = &req.data_residency {
        if !["eu", "us"].contains(&r.as_str()) {
            return Err(ApiError::bad_request("data_residency must be eu or us"));
        }
        row.data_residency = r.clone();
    }
    if let Some(days) = req.audit_log_retention_days {
        if !(90..=2555).contains(&days) {
            return Err(ApiError::bad_request(
                "audit_log_retention_days must be between 90 and 2555",
            ));
        }
        row.audit_log_retention_days = days;
    }
    if let Some(list) = &req.ip_whitelist {
        if list.len() > 1000 {
            return Err(ApiError::bad_request(
                "ip_whitelist holds at most 1000 entries",
            ));
        }
        let parsed: Option<Vec<String>> = list.iter().map(|e| parse_cidr(e)).collect();
        let parsed = parsed.ok_or_else(|| {
            ApiError::bad_request("ip_whitelist entries must be IP addresses or CIDR blocks")
        })?;
        row.ip_whitelist = serde_json::to_string(&parsed).map_err(anyhow::Error::from)?;
    }
    let name = match &req.name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 200 => {
            return Err(ApiError::bad_request("name must be 1 to 200 characters"))
        }
        Some(n) => Some(n.trim().to_string()),
        None => None,
    };
    if let Some(name) = &name {
        state
            .platform
            .accounts()
            .rename_tenant(user.tenant_id(), name)
            .await?;
    }
    row.updated_at = platform::store::now();
    store.update_tenant_settings(&row).await?;
    let details = serde_json::json!({
        "name": name, "data_residency": req.data_residency,
        "audit_log_retention_days": req.audit_log_retention_days, "ip_whitelist": req.ip_whitelist,
    });
    let target = format!("tenant:{}", user.tenant_id());
    let audit = state.platform.audit();
    audit
        .record(
            &user,
            ServiceName::Guard,
            "tenant.settings.update",
            target,
            details,
        )
        .await?;
    Ok(Json(view(&state, &store, &user).await?))
}

#[cfg(test)]
mod tests {
    use super::parse_cidr;

    #[test]
    fn cidrs_are_checked_and_normalised() {
        assert_eq!(parse_cidr("10.0.0.0/8").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(parse_cidr(" 192.168.1.5 ").as_deref(), Some("192.168.1.5"));
        assert_eq!(
            parse_cidr("2001:DB8::/32").as_deref(),
            Some("2001:db8::/32")
        );
        for bad in ["10.0.0.0/33", "300.1.1.1", "example.com", "::/129", ""] {
            assert_eq!(parse_cidr(bad), None, "{bad}");
        }
    }
}
