//! Customers: `POST /v1/signup` (public), `GET /v1/customers/me`, and the `Customer` extractor
//! that authenticates `Authorization: Bearer nrx_live_…` and applies the tier's request rate.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Months, Timelike, Utc};
use platform::http::auth::presented_api_key;
use platform::http::{ApiError, AppJson};
use platform::identity::accounts::normalize_email;
use platform::ratelimit::{rejection, Quota};
use platform::store::{self, is_unique_violation, Db};
use platform::{on_db, ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::runtime::stamp as rfc3339;
use crate::tiers::Tier;
use crate::ErrorBody;

pub const JURISDICTIONS: [&str; 7] = ["US", "EU", "UK", "CA", "AU", "IN", "OTHER"];

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: String,
    pub email: String,
    pub jurisdiction: String,
    pub tier: String,
    pub created_at: DateTime<Utc>,
}

impl CustomerRow {
    pub fn tier(&self) -> Tier {
        Tier::parse(&self.tier).unwrap_or(Tier::Free)
    }

    /// The start of the current billing month: sign-up day, advanced by whole months.
    /// Whole seconds, like the proof timestamps it is compared with.
    pub fn billing_cycle_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let anchor = self
            .created_at
            .with_nanosecond(0)
            .unwrap_or(self.created_at);
        let mut start = anchor;
        let mut months = 0u32;
        while let Some(next) = anchor.checked_add_months(Months::new(months + 1)) {
            if next > now {
                break;
            }
            months += 1;
            start = next;
        }
        start
    }
}

macro_rules! customer_select {
    ($where:literal) => {
        concat!("SELECT id, tenant_id, email, jurisdiction, tier, created_at FROM enclave_customers WHERE ", $where)
    };
}

pub async fn by_id(db: &Db, id: &str) -> anyhow::Result<Option<CustomerRow>> {
    let sql = customer_select!("id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(p)
        .await)?)
}

pub async fn set_tier(db: &Db, id: &str, tier: Tier) -> anyhow::Result<bool> {
    let sql = "UPDATE enclave_customers SET tier = $1 WHERE id = $2";
    let n = on_db!(db, |p| sqlx::query(sql)
        .bind(tier.as_str())
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    #[schema(example = "you@company.com")]
    email: Option<serde_json::Value>,
    /// US (default), EU, UK, CA, AU, IN, OTHER.
    jurisdiction: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    #[schema(example = "cust_8a3f0c2d9b1e4f5a")]
    customer_id: String,
    /// Shown once; only its SHA-256 is stored.
    #[schema(example = "nrx_live_…")]
    api_key: String,
    tier: Tier,
    message: &'static str,
}

#[utoipa::path(post, path = "/v1/signup", tag = "customers", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse), (status = 400, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn signup(
    State(state): State<ServiceState>,
    AppJson(body): AppJson<SignupRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let email = match body.email {
        Some(serde_json::Value::String(e)) => normalize_email(&e)
            .map_err(|_| ApiError::bad_request("email must be a valid email address"))?,
        Some(_) => return Err(ApiError::bad_request("email must be a string")),
        None => return Err(ApiError::bad_request("email is required")),
    };
    let jurisdiction = match body.jurisdiction {
        None | Some(serde_json::Value::Null) => "US".to_string(),
        Some(serde_json::Value::String(j)) if JURISDICTIONS.contains(&j.as_str()) => j,
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "jurisdiction must be one of {}",
                JURISDICTIONS.join(", ")
            )))
        }
    };
    let db = state.platform.db();
    let taken: Option<(String,)> = on_db!(db, |p| sqlx::query_as(
        "SELECT id FROM enclave_customers WHERE email = $1"
    )
    .bind(&email)
    .fetch_optional(p)
    .await)?;
    if taken.is_some() {
        return Err(ApiError::conflict("Email already registered"));
    }
    let customer_id = format!("cust_{}", hex::encode(rand::random::<[u8; 8]>()));
    let (tenant, _) = state
        .platform
        .accounts()
        .ensure_tenant(&format!("enclave:{customer_id}"))
        .await?;
    let sql = "INSERT INTO enclave_customers (id, tenant_id, email, jurisdiction, tier, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    let inserted = on_db!(db, |p| sqlx::query(sql)
        .bind(&customer_id)
        .bind(tenant.id)
        .bind(&email)
        .bind(&jurisdiction)
        .bind(Tier::Free.as_str())
        .bind(store::now())
        .execute(p)
        .await
        .map(|_| ()));
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(ApiError::conflict("Email already registered"))
        }
        Err(e) => return Err(e.into()),
    }
    let key = state
        .platform
        .api_keys()
        .create(tenant.id, ServiceName::Enclave, "signup", None)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            customer_id,
            api_key: key.key,
            tier: Tier::Free,
            message: "Save your API key — it cannot be retrieved later.",
        }),
    ))
}

