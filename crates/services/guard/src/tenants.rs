//! `/api/v1/tenants/me` (admins): the tenant, its settings, limits and usage; and
//! `PUT /tenants/me/settings` to change name, data residency, audit retention and IP allow-list.

use std::net::IpAddr;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use platform::audit::AuditEvent;
use platform::http::{ApiError, AppJson, AuthUser};
use platform::store::{self, Db};
use platform::webhooks::new_signing_secret;
use platform::{on_db, sealed, ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ErrorBody;

const LIMITS: Limits = Limits {
    users: 50,
    policies: 100,
    interactions_per_month: 1_000_000,
    api_requests_per_minute: 1000,
};

#[derive(Debug, Clone, sqlx::FromRow)]
struct SettingsRow {
    tenant_id: Uuid,
    domain: String,
    data_residency: String,
    audit_log_retention_days: i32,
    ip_whitelist: String,
    webhook_signing_secret: String,
    updated_at: DateTime<Utc>,
}

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

const COLUMNS: &str = "tenant_id, domain, data_residency, audit_log_retention_days, ip_whitelist, webhook_signing_secret, updated_at";

/// The tenant's settings, created with defaults on first use.
async fn settings_of(state: &ServiceState, user: &AuthUser) -> Result<SettingsRow, ApiError> {
    let db = state.platform.db();
    let select = format!("SELECT {COLUMNS} FROM guard_tenant_settings WHERE tenant_id = $1");
    let found = on_db!(db, p => sqlx::query_as::<_, SettingsRow>(sqlx::AssertSqlSafe(select.clone())).bind(user.tenant_id()).fetch_optional(p).await)?;
    if let Some(row) = found {
        return Ok(row);
    }
    let row = SettingsRow {
        tenant_id: user.tenant_id(),
        domain: user
            .claims
            .email
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_string(),
        data_residency: "eu".into(),
        audit_log_retention_days: 365,
        ip_whitelist: "[]".into(),
        webhook_signing_secret: sealed::seal(state.platform.master_key(), &new_signing_secret()),
        updated_at: store::now(),
    };
    let insert = "INSERT INTO guard_tenant_settings (tenant_id, domain, data_residency, audit_log_retention_days, ip_whitelist, \
                  webhook_signing_secret, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id) DO NOTHING";
    on_db!(db, p => sqlx::query(insert).bind(row.tenant_id).bind(&row.domain).bind(&row.data_residency)
        .bind(row.audit_log_retention_days).bind(&row.ip_whitelist).bind(&row.webhook_signing_secret).bind(row.updated_at)
        .execute(p).await.map(|_| ()))?;
    let stored = on_db!(db, p => sqlx::query_as::<_, SettingsRow>(sqlx::AssertSqlSafe(select.clone())).bind(user.tenant_id()).fetch_one(p).await)?;
    Ok(stored)
}

async fn count(
    db: &Db,
    sql: &'static str,
    tenant_id: Uuid,
    since: Option<DateTime<Utc>>,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = match since {
        Some(t) => on_db!(db, p => sqlx::query_as(sql).bind(tenant_id).bind(t).fetch_one(p).await)?,
        None => on_db!(db, p => sqlx::query_as(sql).bind(tenant_id).fetch_one(p).await)?,
    };
    Ok(n)
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

async fn view(state: &ServiceState, user: &AuthUser) -> Result<TenantView, ApiError> {
    let settings = settings_of(state, user).await?;
    let tenant = state
        .platform
        .accounts()
        .tenant_by_id(user.tenant_id())
        .await?
        .ok_or_else(|| ApiError::not_found("Tenant not found"))?;
    let db = state.platform.db();
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
        policies: count(
            db,
            "SELECT COUNT(*) FROM guard_policies WHERE tenant_id = $1",
            user.tenant_id(),
            None,
        )
        .await?,
        interactions_this_month: count(
            db,
            "SELECT COUNT(*) FROM guard_interactions WHERE tenant_id = $1 AND created_at >= $2",
            user.tenant_id(),
            Some(month_start),
        )
        .await?,
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
    user: AuthUser,
) -> Result<Json<TenantView>, ApiError> {
    user.require_role(&["admin"])?;
    Ok(Json(view(&state, &user).await?))
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
    user: AuthUser,
    AppJson(req): AppJson<SettingsUpdate>,
) -> Result<Json<TenantView>, ApiError> {
    user.require_role(&["admin"])?;
    let mut row = settings_of(&state, &user).await?;
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
    row.updated_at = store::now();
    let update = "UPDATE guard_tenant_settings SET data_residency = $1, audit_log_retention_days = $2, ip_whitelist = $3, updated_at = $4 \
                  WHERE tenant_id = $5";
    on_db!(state.platform.db(), p => sqlx::query(update).bind(&row.data_residency).bind(row.audit_log_retention_days)
        .bind(&row.ip_whitelist).bind(row.updated_at).bind(row.tenant_id).execute(p).await.map(|_| ()))?;
    let event = AuditEvent {
        service: ServiceName::Guard,
        actor: user.claims.email.clone(),
        action: "tenant.settings.update".into(),
        target: format!("tenant:{}", user.tenant_id()),
        details: serde_json::json!({
            "name": name, "data_residency": req.data_residency,
            "audit_log_retention_days": req.audit_log_retention_days, "ip_whitelist": req.ip_whitelist,
        }),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok(Json(view(&state, &user).await?))
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
