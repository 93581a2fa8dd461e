//! guard's classifier endpoint: findings with offsets and masked values, risk, admin only.

use platform::ServiceName;
use serde_json::{json, Value};

use crate::helpers::*;

async fn classify(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let path = "/api/v1/classification/classify";
    let (status, _, reply) = call(
        app,
        ServiceName::Guard,
        reqwest::Method::POST,
        path,
        Some(token),
        Some(body),
    )
    .await;
    (status, reply)
}

#[tokio::test]
async fn admins_get_findings_masked_values_and_risk() {
    let app = spawn_app().await;
    app.user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let token = app.guard_login("alice@acme.fr").await;
    let text = "Réponds à bob@example.com, carte 4111 1111 1111 1111. token: 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";
    let (status, body) = classify(&app, &token, json!({ "text": text })).await;
    assert_eq!(status, 200, "{body}");
    let found: Vec<(String, String, u64, u64)> = body["classifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().into(),
                c["value"].as_str().unwrap().into(),
                c["start"].as_u64().unwrap(),
                c["end"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("EMAIL".into(), "b***@example.com".into(), 10, 25),
            ("CREDIT_CARD".into(), "**** **** **** 1111".into(), 33, 52),
            (
                "API_KEY".into(),
                "ghp_************************************".into(),
                61,
                101
            ),
        ]
    );
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(
        chars[10..25].iter().collect::<String>(),
        "bob@example.com",
        "offsets are characters"
    );
    assert_eq!(body["risk_band"], "critical");
    assert!(body["risk_score"].as_f64().unwrap() >= 0.9);
    assert!(body["latency_us"].is_u64());
    assert!(
        !body.to_string().contains("4111 1111 1111 1111"),
        "the raw value never comes back"
    );

    let (status, body) = classify(
        &app,
        &token,
        json!({ "text": "Traduis ce texte en anglais." }),
    )
    .await;
    assert_eq!(
        (
            status,
            body["classifications"].as_array().unwrap().len(),
            body["risk_band"].as_str()
        ),
        (200, 0, Some("minimal"))
    );
    app.stop().await;
}

#[tokio::test]
async fn viewers_bad_bodies_and_oversize_texts_are_refused() {
    let app = spawn_app().await;
    app.user("acme", "viewer@acme.fr", ServiceName::Guard, "viewer")
        .await;
    app.user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let viewer = app.guard_login("viewer@acme.fr").await;
    let (status, body) = classify(&app, &viewer, json!({ "text": "hi" })).await;
    assert_eq!((status, body["error"].is_string()), (403, true));
    let admin = app.guard_login("alice@acme.fr").await;
    for bad in [
        json!({}),
        json!({ "text": 42 }),
        json!({ "text": "x".repeat(100_001) }),
    ] {
        let (status, body) = classify(&app, &admin, bad).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"].is_string());
    }
    app.stop().await;
}
