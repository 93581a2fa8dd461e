//! guard interactions over HTTP: the contract's example, hash checks, classification merge,
//! policy decisions, alerts, batches (all or nothing), filters, pagination and tenant isolation.

use platform::ServiceName;
use serde_json::{json, Value};

use crate::helpers::guard::{policy, sha256, spawn_guard, with_text};

/// The interaction example of the contract, verbatim.
pub const EXAMPLE: &str = r#"{ "platform_id": "chatgpt", "interaction_type": "prompt",
  "content_hash": "a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3",
  "content_metadata": { "url": "https://chat.openai.com", "model": "gpt-4o", "text": "How do I reset my password?" },
  "classifications": [ { "type": "EMAIL", "value": "alice@acme.fr", "score": 0.98, "start": 24, "end": 42 } ],
  "risk_score": 0.25, "direction": "outbound", "source": "browser_extension",
  "user_id": "00000000-0000-0000-0000-000000000010" }"#;

#[tokio::test]
async fn the_contract_example_is_checked_then_recorded_with_defaults() {
    let app = spawn_guard().await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&token);
    let example: Value = serde_json::from_str(EXAMPLE).unwrap();

    // The example's hash is SHA-256("123"), not of its text: Redoubt refuses the mismatch.
    assert_eq!(example["content_hash"], sha256("123"));
    let refused = guard.post("/api/v1/interactions", example.clone()).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(
        refused.body,
        json!({ "error": "content_hash does not match the SHA-256 of content_metadata.text" })
    );
    assert_eq!(
        guard
            .get("/api/v1/interactions")
            .await
            .header("x-total-count"),
        "0",
        "a refused interaction changes nothing"
    );

    // With the text's real hash, the example is recorded as sent.
    let mut fixed = example.clone();
    fixed["content_hash"] = json!(sha256("How do I reset my password?"));
    let r = guard.post("/api/v1/interactions", fixed.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = &r.body;
    let id = created["id"].as_str().unwrap();
    assert_eq!(r.header("location"), format!("/api/v1/interactions/{id}"));
    for key in [
        "platform_id",
        "interaction_type",
        "content_hash",
        "direction",
        "source",
        "user_id",
    ] {
        assert_eq!(created[key], fixed[key], "{key}");
    }
    assert_eq!(created["tenant_id"], tenant.to_string());
    assert_eq!(
        created["content_metadata"],
        json!({ "url": "https://chat.openai.com", "model": "gpt-4o" })
    );
    assert_eq!(
        created["classifications"],
        json!([{ "type": "EMAIL", "value": "a***@acme.fr", "score": 0.98,
        "start": 24, "end": 42, "tier": null, "source": "client" }])
    );
    assert_eq!(created["classification_count"], 1);
    assert_eq!(created["action"], "allow");
    assert_eq!(created["decision"]["matched_policies"], json!([]));
    assert!(created["risk_score"].as_f64().unwrap() >= 0.25);

    // Hash only, no text, minimal body: the contract's defaults.
    let minimal = guard
        .post(
            "/api/v1/interactions",
            json!({ "platform_id": "claude", "content_hash": sha256("x") }),
        )
        .await;
    assert_eq!(minimal.status, 201, "{}", minimal.body);
    let minimal = minimal.body;
    assert_eq!(
        (
            minimal["interaction_type"].as_str(),
            minimal["direction"].as_str(),
            minimal["source"].as_str()
        ),
        (Some("prompt"), Some("outbound"), Some("browser_extension"))
    );
    assert_eq!(
        (minimal["risk_score"].as_f64(), minimal["user_id"].clone()),
        (Some(0.0), Value::Null)
    );
    assert_eq!(minimal["classifications"], json!([]));

    let fetched = guard.get(&format!("/api/v1/interactions/{id}")).await;
    assert_eq!((fetched.status, &fetched.body), (200, created));
}

