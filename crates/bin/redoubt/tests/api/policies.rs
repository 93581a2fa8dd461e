//! guard policies over HTTP: the contract's example, defaults, validation, 409, 204, roles,
//! tenant isolation and audit.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::guard::{policy, spawn_guard};

#[tokio::test]
async fn the_contract_example_round_trips() {
    let app = spawn_guard().await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&token);
    let example = policy();
    let r = guard.post("/api/v1/policies", example.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(r.header("location"), format!("/api/v1/policies/{id}"));
    let created = r.body;
    for key in ["name", "description", "rules", "enabled", "priority"] {
        assert_eq!(created[key], example[key], "{key}");
    }
    let path = format!("/api/v1/policies/{id}");

    let fetched = guard.get(&path).await;
    assert_eq!((fetched.status, &fetched.body), (200, &created));

    let again = guard.post("/api/v1/policies", example).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        again.body,
        json!({ "error": "A policy named \"Block PII on ChatGPT\" already exists" })
    );

    let minimal = json!({ "name": "Log Claude", "rules": { "action": "log", "conditions": [
        { "field": "platform_id", "operator": "in", "value": ["claude", "gemini"] }] } });
    let r = guard.post("/api/v1/policies", minimal).await;
    assert_eq!(r.status, 201);
    let defaults = r.body;
    assert_eq!(
        (
            defaults["enabled"].as_bool(),
            defaults["priority"].as_i64(),
            defaults["description"].as_str()
        ),
        (Some(false), Some(100), Some(""))
    );

    let list = guard.get("/api/v1/policies?limit=1").await;
    assert_eq!(list.status, 200);
    assert_eq!(
        (list.header("x-total-count"), list.header("x-total-pages")),
        ("2", "2")
    );
    assert_eq!(
        list.body["policies"][0]["id"],
        id.as_str(),
        "lower priority first"
    );

    let updated = guard
        .put(&path, json!({ "enabled": false, "priority": 500 }))
        .await;
    assert_eq!(
        (
            updated.status,
            updated.body["enabled"].as_bool(),
            updated.body["priority"].as_i64()
        ),
        (200, Some(false), Some(500))
    );
    assert_eq!(
        updated.body["rules"], created["rules"],
        "fields not given are kept"
    );

    let deleted = guard.delete(&path).await;
    assert_eq!((deleted.status, deleted.body), (204, Value::Null));
    assert_eq!(guard.get(&path).await.status, 404);

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
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&token);
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
        let r = guard.post("/api/v1/policies", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body["error"].is_string(), "{bad}: {}", r.body);
    }
    assert_eq!(
        guard.get("/api/v1/policies").await.header("x-total-count"),
        "0"
    );
    app.stop().await;
}

#[tokio::test]
async fn viewers_read_only_and_tenants_never_meet() {
    let app = spawn_guard().await;
    let (_, alice) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, vic) = app.guard_user("acme", "vic@acme.fr", "viewer").await;
    let (_, hank) = app.guard_user("globex", "hank@globex.com", "admin").await;
    let (alice, vic, hank) = (app.guard(&alice), app.guard(&vic), app.guard(&hank));
    let created = alice.post("/api/v1/policies", policy()).await.body;
    let path = format!("/api/v1/policies/{}", created["id"].as_str().unwrap());
    let path = path.as_str();

    let disable = || Some(json!({ "enabled": false }));
    for (case, client, method, target, body, expected) in [
        ("viewers read", &vic, Method::GET, path, None, 200),
        (
            "viewers do not create",
            &vic,
            Method::POST,
            "/api/v1/policies",
            Some(policy()),
            403,
        ),
        (
            "viewers do not update",
            &vic,
            Method::PUT,
            path,
            disable(),
            403,
        ),
        (
            "viewers do not delete",
            &vic,
            Method::DELETE,
            path,
            None,
            403,
        ),
        (
            "another tenant does not update",
            &hank,
            Method::PUT,
            path,
            disable(),
            404,
        ),
    ] {
        let r = client.send(method, target, body).await;
        assert_eq!(r.status, expected, "{case}: {}", r.body);
    }
    for method in [Method::GET, Method::DELETE] {
        let r = hank.send(method.clone(), path, None).await;
        assert_eq!(
            (r.status, r.body),
            (404, json!({ "error": "Policy not found" })),
            "another tenant: {method}"
        );
    }
    assert_eq!(
        hank.get("/api/v1/policies").await.header("x-total-count"),
        "0"
    );
    // The same name in another tenant is not a duplicate.
    assert_eq!(hank.post("/api/v1/policies", policy()).await.status, 201);
    let still = alice.get(path).await;
    assert_eq!(
        (still.status, still.body["enabled"].as_bool()),
        (200, Some(true)),
        "untouched by the other tenant"
    );
    app.stop().await;
}
