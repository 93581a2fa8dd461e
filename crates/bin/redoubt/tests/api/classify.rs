//! guard's classifier endpoint: findings with offsets and masked values, risk, admin only.

use serde_json::json;

use crate::helpers::guard::spawn_guard;

const CLASSIFY: &str = "/api/v1/classification/classify";

#[tokio::test]
async fn admins_get_findings_masked_values_and_risk() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let text = "Réponds à bob@example.com, carte 4111 1111 1111 1111. token: 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";
    let guard = app.guard(&token);
    let r = guard.post(CLASSIFY, json!({ "text": text })).await;
    let body = r.body;
    assert_eq!(r.status, 200, "{body}");
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

    let r = guard
        .post(CLASSIFY, json!({ "text": "Traduis ce texte en anglais." }))
        .await;
    let body = r.body;
    assert_eq!(
        (
            r.status,
            body["classifications"].as_array().unwrap().len(),
            body["risk_band"].as_str()
        ),
        (200, 0, Some("minimal"))
    );
    app.stop().await;
}

#[tokio::test]
async fn viewers_bad_bodies_and_oversize_texts_are_refused() {
    let app = spawn_guard().await;
    let (_, viewer) = app.guard_user("acme", "viewer@acme.fr", "viewer").await;
    let (_, admin) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let r = app
        .guard(&viewer)
        .post(CLASSIFY, json!({ "text": "hi" }))
        .await;
    assert_eq!((r.status, r.body["error"].is_string()), (403, true));
    for (case, bad) in [
        ("no text", json!({})),
        ("a number", json!({ "text": 42 })),
        ("oversize", json!({ "text": "x".repeat(100_001) })),
    ] {
        let r = app.guard(&admin).post(CLASSIFY, bad).await;
        assert_eq!(r.status, 400, "{case}: {}", r.body);
        assert!(r.body["error"].is_string(), "{case}: {}", r.body);
    }
    app.stop().await;
}
