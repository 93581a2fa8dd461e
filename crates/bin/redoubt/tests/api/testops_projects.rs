//! testops projects over HTTP: CRUD within the plan's limit and the roles, run settings and
//! their validation, environment variables (POSIX names, secrets sealed at rest and masked,
//! the mask keeping a secret), and another organisation's ids answering 404 everywhere.

use platform::ServiceName;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::testops::is_object_id;
use crate::helpers::*;

async fn spawn() -> TestApp {
    spawn_with(AppOptions::default().services(&[ServiceName::Testops])).await
}

#[tokio::test]
async fn projects_are_created_within_the_plan_and_by_writers_only() {
    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let viewer = app
        .testops_invite_signup(&admin, "v@acme.test", "viewer")
        .await;
    let denied = app
        .testops(&viewer.token)
        .post("/api/projects", json!({"name": "Web"}))
        .await;
    assert_eq!(
        (denied.status, denied.body["error"].as_str()),
        (403, Some("Insufficient permissions"))
    );
    for body in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "!!!"}),
        json!({"name": "x".repeat(101)}),
        json!({"name": 5}),
    ] {
        let r = app
            .testops(&admin.token)
            .post("/api/projects", body.clone())
            .await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (400, Some("Invalid project name")),
            "{body}"
        );
    }
    let r = app
        .testops(&admin.token)
        .post("/api/projects", json!({"name": "Web Shop"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let project = r.body["project"].clone();
    assert!(is_object_id(&project["id"]));
    assert_eq!(project["slug"], "web-shop");
    let over = app
        .testops(&admin.token)
        .post("/api/projects", json!({"name": "Second"}))
        .await;
    assert_eq!(
        (over.status, over.body["error"].as_str()),
        (403, Some("Project limit exceeded")),
        "{}",
        over.body
    );
    assert_eq!(
        (over.body["limit"].as_i64(), over.body["current"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(over.body["usage"]["percentUsed"], 100);
    assert_eq!(over.body["upgradeUrl"], "/settings?tab=billing");

    let id = project["id"].as_str().unwrap();
    let list = app.testops(&viewer.token).get("/api/projects").await;
    assert_eq!(list.body["projects"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.testops(&viewer.token)
            .get(&format!("/api/projects/{id}"))
            .await
            .body["project"]["name"],
        "Web Shop"
    );
    assert_eq!(
        app.testops(&viewer.token)
            .get("/api/projects/123")
            .await
            .body["error"],
        "Invalid project ID format"
    );
    assert_eq!(
        app.testops(&viewer.token)
            .get(&format!("/api/projects/{}", "a".repeat(24)))
            .await
            .status,
        404
    );
    let renamed = app
        .testops(&admin.token)
        .patch(
            &format!("/api/projects/{id}"),
            json!({"name": "Storefront"}),
        )
        .await;
    assert_eq!(
        (renamed.status, renamed.body["project"]["slug"].as_str()),
        (200, Some("storefront"))
    );
    assert_eq!(
        app.testops(&viewer.token)
            .delete(&format!("/api/projects/{id}"))
            .await
            .status,
        403
    );
    let deleted = app
        .testops(&admin.token)
        .delete(&format!("/api/projects/{id}"))
        .await;
    assert_eq!(
        (deleted.status, deleted.body["message"].as_str()),
        (200, Some("Project deleted successfully"))
    );
    assert_eq!(
        app.testops(&admin.token)
            .post("/api/projects", json!({"name": "Again"}))
            .await
            .status,
        201,
        "room for one again"
    );
    app.stop().await;
}

#[tokio::test]
async fn run_settings_are_validated_and_merged() {
    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let none = app.testops(&admin.token).get("/api/project-settings").await;
    assert_eq!(none.status, 404);
    let id = app
        .testops(&admin.token)
        .post("/api/projects", json!({"name": "Web"}))
        .await
        .body["project"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/projects/{id}/settings");
    let s = app.testops(&admin.token).get(&path).await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(
        s.body["settings"],
        json!({"dockerImage": null, "targetUrls": {"dev": null, "staging": null, "prod": null}, "defaultTestFolder": "all",
            "autoQuarantineEnabled": false, "network": {"mode": "off", "hosts": []}})
    );
    let put = app
        .testops(&admin.token)
        .put(&path, json!({"dockerImage": "host", "targetUrls": {"staging": "https://staging.acme.test"}, "autoQuarantineEnabled": true,
            "network": {"mode": "hosts", "hosts": ["staging.acme.test", "api.acme.test:8443"]}}))
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let settings = &put.body["settings"];
    assert_eq!(
        settings["targetUrls"]["staging"],
        "https://staging.acme.test"
    );
    assert_eq!(
        (
            settings["dockerImage"].as_str(),
            settings["autoQuarantineEnabled"].as_bool()
        ),
        (Some("host"), Some(true))
    );
    let keep = app
        .testops(&admin.token)
        .put(&path, json!({"defaultTestFolder": "tests/e2e"}))
        .await;
    assert_eq!(
        keep.body["settings"]["targetUrls"]["staging"], "https://staging.acme.test",
        "fields left out keep their value"
    );
    assert_eq!(
        keep.body["settings"]["network"]["hosts"][1],
        "api.acme.test:8443"
    );
    let first = app.testops(&admin.token).get("/api/project-settings").await;
    assert_eq!(
        (
            first.body["projectId"].as_str(),
            first.body["settings"]["defaultTestFolder"].as_str()
        ),
        (Some(id.as_str()), Some("tests/e2e"))
    );

    let bad = app
        .testops(&admin.token)
        .put(&path, json!({"targetUrls": {"qa": "x", "prod": "ftp://x"}, "defaultTestFolder": "../etc", "autoQuarantineEnabled": "yes",
            "network": {"mode": "hosts", "hosts": []}, "dockerImage": "a b"}))
        .await;
    assert_eq!(
        (bad.status, bad.body["error"].as_str()),
        (400, Some("Invalid settings")),
        "{}",
        bad.body
    );
    for field in [
        "targetUrls.qa",
        "targetUrls.prod",
        "defaultTestFolder",
        "autoQuarantineEnabled",
        "network.hosts",
        "dockerImage",
    ] {
        assert!(
            bad.body["details"][field].is_object(),
            "{field}: {}",
            bad.body
        );
    }
    let unchanged = app.testops(&admin.token).get(&path).await;
    assert_eq!(
        unchanged.body["settings"], keep.body["settings"],
        "a refused update changes nothing"
    );
    let viewer = app
        .testops_invite_signup(&admin, "v@acme.test", "viewer")
        .await;
    assert_eq!(
        app.testops(&viewer.token)
            .put(&path, json!({"dockerImage": null}))
            .await
            .status,
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn environment_variables_keep_secrets_sealed_and_masked() {
    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let id = app
        .testops(&admin.token)
        .post("/api/projects", json!({"name": "Web"}))
        .await
        .body["project"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let env = format!("/api/projects/{id}/env");
    let secret = "hunter2-super-secret";
    let r = app
        .testops(&admin.token)
        .post(
            &env,
            json!({"key": "API_TOKEN", "value": secret, "isSecret": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        (
            r.body["data"]["value"].as_str(),
            r.body["data"]["isSecret"].as_bool()
        ),
        (Some("********"), Some(true))
    );
    let secret_id = r.body["data"]["id"].as_str().unwrap().to_string();
    let plain = app
        .testops(&admin.token)
        .post(&env, json!({"key": "LOG_LEVEL", "value": "debug"}))
        .await;
    assert_eq!(plain.body["data"]["value"], "debug");
    let stored: Vec<String> = platform::on_db!(app.platform.db(), |p| sqlx::query_scalar(
        "SELECT value FROM testops_env_vars ORDER BY key"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert!(
        !stored[0].contains(secret) && stored[0] != "********",
        "sealed at rest: {}",
        stored[0]
    );
    assert_eq!(stored[1], "debug");

    let list = app.testops(&admin.token).get(&env).await;
    assert!(!list.text.contains(secret));
    let keys: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["API_TOKEN", "LOG_LEVEL"]);

    for (body, status, error) in [
        (json!({"key": "1BAD", "value": "x"}), 400, "Invalid key"),
        (json!({"key": "A-B", "value": "x"}), 400, "Invalid key"),
        (
            json!({"key": "TASK_ID", "value": "x"}),
            400,
            "Forbidden environment variable names",
        ),
        (json!({"key": "OK", "value": ""}), 400, "Invalid value"),
        (
            json!({"key": "OK", "value": "x".repeat(4097)}),
            400,
            "Invalid value",
        ),
        (json!({"key": "OK"}), 400, "Missing required fields"),
        (
            json!({"key": "API_TOKEN", "value": "again"}),
            409,
            "Duplicate key",
        ),
    ] {
        let r = app.testops(&admin.token).post(&env, body.clone()).await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (status, Some(error)),
            "{body}: {}",
            r.body
        );
    }

    // The mask keeps the secret; renaming keeps it too; then it is opened to check.
    let var = format!("{env}/{secret_id}");
    let kept = app
        .testops(&admin.token)
        .put(&var, json!({"key": "API_KEY", "value": "********"}))
        .await;
    assert_eq!(
        (kept.status, kept.body["data"]["key"].as_str()),
        (200, Some("API_KEY")),
        "{}",
        kept.body
    );
    let sealed: String = platform::on_db!(app.platform.db(), |p| sqlx::query_scalar(
        "SELECT value FROM testops_env_vars WHERE key = 'API_KEY'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(
        platform::sealed::open(app.platform.master_key(), &sealed).as_deref(),
        Some(secret)
    );
    let unsealed = app
        .testops(&admin.token)
        .put(&var, json!({"isSecret": false}))
        .await;
    assert_eq!(
        unsealed.body["data"]["value"], secret,
        "made plain on purpose, it shows"
    );
    assert_eq!(
        app.testops(&admin.token)
            .put(&format!("{env}/nothex"), json!({}))
            .await
            .status,
        400
    );
    let dup = app
        .testops(&admin.token)
        .put(&var, json!({"key": "LOG_LEVEL"}))
        .await;
    assert_eq!(dup.status, 409);

    for i in 0..48 {
        let r = app
            .testops(&admin.token)
            .post(&env, json!({"key": format!("V{i}"), "value": "1"}))
            .await;
        assert_eq!(r.status, 201);
    }
    let full = app
        .testops(&admin.token)
        .post(&env, json!({"key": "ONE_TOO_MANY", "value": "1"}))
        .await;
    assert_eq!(
        (full.status, full.body["error"].as_str()),
        (400, Some("Too many variables"))
    );

    let viewer = app
        .testops_invite_signup(&admin, "v@acme.test", "viewer")
        .await;
    assert_eq!(app.testops(&viewer.token).get(&env).await.status, 200);
    assert_eq!(app.testops(&viewer.token).delete(&var).await.status, 403);
    let gone = app.testops(&admin.token).delete(&var).await;
    assert_eq!((gone.status, gone.body["data"].clone()), (200, Value::Null));
    assert_eq!(app.testops(&admin.token).delete(&var).await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn another_organizations_ids_are_404_on_every_route() {
    let app = spawn().await;
    let a = app.testops_signup("Acme", "alice@acme.test").await;
    let b = app.testops_signup("Beta", "bob@beta.test").await;
    let project = app
        .testops(&a.token)
        .post("/api/projects", json!({"name": "Web"}))
        .await
        .body["project"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let var = app
        .testops(&a.token)
        .post(
            &format!("/api/projects/{project}/env"),
            json!({"key": "K", "value": "v"}),
        )
        .await
        .body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inv = app
        .testops(&a.token)
        .post(
            "/api/invitations",
            json!({"email": "x@acme.test", "role": "viewer"}),
        )
        .await
        .body["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let key = app
        .testops(&a.token)
        .post("/api/auth/api-keys", json!({}))
        .await
        .body["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/projects/{project}"), None),
        (
            Method::PATCH,
            format!("/api/projects/{project}"),
            Some(json!({"name": "Mine"})),
        ),
        (Method::DELETE, format!("/api/projects/{project}"), None),
        (
            Method::GET,
            format!("/api/projects/{project}/settings"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/projects/{project}/settings"),
            Some(json!({"dockerImage": "host"})),
        ),
        (Method::GET, format!("/api/projects/{project}/env"), None),
        (
            Method::POST,
            format!("/api/projects/{project}/env"),
            Some(json!({"key": "X", "value": "1"})),
        ),
        (
            Method::PUT,
            format!("/api/projects/{project}/env/{var}"),
            Some(json!({"value": "2"})),
        ),
        (
            Method::DELETE,
            format!("/api/projects/{project}/env/{var}"),
            None,
        ),
        (Method::GET, format!("/api/users/{}", a.user_id), None),
        (
            Method::PATCH,
            format!("/api/users/{}/role", a.user_id),
            Some(json!({"role": "viewer"})),
        ),
        (Method::DELETE, format!("/api/users/{}", a.user_id), None),
        (Method::DELETE, format!("/api/invitations/{inv}"), None),
        (Method::DELETE, format!("/api/auth/api-keys/{key}"), None),
    ];
    for (method, path, body) in cases {
        let r = app
            .testops(&b.token)
            .send(method.clone(), &path, body)
            .await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
        assert_eq!(r.body["success"], false);
    }
    // Nothing of A changed.
    assert_eq!(
        app.testops(&a.token)
            .get(&format!("/api/projects/{project}"))
            .await
            .body["project"]["name"],
        "Web"
    );
    assert_eq!(
        app.testops(&a.token)
            .get(&format!("/api/projects/{project}/env"))
            .await
            .body["data"][0]["value"],
        "v"
    );
    assert_eq!(
        app.testops(&a.token).get("/api/users").await.body["users"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}