/// An authenticated customer, within its tier's request rate.
pub struct Customer {
    pub row: CustomerRow,
    pub key_prefix: String,
}

/// A customer found by the hash of its key, with what the key lookup needs.
#[derive(sqlx::FromRow)]
struct KeyedCustomer {
    key_id: uuid::Uuid,
    key_hash: Vec<u8>,
    prefix: String,
    last_used_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    row: CustomerRow,
}

/// The customer whose live enclave key is `presented`: one indexed query.
async fn by_key(
    state: &ServiceState,
    presented: &str,
) -> anyhow::Result<Option<(CustomerRow, String)>> {
    let hash = platform::identity::api_keys::hash_key(presented);
    let sql = "SELECT k.id AS key_id, k.key_hash, k.prefix, k.last_used_at, \
               c.id, c.email, c.jurisdiction, c.tier, c.created_at \
               FROM api_keys k JOIN enclave_customers c ON c.tenant_id = k.tenant_id \
               WHERE k.key_hash = $1 AND k.service = 'enclave' AND k.revoked_at IS NULL";
    let found: Option<KeyedCustomer> = on_db!(state.platform.db(), |p| sqlx::query_as(sql)
        .bind(&hash)
        .fetch_optional(p)
        .await)?;
    let Some(found) = found else { return Ok(None) };
    // The lookup was by hash already; the final comparison stays constant-time regardless.
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        found.key_hash.as_slice(),
        hash.as_slice(),
    )) {
        return Ok(None);
    }
    state
        .platform
        .api_keys()
        .mark_used(found.key_id, found.last_used_at)
        .await?;
    Ok(Some((found.row, found.prefix)))
}

impl FromRequestParts<ServiceState> for Customer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ServiceState) -> Result<Self, Response> {
        let presented = presented_api_key(&parts.headers, ServiceName::Enclave)
            .ok_or_else(|| ApiError::unauthorized("Missing API key").into_response())?;
        let (row, key_prefix) = by_key(state, presented)
            .await
            .map_err(|e| ApiError::from(e).into_response())?
            .ok_or_else(|| ApiError::unauthorized("Invalid API key").into_response())?;
        let settings = &state.platform.settings().sandbox;
        let rpm = row
            .tier()
            .limits(settings.free_cdps_per_month)
            .requests_per_minute;
        let quota = Quota::new(rpm, std::time::Duration::from_secs(60));
        match state
            .platform
            .rate_limiter()
            .check(&format!("enclave.tier:{}", row.id), quota)
            .await
        {
            Ok(d) if !d.allowed => {
                let message = format!("Rate limit of {rpm} requests/min for the {} tier exceeded; retry after the indicated period.", row.tier);
                return Err(rejection(message, &d, quota));
            }
            Ok(_) => {}
            // Failing open, as the rate-limit layer does: an unreachable store must not take the API down.
            Err(e) => tracing::error!(error = %e, "rate limiter unavailable; request allowed"),
        }
        Ok(Customer { row, key_prefix })
    }
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    customer_id: String,
    email: String,
    tier: Tier,
    jurisdiction: String,
    cdps_this_cycle: u64,
    /// The monthly CDP cap; null on tiers without one.
    cdp_limit: Option<u32>,
    /// Sessions alive now.
    sessions_used: u64,
    /// Concurrent sessions allowed; null when unlimited.
    sessions_limit: Option<u32>,
    rate_limit_rpm: u32,
    #[schema(value_type = String, example = "2026-03-01T00:00:00Z")]
    billing_cycle_start: String,
    #[schema(example = "nrx_live_a1b2")]
    api_key_prefix: String,
}

#[utoipa::path(get, path = "/v1/customers/me", tag = "customers",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn me(
    State(state): State<ServiceState>,
    customer: Customer,
) -> Result<Json<Me>, ApiError> {
    let row = &customer.row;
    let limits = row
        .tier()
        .limits(state.platform.settings().sandbox.free_cdps_per_month);
    let now = store::now();
    let cycle = row.billing_cycle_start(now);
    let db = state.platform.db();
    Ok(Json(Me {
        customer_id: row.id.clone(),
        email: row.email.clone(),
        tier: row.tier(),
        jurisdiction: row.jurisdiction.clone(),
        cdps_this_cycle: crate::proofs::count_since(db, &row.id, cycle).await?,
        cdp_limit: limits.monthly_cdps,
        sessions_used: crate::sessions::repo::live_count(db, &row.id).await?,
        sessions_limit: limits.concurrent_sessions,
        rate_limit_rpm: limits.requests_per_minute,
        billing_cycle_start: rfc3339(cycle),
        api_key_prefix: customer.key_prefix.clone(),
    }))
}