#[tokio::test]
async fn bad_interactions_get_400_and_change_nothing() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&token);
    let base = json!({ "platform_id": "chatgpt", "content_hash": sha256("x") });
    let cases = [
        json!({ "content_hash": sha256("x") }),
        json!({ "platform_id": "chatgpt" }),
        json!({ "platform_id": "chatgpt", "content_hash": "abc" }),
        json!({ "platform_id": "bad id!", "content_hash": sha256("x") }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "direction": "sideways" }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "source": "fax" }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "interaction_type": "poem" }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "risk_score": 1.5 }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "user_id": "not-a-uuid" }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "classifications": [{ "type": "email" }] }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "classifications": [{ "type": "EMAIL", "score": 2 }] }),
        json!({ "platform_id": "chatgpt", "content_hash": sha256("x"), "content_metadata": { "text": 42 } }),
    ];
    for body in cases {
        let r = guard.post("/api/v1/interactions", body.clone()).await;
        assert_eq!(r.status, 400, "{body} → {}", r.body);
        assert!(
            r.body["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            r.body
        );
    }
    // A batch with one bad item stores none of them, and says which item failed.
    let r = guard
        .post(
            "/api/v1/interactions/batch",
            json!([base.clone(), { "platform_id": "chatgpt", "content_hash": "nope" }]),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["error"]
            .as_str()
            .unwrap()
            .starts_with("interactions[1]:"),
        "{}",
        r.body
    );
    assert_eq!(
        guard
            .post("/api/v1/interactions/batch", json!([]))
            .await
            .status,
        400
    );
    assert_eq!(
        guard
            .get("/api/v1/interactions")
            .await
            .header("x-total-count"),
        "0"
    );
    // Unauthenticated.
    let r = app
        .client(ServiceName::Guard)
        .post("/api/v1/interactions", base)
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn policies_decide_and_block_or_coach_raise_alerts() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&token);
    let block = guard.post("/api/v1/policies", policy()).await;
    assert_eq!(block.status, 201);
    let coach = json!({ "name": "Coach on emails anywhere", "enabled": true, "priority": 5,
        "rules": { "action": "coach", "conditions": [{ "field": "classifications", "operator": "contains", "value": "EMAIL" }] } });
    let disabled = json!({ "name": "Disabled block", "priority": 0,
        "rules": { "action": "block", "conditions": [{ "field": "direction", "operator": "eq", "value": "outbound" }] } });
    for (name, body) in [("coach", coach), ("disabled", disabled)] {
        let r = guard.post("/api/v1/policies", body).await;
        assert_eq!(r.status, 201, "{name}: {}", r.body);
    }

    let text = "Peux-tu écrire à jean.dupont@example.fr au sujet de la facture ?";
    let r = guard
        .post("/api/v1/interactions", with_text("chatgpt", text))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let blocked = r.body;
    assert_eq!(
        blocked["action"], "block",
        "block beats coach even at a worse priority"
    );
    assert_eq!(blocked["decision"]["policy_id"], block.body["id"]);
    assert_eq!(
        blocked["decision"]["matched_policies"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(blocked["classifications"][0]["type"], "EMAIL");
    assert_eq!(blocked["classifications"][0]["value"], "j***@example.fr");
    assert_eq!(blocked["classifications"][0]["source"], "server");

    let coached = guard
        .post("/api/v1/interactions", with_text("claude", text))
        .await
        .body;
    assert_eq!(coached["action"], "coach");
    let allowed = guard
        .post(
            "/api/v1/interactions",
            with_text("claude", "Quelle heure est-il ?"),
        )
        .await
        .body;
    assert_eq!(
        (allowed["action"].as_str(), allowed["risk_band"].as_str()),
        (Some("allow"), Some("minimal"))
    );

    let r = guard.get("/api/v1/alerts").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-total-count"), "2");
    let alerts = r.body["alerts"].as_array().unwrap();
    assert_eq!(alerts[0]["interaction_id"], coached["id"], "newest first");
    assert_eq!(alerts[0]["severity"], "medium");
    assert_eq!(alerts[1]["severity"], "high");
    assert_eq!(alerts[1]["reasons"], json!(["policy_block"]));
    assert_eq!(
        alerts[1]["title"],
        "Blocked by policy \"Block PII on ChatGPT\" on chatgpt (EMAIL)"
    );
    assert_eq!(
        guard
            .get("/api/v1/alerts?severity=high")
            .await
            .header("x-total-count"),
        "1"
    );
    assert_eq!(guard.get("/api/v1/alerts?severity=dire").await.status, 400);

    // High risk alone raises an alert: a card number on a platform without policies.
    let card = guard
        .post(
            "/api/v1/interactions",
            with_text("mistral", "Ma carte : 4111 1111 1111 1111"),
        )
        .await
        .body;
    let band = card["risk_band"].as_str().unwrap();
    assert_eq!(card["action"], "allow");
    assert!(["high", "critical"].contains(&band), "{card}");
    let list = guard
        .get(&format!(
            "/api/v1/alerts?interaction_id={}",
            card["id"].as_str().unwrap()
        ))
        .await
        .body;
    assert_eq!(list["alerts"][0]["severity"], band);
    assert_eq!(
        list["alerts"][0]["reasons"],
        json!([format!("risk_{band}")])
    );
}

#[tokio::test]
async fn lists_filter_paginate_and_stay_within_the_tenant() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (_, other) = app.guard_user("globex", "gina@globex.com", "admin").await;
    let (admin, viewer, other) = (app.guard(&token), app.guard(&viewer), app.guard(&other));
    let user = "00000000-0000-0000-0000-000000000010";
    let batch: Vec<Value> = (0..7)
        .map(|i| {
            let platform = if i % 2 == 0 { "chatgpt" } else { "gemini" };
            let mut item = with_text(platform, &format!("Appelle le 06 12 34 56 7{i} stp"));
            if i < 3 {
                item["user_id"] = json!(user);
                item["source"] = json!("proxy");
            }
            item
        })
        .collect();
    let r = admin
        .post(
            "/api/v1/interactions/batch",
            json!({ "interactions": batch }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.body;
    assert_eq!(created["count"], 7);
    let r = viewer
        .post(
            "/api/v1/interactions",
            json!({ "platform_id": "perplexity", "content_hash": sha256("q"), "direction": "inbound" }),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "viewers record interactions (extension users)"
    );

    for (query, total) in [
        ("", 8),
        ("?platform_id=chatgpt", 4),
        ("?platform_id=GEMINI", 3),
        (&format!("?user_id={user}") as &str, 3),
        ("?source=proxy", 3),
        ("?direction=inbound", 1),
        ("?action=allow", 8),
        ("?action=block", 0),
        ("?min_risk=0.3", 7),
        ("?max_risk=0.1", 1),
        ("?risk_band=medium", 7),
        ("?from=2000-01-01T00:00:00Z", 8),
        ("?to=2000-01-01T00:00:00Z", 0),
        ("?platform_id=chatgpt&source=proxy", 2),
    ] {
        let r = viewer.get(&format!("/api/v1/interactions{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        assert_eq!(r.header("x-total-count"), total.to_string(), "{query}");
    }
    let page = admin.get("/api/v1/interactions?page=2&limit=3").await;
    assert_eq!(
        (
            page.header("x-page"),
            page.header("x-per-page"),
            page.header("x-total-pages")
        ),
        ("2", "3", "3")
    );
    assert_eq!(page.body["interactions"].as_array().unwrap().len(), 3);
    for bad in [
        "?source=fax",
        "?min_risk=2",
        "?from=yesterday",
        "?limit=501",
        "?page=0",
        "?user_id=x",
    ] {
        let r = admin.get(&format!("/api/v1/interactions{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
    }

    // Another tenant sees none of it, and gets 404 for an id it does not own.
    let id = created["interactions"][0]["id"].as_str().unwrap();
    let own = format!("/api/v1/interactions/{id}");
    for (who, client, path, expected) in [
        ("the other tenant", &other, own.as_str(), 404),
        (
            "the owner, an unknown id",
            &admin,
            "/api/v1/interactions/00000000-0000-0000-0000-000000000000",
            404,
        ),
    ] {
        assert_eq!(client.get(path).await.status, expected, "{who}: {path}");
    }
    for list in ["/api/v1/interactions", "/api/v1/inventory"] {
        let r = other.get(list).await;
        assert_eq!(r.header("x-total-count"), "0", "the other tenant: {list}");
    }
}

#[tokio::test]
async fn inventory_and_stats_sum_up_the_tenant() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (admin, viewer) = (app.guard(&token), app.guard(&viewer));
    admin.post("/api/v1/policies", policy()).await;
    let u1 = "00000000-0000-0000-0000-000000000011";
    let u2 = "00000000-0000-0000-0000-000000000012";
    let items = [
        ("chatgpt", "Écris à bob@acme.fr", u1),
        ("chatgpt", "Bonjour", u2),
        ("chatgpt", "IBAN FR76 3000 6000 0112 3456 7890 189", u1),
        ("claude", "Résume ce texte", u1),
    ];
    for (platform, text, user) in items {
        let mut body = with_text(platform, text);
        body["user_id"] = json!(user);
        let r = admin.post("/api/v1/interactions", body).await;
        assert_eq!(r.status, 201, "{platform} {text}: {}", r.body);
    }
    let r = viewer.get("/api/v1/inventory").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let inventory = r.body;
    let chatgpt = &inventory["platforms"][0];
    assert_eq!(chatgpt["platform_id"], "chatgpt");
    assert_eq!(chatgpt["vendor"], "OpenAI");
    assert_eq!(
        (
            chatgpt["interactions"].as_i64(),
            chatgpt["distinct_users"].as_i64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(
        chatgpt["actions"],
        json!({ "block": 2, "coach": 0, "log": 0, "allow": 1 })
    );
    assert!(
        chatgpt["max_risk"].as_f64().unwrap() >= 0.7,
        "an IBAN is high risk"
    );
    assert!(chatgpt["first_seen"].as_str().unwrap() <= chatgpt["last_seen"].as_str().unwrap());
    assert_eq!(inventory["platforms"][1]["platform_id"], "claude");

    let r = viewer.get("/api/v1/dashboard/stats").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let stats = r.body;
    assert_eq!(stats["totals"]["interactions"], 4);
    assert_eq!(stats["totals"]["distinct_users"], 2);
    assert_eq!(stats["totals"]["platforms"], 2);
    assert_eq!(stats["totals"]["alerts"], 2);
    assert_eq!(
        stats["by_action"],
        json!({ "allow": 2, "block": 2, "coach": 0, "log": 0 })
    );
    assert_eq!(
        stats["by_platform"][0],
        json!({ "key": "chatgpt", "count": 3 })
    );
    let types: Vec<&str> = stats["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"EMAIL") && types.contains(&"IBAN"),
        "{types:?}"
    );
    let histogram = &stats["risk_histogram"];
    let sum: i64 = ["minimal", "low", "medium", "high", "critical"]
        .iter()
        .map(|b| histogram[b].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 4);
    assert_eq!(stats["policy_effectiveness"][0]["decisions"], 2);
    assert_eq!(
        stats["policy_effectiveness"][0]["name"],
        "Block PII on ChatGPT"
    );
    let daily = stats["daily"].as_array().unwrap();
    assert!(daily.len() >= 30);
    assert_eq!(
        daily
            .iter()
            .map(|d| d["total"].as_i64().unwrap())
            .sum::<i64>(),
        4
    );

    let empty = viewer
        .get("/api/v1/dashboard/stats?from=2020-01-01T00:00:00Z&to=2020-01-03T00:00:00Z")
        .await
        .body;
    assert_eq!(empty["totals"]["interactions"], 0);
    assert_eq!(empty["daily"].as_array().unwrap().len(), 2);
    for bad in [
        "?from=2020-01-02T00:00:00Z&to=2020-01-01T00:00:00Z",
        "?from=2020-01-01T00:00:00Z&to=2022-01-01T00:00:00Z",
        "?from=soon",
    ] {
        let r = viewer.get(&format!("/api/v1/dashboard/stats{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
    }
}
