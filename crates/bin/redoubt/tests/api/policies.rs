//! guard policies over HTTP: the contract's example, defaults, validation, 409, 204, roles,
//! tenant isolation and audit.

use platform::ServiceName;
use serde_json::{json, Value};

use crate::helpers::*;

const EXAMPLE: &str = r#"{ "name": "Block PII on ChatGPT",
  "description": "Prevent users from submitting sensitive data to ChatGPT",
  "rules": { "action": "block",
             "conditions": [ { "field": "platform_id", "operator": "eq", "value": "chatgpt" },
                             { "field": "classification_count", "operator": "gte", "value": "1" } ] },
  "enabled": true, "priority": 10 }"#;

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    call(app, ServiceName::Guard, method, path, Some(token), body).await
}

#[tokio::test]
async fn the_contract_example_round_trips() {
    let app = spawn_app().await;
    let (tenant, _) = app
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let token = app.guard_login("alice@acme.fr").await;
    let example: Value = serde_json::from_str(EXAMPLE).unwrap();
    let (status, headers, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/policies",
        &token,
        Some(example.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        headers["location"],
        format!("/api/v1/policies/{id}").as_str()
    );
    for key in ["name", "description", "rules", "enabled", "priority"] {
        assert_eq!(created[key], example[key], "{key}");
    }

    let (status, _, fetched) = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/policies/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!((status, &fetched), (200, &created));

    let (status, _, again) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/policies",
        &token,
        Some(example),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        again,
        json!({ "error": "A policy named \"Block PII on ChatGPT\" already exists" })
    );

    let minimal = json!({ "name": "Log Claude", "rules": { "action": "log", "conditions": [
        { "field": "platform_id", "operator": "in", "value": ["claude", "gemini"] }] } });
    let (status, _, defaults) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/policies",
        &token,
        Some(minimal),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            defaults["enabled"].as_bool(),
            defaults["priority"].as_i64(),
            defaults["description"].as_str()
        ),
        (Some(false), Some(100), Some(""))
    );

    let (status, headers, list) = send(
        &app,
        reqwest::Method::GET,
        "/api/v1/policies?limit=1",
        &token,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&headers["x-total-count"], &headers["x-total-pages"]),
        (&"2".parse().unwrap(), &"2".parse().unwrap())
    );
    assert_eq!(
        list["policies"][0]["id"],
        id.as_str(),
        "lower priority first"
    );

    let (status, _, updated) = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/policies/{id}"),
        &token,
        Some(json!({ "enabled": false, "priority": 500 })),
    )
    .await;
    assert_eq!(
        (
            status,
            updated["enabled"].as_bool(),
            updated["priority"].as_i64()
        ),
        (200, Some(false), Some(500))
    );
    assert_eq!(
        updated["rules"], created["rules"],
        "fields not given are kept"
    );

    let (status, _, body) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/policies/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, _, _) = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/policies/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 404);

    let (entries, _) = app.platform.audit().page(tenant, 50, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        &actions[..4],
        [
            "policy.delete",
            "policy.update",
            "policy.create",
            "policy.create"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn invalid_policies_are_400_and_change_nothing() {
    let app = spawn_app().await;
    app.user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let token = app.guard_login("alice@acme.fr").await;
    let rules = json!({ "action": "block", "conditions": [{ "field": "direction", "operator": "eq", "value": "outbound" }] });
    for bad in [
        json!({ "rules": rules }),
        json!({ "name": "", "rules": rules }),
        json!({ "name": "x".repeat(201), "rules": rules }),
        json!({ "name": "p", "rules": rules, "priority": 1001 }),
        json!({ "name": "p", "rules": { "action": "explode", "conditions": rules["conditions"] } }),
        json!({ "name": "p", "rules": { "action": "block", "conditions": [] } }),
        json!({ "name": "p", "rules": { "action": "block", "conditions": [{ "field": "risk_score", "operator": "contains", "value": "0.5" }] } }),
        json!({ "name": "p", "rules": { "action": "block" } }),
    ] {
        let (status, _, body) = send(
            &app,
            reqwest::Method::POST,
            "/api/v1/policies",
            &token,
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"].is_string());
    }
    let (_, headers, _) = send(&app, reqwest::Method::GET, "/api/v1/policies", &token, None).await;
    assert_eq!(headers["x-total-count"], "0");
    app.stop().await;
}

#[tokio::test]
async fn viewers_read_only_and_tenants_never_meet() {
    let app = spawn_app().await;
    app.user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    app.user("acme", "vic@acme.fr", ServiceName::Guard, "viewer")
        .await;
    app.user("globex", "hank@globex.com", ServiceName::Guard, "admin")
        .await;
    let (alice, vic, hank) = (
        app.guard_login("alice@acme.fr").await,
        app.guard_login("vic@acme.fr").await,
        app.guard_login("hank@globex.com").await,
    );
    let (_, _, created) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/policies",
        &alice,
        Some(serde_json::from_str(EXAMPLE).unwrap()),
    )
    .await;
    let path = format!("/api/v1/policies/{}", created["id"].as_str().unwrap());

    assert_eq!(
        send(&app, reqwest::Method::GET, &path, &vic, None).await.0,
        200,
        "viewers read"
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            "/api/v1/policies",
            &vic,
            Some(serde_json::from_str(EXAMPLE).unwrap())
        )
        .await
        .0,
        403
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::PUT,
            &path,
            &vic,
            Some(json!({ "enabled": false }))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        send(&app, reqwest::Method::DELETE, &path, &vic, None)
            .await
            .0,
        403
    );

    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let (status, _, body) = send(&app, method, &path, &hank, None).await;
        assert_eq!(
            (status, body),
            (404, json!({ "error": "Policy not found" }))
        );
    }
    assert_eq!(
        send(
            &app,
            reqwest::Method::PUT,
            &path,
            &hank,
            Some(json!({ "enabled": false }))
        )
        .await
        .0,
        404
    );
    let (_, headers, _) = send(&app, reqwest::Method::GET, "/api/v1/policies", &hank, None).await;
    assert_eq!(headers["x-total-count"], "0");
    // The same name in another tenant is not a duplicate.
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            "/api/v1/policies",
            &hank,
            Some(serde_json::from_str(EXAMPLE).unwrap())
        )
        .await
        .0,
        201
    );
    let (status, _, still) = send(&app, reqwest::Method::GET, &path, &alice, None).await;
    assert_eq!(
        (status, still["enabled"].as_bool()),
        (200, Some(true)),
        "untouched by the other tenant"
    );
    app.stop().await;
}
