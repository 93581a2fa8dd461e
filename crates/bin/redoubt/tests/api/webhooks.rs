//! guard webhooks over HTTP: registration (secret shown once, SSRF guard, validation, roles),
//! and real deliveries to a local receiver — signed, retried after a failure, per subscription.

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use crate::helpers::guard::{guard_only, policy, spawn_guard, with_text};
use crate::helpers::receiver::{next, receiver};
use crate::helpers::{spawn_with, AppOptions};

#[tokio::test]
async fn the_ssrf_guard_and_validation_refuse_bad_webhooks() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (admin, viewer) = (app.guard(&token), app.guard(&viewer));
    let events = json!(["interaction.created"]);
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://user:pw@example.com/hook",
        "not a url",
    ] {
        let r = admin
            .post("/api/v1/webhooks", json!({ "url": url, "events": events }))
            .await;
        assert_eq!(r.status, 400, "{url}: {}", r.body);
    }
    let public = "https://93.184.215.14/hook";
    for bad in [
        json!({ "url": public, "events": [] }),
        json!({ "url": public, "events": ["interaction.deleted"] }),
        json!({ "url": public, "events": events, "headers": { "Authorization": "x" } }),
        json!({ "url": public, "events": events, "headers": { "bad header": "x" } }),
        json!({ "events": events }),
    ] {
        let r = admin.post("/api/v1/webhooks", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
    let r = viewer
        .post(
            "/api/v1/webhooks",
            json!({ "url": public, "events": events }),
        )
        .await;
    assert_eq!(r.status, 403, "viewers do not register webhooks");
    let r = admin
        .post(
            "/api/v1/webhooks",
            json!({ "url": public, "events": events, "description": "SIEM" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.body;
    assert!(created["id"].as_str().unwrap().starts_with("whk_"));
    assert!(created["signing_secret"]
        .as_str()
        .unwrap()
        .starts_with("whsec_"));
    assert_eq!(created["active"], true);
    let list = viewer.get("/api/v1/webhooks").await;
    assert_eq!(list.header("x-total-count"), "1");
    assert!(
        list.body["webhooks"][0].get("signing_secret").is_none(),
        "the secret is shown once"
    );
    let inactive = viewer.get("/api/v1/webhooks?active=false").await;
    assert_eq!(inactive.header("x-total-count"), "0");
    let audit = admin.get("/api/v1/audit-log").await.body;
    assert_eq!(audit["entries"][0]["action"], "webhook.create");
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_follow_subscriptions() {
    let app = spawn_with(AppOptions {
        private_webhooks: true,
        ..guard_only()
    })
    .await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&token);
    let (url, mut rx, hits) = receiver(1).await;
    let r = guard
        .post(
            "/api/v1/webhooks",
            json!({
            "url": url, "events": ["interaction.policy_violated", "alert.severity_high"],
            "headers": { "X-Team": "secops" }, "auth_token": "tok-123" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let hook = r.body;
    let secret = hook["signing_secret"].as_str().unwrap().to_string();
    guard.post("/api/v1/policies", policy()).await;

    // An allowed interaction triggers neither subscribed event.
    let allowed = guard
        .post("/api/v1/interactions", with_text("claude", "Bonjour"))
        .await;
    assert_eq!(allowed.status, 201, "{}", allowed.body);
    let blocked = guard
        .post(
            "/api/v1/interactions",
            with_text("chatgpt", "Mail: zoe@acme.fr"),
        )
        .await
        .body;
    assert_eq!(blocked["action"], "block");

    let mut seen = Vec::new();
    // Two events, three requests: the first attempt fails (500) and is retried after the backoff.
    for _ in 0..3 {
        let r = next(&mut rx).await;
        let signature = r.headers["x-redoubt-signature"].to_str().unwrap();
        let now = chrono::Utc::now().timestamp();
        assert!(
            platform::webhooks::verify(&secret, signature, &r.body, now, 300),
            "signature verifies"
        );
        assert!(!platform::webhooks::verify(
            "whsec_wrong",
            signature,
            &r.body,
            now,
            300
        ));
        assert_eq!(r.headers["authorization"], "Bearer tok-123");
        assert_eq!(r.headers["x-team"], "secops");
        assert_eq!(
            r.headers["x-redoubt-webhook-id"],
            hook["id"].as_str().unwrap()
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["tenant_id"], tenant.to_string());
        assert_eq!(
            r.headers["x-redoubt-event"].to_str().unwrap(),
            body["type"].as_str().unwrap()
        );
        let delivery = r.headers["x-redoubt-delivery"]
            .to_str()
            .unwrap()
            .to_string();
        if !seen.iter().any(|(d, _): &(String, Value)| *d == delivery) {
            seen.push((delivery, body));
        }
    }
    let mut types: Vec<&str> = seen
        .iter()
        .map(|(_, b)| b["type"].as_str().unwrap())
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["alert.severity_high", "interaction.policy_violated"]
    );
    let violated = seen
        .iter()
        .find(|(_, b)| b["type"] == "interaction.policy_violated")
        .unwrap();
    assert_eq!(violated.1["data"]["id"], blocked["id"]);
    assert!(
        !violated.1.to_string().contains("zoe@acme.fr"),
        "deliveries carry masked values only"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 3, "one retry after the 500");
}

#[tokio::test]
async fn webhooks_are_deleted_by_admins_only_and_per_tenant() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (_, other) = app.guard_user("globex", "gina@globex.com", "admin").await;
    let hook = app
        .guard(&token)
        .post(
            "/api/v1/webhooks",
            json!({ "url": "https://93.184.215.14/h", "events": ["alert.created"] }),
        )
        .await
        .body;
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    // In this order: refused to a viewer and to another tenant, deleted once, then gone.
    for (who, token, expected) in [
        ("a viewer", &viewer, 403),
        ("another tenant's admin", &other, 404),
        ("the admin", &token, 204),
        ("the admin, again", &token, 404),
    ] {
        let r = app.guard(token).delete(&path).await;
        assert_eq!(r.status, expected, "{who}: {}", r.body);
    }
}
