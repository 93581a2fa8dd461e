//! enclave billing: Stripe Checkout through a local fake Stripe (our real client speaks HTTP to
//! it), the "not configured" answer, and the signed webhook that applies the tier.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use platform::ServiceName;
use reqwest::Method;
use serde_json::{json, Value};

use crate::enclave::{call_enclave, enclave_app, signup};
use crate::helpers::*;

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

async fn checkout(
    app: &TestApp,
    key: &str,
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    call_enclave(
        app,
        Method::POST,
        "/v1/billing/checkout",
        Some(key),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn checkout_without_billing_configured_says_so_in_the_envelope() {
    let app = spawn_app().await;
    let (_, key) = signup(&app, "b@b.example", None).await;
    let (s, _, b) = checkout(&app, &key, json!({ "tier": "starter" })).await;
    assert_eq!(s, 503, "{b}");
    assert_eq!(b["error"], "BillingNotConfigured");
    assert_eq!(b["status"], 503);
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
        let (s, _, b) = checkout(&app, &key, bad).await;
        assert_eq!((s, b["error"].clone()), (400, json!("BadRequest")));
    }
    let (s, _, b) = checkout(&app, &key, json!({ "tier": "starter" })).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["checkout_url"],
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
    let hook = app.url(ServiceName::Enclave, "/v1/billing/webhook");
    let forged = app
        .http
        .post(&hook)
        .header(
            "stripe-signature",
            platform::webhooks::sign(
                "whsec_wrong",
                platform::store::now().timestamp(),
                event.as_bytes(),
            ),
        )
        .body(event.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let (_, _, me) = call_enclave(&app, Method::GET, "/v1/customers/me", Some(&key), None).await;
    assert_eq!(me["tier"], "free");
    let signed = app
        .http
        .post(&hook)
        .header(
            "stripe-signature",
            platform::webhooks::sign(
                "whsec_test",
                platform::store::now().timestamp(),
                event.as_bytes(),
            ),
        )
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let (_, _, me) = call_enclave(&app, Method::GET, "/v1/customers/me", Some(&key), None).await;
    assert_eq!(me["tier"], "starter");
    assert_eq!(me["sessions_limit"], 20);
    assert_eq!(me["rate_limit_rpm"], 120);
    assert_eq!(me["cdp_limit"], Value::Null);
    let (_, _, created) = call_enclave(
        &app,
        Method::POST,
        "/v1/sessions",
        Some(&key),
        Some(json!({})),
    )
    .await;
    assert_eq!(created["ttl_seconds"], 600);
}
