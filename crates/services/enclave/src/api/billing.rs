//! Billing: `POST /v1/billing/checkout` opens a Stripe Checkout session for a paid tier, and
//! `POST /v1/billing/webhook` (Stripe → us, `Stripe-Signature` checked) applies the tier once
//! Checkout completes. Stripe's API base URL is configurable; without a secret key, both answer
//! 503 `BillingNotConfigured`.

use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
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

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("a TLS client")
    })
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
    let billing = &state.platform.settings().billing;
    let secret = billing
        .stripe_secret_key
        .as_deref()
        .ok_or_else(|| not_configured("no Stripe secret key"))?;
    let price = billing
        .prices
        .get(&tier)
        .ok_or_else(|| not_configured(&format!("no price for {tier}")))?;
    let row = &customer.row;
    let form: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("mode", "subscription")
        .append_pair("line_items[0][price]", price)
        .append_pair("line_items[0][quantity]", "1")
        .append_pair("success_url", &billing.success_url)
        .append_pair("cancel_url", &billing.cancel_url)
        .append_pair("client_reference_id", &row.id)
        .append_pair("customer_email", &row.email)
        .append_pair("metadata[customer_id]", &row.id)
        .append_pair("metadata[tier]", &tier)
        .finish();
    let url = format!(
        "{}/v1/checkout/sessions",
        billing.stripe_api_base.trim_end_matches('/')
    );
    let upstream =
        |m: String| ApiError::new(StatusCode::BAD_GATEWAY, m).with_code("BillingUnavailable");
    let response = client()
        .post(&url)
        .bearer_auth(secret)
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "idempotency-key",
            format!(
                "{}-{tier}-{}",
                row.id,
                platform::store::now().timestamp() / 60
            ),
        )
        .body(form)
        .send()
        .await
        .map_err(|e| upstream(format!("Stripe could not be reached: {e}")))?;
    let status = response.status();
    let payload: Value = response
        .json()
        .await
        .map_err(|_| upstream(format!("Stripe answered {status} without JSON")))?;
    if !status.is_success() {
        let why = payload["error"]["message"].as_str().unwrap_or("no message");
        return Err(upstream(format!(
            "Stripe refused the checkout session ({status}): {why}"
        )));
    }
    let checkout_url = payload["url"]
        .as_str()
        .ok_or_else(|| upstream("Stripe's answer has no url".into()))?;
    Ok(Json(CheckoutResponse {
        checkout_url: checkout_url.to_string(),
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
