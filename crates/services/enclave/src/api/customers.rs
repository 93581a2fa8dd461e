//! Customers: `POST /v1/signup` (public) and `GET /v1/customers/me`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use platform::http::fields::{Field, Vocabulary};
use platform::http::{ApiError, AppJson};
use platform::identity::accounts::normalize_email;
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Customer;
use crate::model::{stamp, CustomerRow, Jurisdiction};
use crate::store::EnclaveStore;
use crate::tiers::Tier;
use crate::ErrorBody;

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    #[schema(example = "you@company.com")]
    #[serde(default)]
    #[schema(value_type = String, format = Email)]
    email: Field<String>,
    /// Default US.
    #[serde(default)]
    #[schema(value_type = Option<Jurisdiction>)]
    jurisdiction: Field<Jurisdiction>,
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
    State(store): State<EnclaveStore>,
    AppJson(body): AppJson<SignupRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let email = body.email.required("email", "a string")?;
    let email = normalize_email(&email)
        .map_err(|_| ApiError::bad_request("email must be a valid email address"))?;
    let jurisdiction = body
        .jurisdiction
        .one_of("jurisdiction", Jurisdiction::Us)?
        .as_str()
        .to_string();
    if store.email_taken(&email).await? {
        return Err(ApiError::conflict("Email already registered"));
    }
    let customer_id = format!("cust_{}", hex::encode(rand::random::<[u8; 8]>()));
    let (tenant, _) = state
        .platform
        .accounts()
        .ensure_tenant(&format!("enclave:{customer_id}"))
        .await?;
    let customer = CustomerRow {
        id: customer_id.clone(),
        email,
        jurisdiction,
        tier: Tier::Free.as_str().into(),
        created_at: platform::store::now(),
    };
    if !store.insert_customer(&customer, tenant.id).await? {
        return Err(ApiError::conflict("Email already registered"));
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
    State(store): State<EnclaveStore>,
    customer: Customer,
) -> Result<Json<Me>, ApiError> {
    let row = &customer.row;
    let limits = row
        .tier()
        .limits(state.platform.settings().sandbox.free_cdps_per_month);
    let now = platform::store::now();
    let cycle = row.billing_cycle_start(now);
    Ok(Json(Me {
        customer_id: row.id.clone(),
        email: row.email.clone(),
        tier: row.tier(),
        jurisdiction: row.jurisdiction.clone(),
        cdps_this_cycle: store.proof_count_since(&row.id, cycle).await?,
        cdp_limit: limits.monthly_cdps,
        sessions_used: store.live_session_count(&row.id).await?,
        sessions_limit: limits.concurrent_sessions,
        rate_limit_rpm: limits.requests_per_minute,
        billing_cycle_start: stamp(cycle),
        api_key_prefix: customer.key_prefix.clone(),
    }))
}
