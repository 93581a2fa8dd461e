//! Billing: `POST /v1/billing/checkout` opens a Stripe Checkout session for a paid tier, and
//! `POST /v1/billing/webhook` (Stripe → us, `Stripe-Signature` checked) applies the tier once
//! Checkout completes. Stripe's API base URL is configurable; without a secret key, both answer
//! 503 `BillingNotConfigured`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use platform::billing::{BillingError, Stripe};
use platform::http::{ApiError, AppJson};
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::Customer;
use crate::store::EnclaveStore;
use crate::tiers::Tier;
use crate::ErrorBody;

#[derive(Deserialize, ToSchema)]
pub struct CheckoutRequest {
    /// starter or business.
    tier: Option<Value>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckoutResponse {
    #[schema(example = "https://checkout.stripe.com/c/pay/cs_test_…")]
    checkout_url: String,
}

fn not_configured(what: &str) -> ApiError {
    ApiError::unavailable(format!("Billing is not configured on this server ({what}); ask the operator to set billing.stripe_secret_key and billing.prices."))
        .with_code("BillingNotConfigured")
}

fn billing_error(e: BillingError) -> ApiError {
    match e {
        BillingError::NotConfigured(what) => not_configured(&what),
        BillingError::Upstream(m) => {
            ApiError::new(StatusCode::BAD_GATEWAY, m).with_code("BillingUnavailable")
        }
    }
}

#[utoipa::path(post, path = "/v1/billing/checkout", tag = "billing", request_body = CheckoutRequest,
    responses((status = 200, body = CheckoutResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn checkout(
    State(state): State<ServiceState>,
    customer: Customer,
    AppJson(body): AppJson<CheckoutRequest>,
) -> Result<Json<CheckoutResponse>, ApiError> {
    let tier = match body.tier {
        Some(Value::String(t)) if t == "starter" || t == "business" => t,
        _ => {
            return Err(ApiError::bad_request(
                "tier must be one of starter, business",
            ))
        }
    };
    let stripe =
        Stripe::from_settings(&state.platform.settings().billing).map_err(billing_error)?;
    let price = stripe.price(&tier).map_err(billing_error)?;
    let billing = stripe.settings();
    let row = &customer.row;
    let idempotency = format!(
        "{}-{tier}-{}",
        row.id,
        platform::store::now().timestamp() / 60
    );
    let session = stripe
        .checkout_session(
            &[
                ("mode", "subscription"),
                ("line_items[0][price]", price),
                ("line_items[0][quantity]", "1"),
                ("success_url", &billing.success_url),
                ("cancel_url", &billing.cancel_url),
                ("client_reference_id", &row.id),
                ("customer_email", &row.email),
                ("metadata[customer_id]", &row.id),
                ("metadata[tier]", &tier),
            ],
            &idempotency,
        )
        .await
        .map_err(billing_error)?;
    Ok(Json(CheckoutResponse {
        checkout_url: session.url,
    }))
}

#[utoipa::path(post, path = "/v1/billing/webhook", tag = "billing",
    request_body(content = Object, description = "A Stripe event, signed with `Stripe-Signature`"),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn stripe_webhook(
    State(state): State<ServiceState>,
    State(store): State<EnclaveStore>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let secret = state
        .platform
        .settings()
        .billing
        .stripe_webhook_secret
        .as_deref()
        .ok_or_else(|| not_configured("no webhook secret"))?;
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = platform::store::now().timestamp();
    if !platform::webhooks::verify(secret, header, &body, now, 300) {
        return Err(ApiError::bad_request(
            "Stripe-Signature is missing, malformed, stale or wrong",
        ));
    }
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("the event is not JSON"))?;
    if event["type"] == "checkout.session.completed" {
        let object = &event["data"]["object"];
        let customer_id = object["client_reference_id"]
            .as_str()
            .or(object["metadata"]["customer_id"].as_str());
        let tier = object["metadata"]["tier"].as_str().and_then(Tier::parse);
        if let (Some(customer_id), Some(tier)) = (customer_id, tier) {
            let applied = store.set_tier(customer_id, tier).await?;
            tracing::info!(
                customer = customer_id,
                tier = tier.as_str(),
                applied,
                "enclave: checkout completed"
            );
            return Ok(Json(
                serde_json::json!({ "received": true, "applied": applied }),
            ));
        }
    }
    Ok(Json(
        serde_json::json!({ "received": true, "applied": false }),
    ))
}
