//! testops access over HTTP: signup (new organisation; the password, email and field rules),
//! login with the lockout, me, profile, logout revoking the token, API keys (`x-api-key` on the
//! API, shown once, revoked), and the organisation: settings, features, usage and its alerts,
//! AI configuration with keys sealed in the database.

use platform::ServiceName;
use serde_json::{json, Value};

use crate::helpers::testops::{is_object_id, STRONG};
use crate::helpers::*;

async fn spawn() -> TestApp {
    spawn_with(AppOptions::default().services(&[ServiceName::Testops])).await
}

fn signup_body(email: &str, password: &str, org: Option<&str>) -> Value {
    let mut body = json!({"email": email, "password": password, "name": "Alice"});
    if let Some(org) = org {
        body["organizationName"] = org.into();
    }
    body
}

#[tokio::test]
async fn signup_login_me_profile_and_logout() {
    let app = spawn().await;
    let anon = app.client(ServiceName::Testops);
    let r = anon
        .post(
            "/api/auth/signup",
            signup_body("Alice@Acme.test", STRONG, Some("Acme QA")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["success"], true);
    let user = &r.body["user"];
    assert!(
        is_object_id(&user["id"]) && is_object_id(&user["organizationId"]),
        "{user}"
    );
    assert_eq!(user["email"], "alice@acme.test", "lower-cased");
    assert_eq!(
        (user["role"].as_str(), user["organizationName"].as_str()),
        (Some("admin"), Some("Acme QA"))
    );
    let token = r.body["token"].as_str().unwrap().to_string();

    let me = app.testops(&token).get("/api/auth/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    let data = &me.body["data"];
    assert_eq!(data["id"], user["id"]);
    assert_eq!(data["status"], "active");
    assert!(data["lastLoginAt"].is_string());
    let org = &data["organization"];
    assert_eq!(
        (org["slug"].as_str(), org["plan"].as_str()),
        (Some("acme-qa"), Some("free"))
    );
    assert_eq!(
        org["limits"],
        json!({"maxProjects": 1, "maxTestRuns": 50, "maxUsers": 3, "maxConcurrentRuns": 1, "maxStorageBytes": 524288000})
    );
    assert_eq!(
        (org["userCount"].as_i64(), org["userLimit"].as_i64()),
        (Some(1), Some(3))
    );

    // A second organisation may have the same name; the email may not sign up twice.
    let again = anon
        .post(
            "/api/auth/signup",
            signup_body("bob@other.test", STRONG, Some("Acme QA")),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_ne!(again.body["user"]["organizationId"], user["organizationId"]);
    let dup = anon
        .post(
            "/api/auth/signup",
            signup_body("ALICE@acme.test", STRONG, Some("Other")),
        )
        .await;
    assert_eq!(
        (dup.status, dup.body["error"].as_str()),
        (409, Some("Email already registered"))
    );

    let login = anon
        .post(
            "/api/auth/login",
            json!({"email": "alice@acme.test", "password": STRONG}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.body["user"]["id"], user["id"]);
    assert_eq!(login.body["user"]["organizationId"], user["organizationId"]);
    let second = login.body["token"].as_str().unwrap().to_string();

    let p = app
        .testops(&token)
        .patch("/api/auth/profile", json!({"name": "  Alice Martin "}))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["message"], "Profile updated successfully");
    assert_eq!(p.body["user"]["name"], "Alice Martin");
    for (body, error) in [
        (json!({}), "Missing required field"),
        (json!({"name": "   "}), "Invalid name"),
        (json!({"name": 7}), "Invalid name"),
    ] {
        let r = app.testops(&token).patch("/api/auth/profile", body).await;
        assert_eq!((r.status, r.body["error"].as_str()), (400, Some(error)));
    }
    assert_eq!(
        app.testops(&second).get("/api/auth/me").await.body["data"]["name"],
        "Alice Martin"
    );

    let out = app
        .testops(&token)
        .post("/api/auth/logout", json!({}))
        .await;
    assert_eq!(
        (out.status, out.body["message"].as_str()),
        (200, Some("Logged out successfully"))
    );
    let refused = app.testops(&token).get("/api/auth/me").await;
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (401, Some("Token has been revoked"))
    );
    assert_eq!(
        app.testops(&second).get("/api/auth/me").await.status,
        200,
        "only the token logged out is revoked"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_logout_on_one_node_is_seen_by_another() {
    let a = spawn().await;
    let session = a.testops_signup("Acme", "alice@acme.test").await;
    let b = spawn_with(AppOptions {
        reuse: Some((a.database_url.clone(), a.data_dir.clone())),
        ..AppOptions::default().services(&[ServiceName::Testops])
    })
    .await;
    assert_eq!(
        b.testops(&session.token).get("/api/auth/me").await.status,
        200
    );
    assert_eq!(
        a.testops(&session.token)
            .post("/api/auth/logout", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        b.testops(&session.token).get("/api/auth/me").await.status,
        401,
        "node B refuses it too"
    );
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn signup_refuses_missing_fields_weak_passwords_bad_emails_and_bad_invitations() {
    let app = spawn().await;
    let anon = app.client(ServiceName::Testops);
    let cases = [
        (
            json!({"email": "a@b.test", "password": STRONG}),
            "Missing required fields",
        ),
        (
            json!({"email": "a@b.test", "password": STRONG, "name": "A"}),
            "Missing required fields",
        ),
        (
            signup_body("not-an-email", STRONG, Some("Org")),
            "Invalid email format",
        ),
        (
            signup_body("a@b.test", "short", Some("Org")),
            "Weak password",
        ),
        (
            signup_body("a@b.test", "alllowercase1!", Some("Org")),
            "Weak password",
        ),
        (
            json!({"email": "a@b.test", "password": STRONG, "name": "A", "inviteToken": "xyz"}),
            "Invalid invitation token format",
        ),
        (
            json!({"email": "a@b.test", "password": STRONG, "name": "A", "inviteToken": "ab".repeat(32)}),
            "Invalid or expired invitation",
        ),
    ];
    for (body, error) in cases {
        let r = anon.post("/api/auth/signup", body.clone()).await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (400, Some(error)),
            "{body}: {}",
            r.body
        );
        assert_eq!(r.body["success"], false);
    }
    let weak = anon
        .post(
            "/api/auth/signup",
            signup_body("a@b.test", "short", Some("Org")),
        )
        .await;
    assert!(
        weak.body["message"]
            .as_str()
            .unwrap()
            .contains("at least 8 characters"),
        "{}",
        weak.body
    );
    assert!(
        app.platform
            .accounts()
            .user_by_email("a@b.test")
            .await
            .unwrap()
            .is_none(),
        "nothing was created"
    );
    app.stop().await;
}

#[tokio::test]
async fn five_failed_logins_lock_the_email_for_fifteen_minutes() {
    let app = spawn().await;
    app.testops_signup("Acme", "alice@acme.test").await;
    let anon = app.client(ServiceName::Testops);
    let missing = anon
        .post("/api/auth/login", json!({"email": "alice@acme.test"}))
        .await;
    assert_eq!(
        (missing.status, missing.body["error"].as_str()),
        (400, Some("Missing credentials"))
    );
    for _ in 0..5 {
        let r = anon
            .post(
                "/api/auth/login",
                json!({"email": "alice@acme.test", "password": "Wrong!pass1"}),
            )
            .await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (401, Some("Invalid credentials"))
        );
    }
    let locked = anon
        .post(
            "/api/auth/login",
            json!({"email": "ALICE@acme.test", "password": STRONG}),
        )
        .await;
    assert_eq!(
        (locked.status, locked.body["error"].as_str()),
        (429, Some("Account temporarily locked")),
        "{}",
        locked.body
    );
    let retry = locked.body["retryAfter"].as_i64().unwrap();
    assert!((800..=900).contains(&retry), "about 15 minutes: {retry}");
    assert!(
        locked.body["message"]
            .as_str()
            .unwrap()
            .contains("15 minute(s)"),
        "{}",
        locked.body
    );
    // Unknown emails count too (nothing tells them apart from known ones).
    for _ in 0..5 {
        anon.post(
            "/api/auth/login",
            json!({"email": "ghost@acme.test", "password": "x"}),
        )
        .await;
    }
    let ghost = anon
        .post(
            "/api/auth/login",
            json!({"email": "ghost@acme.test", "password": "x"}),
        )
        .await;
    assert_eq!(ghost.status, 429);
    // Another email is not locked.
    app.testops_signup("Beta", "bob@beta.test").await;
    app.testops_login("bob@beta.test").await;
    app.stop().await;
}

#[tokio::test]
async fn api_keys_are_shown_once_work_as_x_api_key_and_stop_when_revoked() {
    let app = spawn().await;
    let alice = app.testops_signup("Acme", "alice@acme.test").await;
    let r = app
        .testops(&alice.token)
        .post("/api/auth/api-keys", json!({"name": "CI"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let key = r.body["apiKey"].as_str().unwrap().to_string();
    assert!(key.starts_with("pk_live_") && key.len() > 40, "{key}");
    assert!(is_object_id(&r.body["data"]["id"]));
    assert!(key.starts_with(r.body["data"]["prefix"].as_str().unwrap()));
    let unnamed = app
        .testops(&alice.token)
        .send_raw(reqwest::Method::POST, "/api/auth/api-keys", None)
        .await;
    assert_eq!(unnamed.status, 201, "no body at all: {}", unnamed.text);
    assert_eq!(unnamed.body["data"]["name"], "Unnamed Key");
    // Found by the fuzzer on PostgreSQL: a NUL in the optional body is a 400, not a 500.
    let nul = app
        .testops(&alice.token)
        .post("/api/auth/api-keys", json!({"name": "end\u{0}"}))
        .await;
    assert_eq!(nul.status, 400, "{}", nul.body);

    let list = app.testops(&alice.token).get("/api/auth/api-keys").await;
    assert_eq!(list.status, 200);
    let keys = list.body["data"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(!list.text.contains(&key), "the key is never listed");
    assert!(keys.iter().all(|k| k.get("lastUsed").is_some()));

    let me = app.testops_key(&key).get("/api/auth/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["data"]["email"], "alice@acme.test");
    assert_eq!(
        app.testops_key(&key).get("/api/projects").await.status,
        200,
        "every API route"
    );
    let used = app.testops(&alice.token).get("/api/auth/api-keys").await;
    assert!(used.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["lastUsed"].is_string()));

    // Another member cannot revoke it; a malformed id is 400.
    let bob = app.testops_signup("Beta", "bob@beta.test").await;
    let id = r.body["data"]["id"].as_str().unwrap();
    let foreign = app
        .testops(&bob.token)
        .delete(&format!("/api/auth/api-keys/{id}"))
        .await;
    assert_eq!(
        (foreign.status, foreign.body["error"].as_str()),
        (404, Some("API key not found"))
    );
    let bad = app
        .testops(&alice.token)
        .delete("/api/auth/api-keys/123")
        .await;
    assert_eq!(
        (bad.status, bad.body["error"].as_str()),
        (400, Some("Invalid key ID"))
    );
    let gone = app
        .testops(&alice.token)
        .delete(&format!("/api/auth/api-keys/{id}"))
        .await;
    assert_eq!(
        (gone.status, gone.body["message"].as_str()),
        (200, Some("API key revoked successfully"))
    );
    let refused = app.testops_key(&key).get("/api/auth/me").await;
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (401, Some("Invalid API key"))
    );
    let forged = app
        .testops_key("pk_live_forged0000000000000000000000000000000000")
        .get("/api/auth/me")
        .await;
    assert_eq!(forged.status, 401);
    let none = app.client(ServiceName::Testops).get("/api/projects").await;
    assert_eq!(
        (none.status, none.body["error"].as_str()),
        (401, Some("Authentication required"))
    );
    assert!(none.body["message"].as_str().unwrap().contains("x-api-key"));
    app.stop().await;
}

#[tokio::test]
async fn the_organization_its_features_usage_and_ai_config() {
    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let dev = app
        .testops_invite_signup(&admin, "dev@acme.test", "developer")
        .await;
    let r = app.testops(&dev.token).get("/api/organization").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let org = &r.body["organization"];
    assert_eq!(org["id"], admin.org_id.as_str());
    assert_eq!(org["userCount"], 2);
    assert_eq!(org["slackWebhookUrl"], Value::Null);
    assert_eq!(
        org["slackNotificationEvents"],
        json!(["FAILED", "ERROR", "UNSTABLE"])
    );
    assert_eq!(
        org["aiConfig"]["byokConfigured"],
        json!({"gemini": false, "openai": false, "anthropic": false})
    );

    let denied = app
        .testops(&dev.token)
        .patch("/api/organization", json!({"name": "Hacked"}))
        .await;
    assert_eq!(
        (denied.status, denied.body["error"].as_str()),
        (403, Some("Insufficient permissions"))
    );
    assert_eq!(
        denied.body["message"],
        "This action requires one of the following roles: admin. Your role: developer."
    );

    let empty = app
        .testops(&admin.token)
        .patch("/api/organization", json!({}))
        .await;
    assert_eq!(
        (empty.status, empty.body["error"].as_str()),
        (400, Some("Missing fields"))
    );
    let bad = app.testops(&admin.token).patch("/api/organization", json!({"name": "A", "slackWebhookUrl": "http://evil.test/x", "slackNotificationEvents": ["NOPE"]})).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    for field in ["name", "slackWebhookUrl", "slackNotificationEvents"] {
        assert!(
            bad.body["details"][field].is_object(),
            "{field}: {}",
            bad.body
        );
    }
    let hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
    let ok = app
        .testops(&admin.token)
        .patch("/api/organization", json!({"name": "Acme Testing", "aiAnalysisEnabled": false, "slackWebhookUrl": hook, "slackNotificationEvents": ["FAILED"]}))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        ok.body["message"],
        "Organization settings updated successfully"
    );
    let org = &ok.body["organization"];
    assert_eq!(
        (org["name"].as_str(), org["slug"].as_str()),
        (Some("Acme Testing"), Some("acme-testing"))
    );
    assert_eq!(
        (
            org["aiAnalysisEnabled"].as_bool(),
            org["slackWebhookUrl"].as_str()
        ),
        (Some(false), Some("configured"))
    );
    assert!(!ok.text.contains("XXXXSECRET"));
    let cleared = app
        .testops(&admin.token)
        .patch("/api/organization", json!({"slackWebhookUrl": null}))
        .await;
    assert_eq!(cleared.body["organization"]["slackWebhookUrl"], Value::Null);

    let f = app
        .testops(&admin.token)
        .patch(
            "/api/organization/features",
            json!({"testCasesEnabled": false, "aiFeatures": {"flakinessDetective": true}}),
        )
        .await;
    assert_eq!(f.status, 200, "{}", f.body);
    assert_eq!(
        f.body["features"],
        json!({"testCasesEnabled": false, "testCyclesEnabled": true})
    );
    assert_eq!(
        (
            f.body["aiFeatures"]["flakinessDetective"].as_bool(),
            f.body["aiFeatures"]["prRouting"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let unknown = app
        .testops(&admin.token)
        .patch(
            "/api/organization/features",
            json!({"aiFeatures": {"mindReading": true}}),
        )
        .await;
    assert_eq!(unknown.status, 400);

    // Free plan: 2 of 3 users (66 %, info); creating the one project allowed makes it critical.
    let u = app.testops(&dev.token).get("/api/organization/usage").await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(u.body["usage"]["users"], json!({"active": 2, "limit": 3}));
    assert_eq!(
        u.body["usage"]["testRuns"],
        json!({"used": 0, "limit": 50, "percentUsed": 0})
    );
    assert!(u.body["usage"]["currentPeriod"]["startDate"]
        .as_str()
        .unwrap()
        .ends_with("-01T00:00:00.000Z"));
    let alerts = u.body["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        (alerts[0]["type"].as_str(), alerts[0]["resource"].as_str()),
        (Some("info"), Some("users"))
    );
    assert_eq!(
        app.testops(&dev.token)
            .post("/api/projects", json!({"name": "Web"}))
            .await
            .status,
        201
    );
    let a = app
        .testops(&dev.token)
        .get("/api/organization/usage/alerts")
        .await;
    let alerts = a.body["alerts"].as_array().unwrap();
    assert_eq!(alerts[0]["type"], "critical", "{alerts:?}");
    assert_eq!(alerts[0]["resource"], "projects");
    assert_eq!(alerts[0]["percentUsed"], 100);

    let secret = "sk-test-very-secret-key-123";
    let c = app
        .testops(&admin.token)
        .patch(
            "/api/organization/ai-config",
            json!({"defaultModel": "gpt-4o", "byok": {"provider": "openai", "apiKey": secret}}),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(
        c.body["data"],
        json!({"defaultModel": "gpt-4o", "byokConfigured": {"gemini": false, "openai": true, "anthropic": false}})
    );
    let stored: String = platform::on_db!(app.platform.db(), |p| sqlx::query_scalar(
        "SELECT byok FROM testops_orgs"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert!(
        stored.contains("openai") && !stored.contains(secret),
        "sealed at rest: {stored}"
    );
    assert!(!app
        .testops(&dev.token)
        .get("/api/organization")
        .await
        .text
        .contains(secret));
    for body in [
        json!({"defaultModel": "gpt-2"}),
        json!({"byok": {"provider": "mistral", "apiKey": "x"}}),
        json!({"byok": {"provider": "openai"}}),
        json!({}),
    ] {
        let r = app
            .testops(&admin.token)
            .patch("/api/organization/ai-config", body.clone())
            .await;
        assert_eq!(r.status, 400, "{body}");
    }
    let removed = app
        .testops(&admin.token)
        .patch(
            "/api/organization/ai-config",
            json!({"removeByok": "openai"}),
        )
        .await;
    assert_eq!(removed.body["data"]["byokConfigured"]["openai"], false);
    let dev_cfg = app
        .testops(&dev.token)
        .patch(
            "/api/organization/ai-config",
            json!({"defaultModel": "gpt-4o"}),
        )
        .await;
    assert_eq!(dev_cfg.status, 403);
    let audit = app
        .platform
        .audit()
        .page(
            app.platform
                .accounts()
                .user_by_email("alice@acme.test")
                .await
                .unwrap()
                .unwrap()
                .tenant_id,
            100,
            0,
        )
        .await
        .unwrap()
        .0;
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "org.settings_updated",
        "org.features_updated",
        "org.ai_config_updated",
    ] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
    assert!(
        !serde_json::to_string(&audit.iter().map(|e| &e.details).collect::<Vec<_>>())
            .unwrap()
            .contains(secret)
    );
    app.stop().await;
}

#[tokio::test]
async fn the_root_and_health_answer_without_credentials() {
    let app = spawn().await;
    let root = app.client(ServiceName::Testops).get("/").await;
    assert_eq!(root.status, 200);
    assert!(root.body["message"].as_str().unwrap().contains("running"));
    let health = app.client(ServiceName::Testops).get("/health").await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("healthy"))
    );
    assert_eq!(health.body["checks"]["database"], "healthy");
    for header in [
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert!(!root.header(header).is_empty(), "{header}");
    }
    app.stop().await;
}
