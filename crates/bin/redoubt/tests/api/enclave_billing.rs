//! enclave billing: Stripe Checkout through a local fake Stripe (our real client speaks HTTP to
//! it), the "not configured" answer, and the signed webhook that applies the tier.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use platform::ServiceName;
use serde_json::{json, Value};

use crate::helpers::enclave::{enclave_app, signup, spawn_enclave};
use crate::helpers::{spawn_with, TestApp, TestResponse};

type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A fake Stripe: records (authorization, form body) and answers like Checkout does.
async fn fake_stripe() -> (String, Seen) {
    let seen: Seen = Arc::default();
    async fn create(State(seen): State<Seen>, headers: HeaderMap, body: String) -> Json<Value> {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        seen.lock().unwrap().push((auth, body));
        Json(
            json!({ "id": "cs_test_123", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_123" }),
        )
    }
    let app = Router::new()
        .route("/v1/checkout/sessions", post(create))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

async fn checkout(app: &TestApp, key: &str, body: Value) -> TestResponse {
    app.enclave(key).post("/v1/billing/checkout", body).await
}

#[tokio::test]
async fn checkout_without_billing_configured_says_so_in_the_envelope() {
    let app = spawn_enclave().await;
    let (_, key) = signup(&app, "b@b.example", None).await;
    let r = checkout(&app, &key, json!({ "tier": "starter" })).await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.body["error"], "BillingNotConfigured");
    assert_eq!(r.body["status"], 503);
}

#[tokio::test]
async fn checkout_goes_through_stripe_and_the_signed_webhook_applies_the_tier() {
    let (stripe, seen) = fake_stripe().await;
    let app = spawn_with(enclave_app(move |c| {
        let billing = &mut c.platform.billing;
        billing.stripe_api_base = stripe.clone();
        billing.stripe_secret_key = Some("sk_test_fake".into());
        billing.stripe_webhook_secret = Some("whsec_test".into());
        billing
            .prices
            .insert("starter".into(), "price_starter".into());
        billing
            .prices
            .insert("business".into(), "price_business".into());
    }))
    .await;
    let (customer_id, key) = signup(&app, "pay@p.example", None).await;
    for bad in [
        json!({}),
        json!({ "tier": "free" }),
        json!({ "tier": "enterprise" }),
        json!({ "tier": 2 }),
    ] {
        let r = checkout(&app, &key, bad.clone()).await;
        assert_eq!(
            (r.status, r.body["error"].clone()),
            (400, json!("BadRequest")),
            "{bad}"
        );
    }
    let r = checkout(&app, &key, json!({ "tier": "starter" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["checkout_url"],
        "https://checkout.stripe.com/c/pay/cs_test_123"
    );
    let (auth, form) = seen.lock().unwrap()[0].clone();
    assert_eq!(auth, "Bearer sk_test_fake");
    let fields: Vec<(String, String)> = form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .collect();
    for (k, v) in [
        ("mode", "subscription"),
        ("line_items[0][price]", "price_starter"),
        ("client_reference_id", customer_id.as_str()),
        ("metadata[tier]", "starter"),
        ("customer_email", "pay@p.example"),
    ] {
        assert!(
            fields.contains(&(k.to_string(), v.to_string())),
            "{k}={v} missing from {fields:?}"
        );
    }
    // Stripe reports the completed checkout; a forged signature changes nothing.
    let event = json!({ "type": "checkout.session.completed", "data": { "object": { "client_reference_id": customer_id, "metadata": { "tier": "starter" } } } }).to_string();
    let stripe_sends = |secret: &str| {
        let signature =
            platform::webhooks::sign(secret, platform::store::now().timestamp(), event.as_bytes());
        let client = app
            .client(ServiceName::Enclave)
            .header("stripe-signature", &signature);
        let body = event.clone().into_bytes();
        async move {
            client
                .send_raw(
                    reqwest::Method::POST,
                    "/v1/billing/webhook",
                    Some(("application/json", body)),
                )
                .await
        }
    };
    let enclave = app.enclave(&key);
    let forged = stripe_sends("whsec_wrong").await;
    assert_eq!(forged.status, 400, "{}", forged.body);
    let me = enclave.get("/v1/customers/me").await.body;
    assert_eq!(me["tier"], "free", "a forged event changes nothing");
    let signed = stripe_sends("whsec_test").await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    let me = enclave.get("/v1/customers/me").await.body;
    assert_eq!(me["tier"], "starter");
    assert_eq!(me["sessions_limit"], 20);
    assert_eq!(me["rate_limit_rpm"], 120);
    assert_eq!(me["cdp_limit"], Value::Null);
    let created = enclave.post("/v1/sessions", json!({})).await.body;
    assert_eq!(created["ttl_seconds"], 600);
}
