//! guard's first endpoint end to end: the seed's Quick Example, the login response, bad
//! credentials, and the audit row a login writes.

use platform::ServiceName;
use serde_json::json;

use crate::helpers::guard::spawn_guard;
use crate::helpers::{TestApp, PASSWORD};

/// The seed's Quick Example, run verbatim with curl and jq (base URL swapped).
#[tokio::test]
async fn the_seed_quick_example_works_verbatim() {
    let app = spawn_guard().await;
    app.accounts_ready().await;
    let base = format!("http://{}/api/v1", app.addr(ServiceName::Guard));
    let script = format!(
        r#"set -e
TOKEN=$(curl -X POST {base}/auth/login \
-H "Content-Type: application/json" \
-d '{{"email":"alice@acme.fr","password":"{PASSWORD}"}}' \
| jq -r '.token')
test -n "$TOKEN" && test "$TOKEN" != null
curl -s -o /dev/null -w '%{{http_code}}' {base}/audit-log \
-H "Authorization: Bearer $TOKEN"
"#
    );
    let out = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "200");
    app.stop().await;
}

impl TestApp {
    async fn accounts_ready(&self) {
        self.user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
            .await;
    }
}

#[tokio::test]
async fn login_returns_a_24h_token_and_the_user() {
    let app = spawn_guard().await;
    let (tenant, user) = app
        .user("acme", "Alice@Acme.fr", ServiceName::Guard, "admin")
        .await;
    let response = app
        .client(ServiceName::Guard)
        .post(
            "/api/v1/auth/login",
            json!({ "email": "alice@acme.fr", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status, 200);
    let body = response.body;
    assert_eq!(body["user"]["id"], json!(user));
    assert_eq!(body["user"]["tenant_id"], json!(tenant));
    assert_eq!(body["user"]["email"], "alice@acme.fr");
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["display_name"], "alice");
    let claims = app
        .platform
        .jwt()
        .verify(ServiceName::Guard, body["token"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.exp - claims.iat, 86_400);
    assert_eq!(
        (claims.sub, claims.tenant_id, claims.role.as_str()),
        (user, tenant, "admin")
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_credentials_get_the_same_401_and_change_nothing() {
    let app = spawn_guard().await;
    let (tenant, _) = app
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    app.user("acme", "tester@acme.fr", ServiceName::Testops, "admin")
        .await;
    let (_, before) = app.platform.audit().page(tenant, 100, 0).await.unwrap();
    for (email, password) in [
        ("alice@acme.fr", "wrong-password"),
        ("nobody@acme.fr", PASSWORD),
        // Exists, right password, but holds no guard role.
        ("tester@acme.fr", PASSWORD),
    ] {
        let response = app
            .client(ServiceName::Guard)
            .post(
                "/api/v1/auth/login",
                json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(response.status, 401, "{email}");
        assert_eq!(
            response.body,
            json!({ "error": "Invalid email or password" }),
            "{email}"
        );
    }
    let (_, after) = app.platform.audit().page(tenant, 100, 0).await.unwrap();
    assert_eq!(before, after, "failed logins write nothing");
    app.stop().await;
}

#[tokio::test]
async fn a_login_is_audited_in_the_tenant_chain() {
    let app = spawn_guard().await;
    let (tenant, user) = app
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let token = app.guard_login("alice@acme.fr").await;
    let r = app.guard(&token).get("/api/v1/audit-log").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-total-count"), "1");
    let entry = &r.body["entries"][0];
    assert_eq!(entry["action"], "auth.login");
    assert_eq!(entry["target"], format!("user:{user}"));
    assert_eq!(entry["details"]["ip"], "127.0.0.1");
    assert!(app.platform.audit().verify(tenant).await.unwrap().valid);
    app.stop().await;
}
