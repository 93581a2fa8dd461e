//! The input layer, on every backend: NUL characters (which PostgreSQL text refuses and SQLite
//! stores) and page offsets past a signed 64-bit integer are refused with the contract's 400,
//! before anything is stored or queried.

use platform::http::input::{NUL_IN_BODY, NUL_IN_URL};
use platform::ServiceName;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::enclave::signup;
use crate::helpers::{spawn_with, AppOptions, TestResponse};

/// The service's envelope carries `message` (each contract names its field differently).
fn says(service: ServiceName, r: &TestResponse, message: &str) {
    assert_eq!(r.status, 400, "{service}: {}", r.body);
    let field = match service {
        ServiceName::Guard => "error",
        ServiceName::Netwatch => "detail",
        _ => "message",
    };
    assert_eq!(r.body[field], message, "{service}: {}", r.body);
}

#[tokio::test]
async fn nul_characters_are_refused_in_bodies_paths_and_queries() {
    let app = spawn_with(AppOptions::default().services(&[
        ServiceName::Guard,
        ServiceName::Enclave,
        ServiceName::Testops,
    ]))
    .await;
    let (_, admin) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, key) = signup(&app, "ops@clinic.example", None).await;
    let nul_email = json!({ "email": "a\u{0}b@acme.fr", "password": "x" });
    let bodies: [(ServiceName, Option<&str>, &str, Value); 6] = [
        (
            ServiceName::Guard,
            None,
            "/api/v1/auth/login",
            nul_email.clone(),
        ),
        (
            ServiceName::Testops,
            None,
            "/api/auth/login",
            nul_email.clone(),
        ),
        (
            ServiceName::Enclave,
            None,
            "/v1/signup",
            json!({ "email": "a\u{0}@b.example" }),
        ),
        (
            ServiceName::Enclave,
            Some(&key),
            "/v1/sessions",
            json!({ "data_classification": "phi\u{0}" }),
        ),
        (
            ServiceName::Guard,
            Some(&admin),
            "/api/v1/policies",
            json!({ "name": "n\u{0}", "rules": { "conditions": [] } }),
        ),
        (
            ServiceName::Guard,
            Some(&admin),
            "/api/v1/users/invite",
            json!({ "email": "x\u{0}@acme.fr", "role": "viewer" }),
        ),
    ];
    for (service, bearer, path, body) in bodies {
        let client = app.client(service);
        let client = match bearer {
            Some(b) => client.bearer(b),
            None => client,
        };
        says(service, &client.post(path, body).await, NUL_IN_BODY);
    }
    let urls: [(ServiceName, Option<&str>, &str); 5] = [
        (ServiceName::Enclave, None, "/v1/keys/nrx%00"),
        (ServiceName::Enclave, Some(&key), "/v1/sessions/sess_%00"),
        (
            ServiceName::Guard,
            Some(&admin),
            "/api/v1/interactions?platform_id=a%00b",
        ),
        (ServiceName::Guard, Some(&admin), "/api/v1/policies/%00"),
        (ServiceName::Testops, None, "/api/%00"),
    ];
    for (service, bearer, path) in urls {
        let client = app.client(service);
        let client = match bearer {
            Some(b) => client.bearer(b),
            None => client,
        };
        says(
            service,
            &client.send(Method::GET, path, None).await,
            NUL_IN_URL,
        );
    }
    // Nothing was stored: no policy, no invitation, one enclave customer.
    let guard = app.guard(&admin);
    assert_eq!(
        guard.get("/api/v1/policies").await.header("x-total-count"),
        "0"
    );
    assert_eq!(guard.get("/api/v1/users").await.body["total"], 1);
    // A literal backslash-u in text is not a NUL.
    let rules = json!({ "action": "log", "conditions": [{ "field": "platform_id", "operator": "eq", "value": "chatgpt" }] });
    let fine = guard
        .post(
            "/api/v1/policies",
            json!({ "name": "path \\u0000 text", "rules": rules }),
        )
        .await;
    assert_eq!(fine.status, 201, "{}", fine.body);
    assert_eq!(fine.body["name"], "path \\u0000 text");
    app.stop().await;
}

#[tokio::test]
async fn pages_past_the_last_representable_offset_are_refused() {
    let app =
        spawn_with(AppOptions::default().services(&[ServiceName::Guard, ServiceName::Netwatch]))
            .await;
    let (_, admin) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&admin);
    for list in [
        "/api/v1/interactions",
        "/api/v1/policies",
        "/api/v1/alerts",
        "/api/v1/inventory",
        "/api/v1/webhooks",
        "/api/v1/users",
        "/api/v1/audit-log",
    ] {
        for page in [
            "9223372036854775808",
            "18446744073709551615",
            "184467440737095517",
        ] {
            let r = guard.get(&format!("{list}?page={page}&limit=100")).await;
            says(ServiceName::Guard, &r, "page is out of range");
        }
        // The largest page that fits is a real (empty) page, not page 1 again.
        let last = guard
            .get(&format!("{list}?page=92233720368547758&limit=100"))
            .await;
        assert_eq!(last.status, 200, "{list}: {}", last.body);
        assert_eq!(last.header("x-page"), "92233720368547758", "{list}");
    }
    let (tenant, user) = app
        .user("acme", "nadia@acme.fr", ServiceName::Netwatch, "admin")
        .await;
    let token = app.token(ServiceName::Netwatch, user, tenant, "admin");
    let netwatch = app.client(ServiceName::Netwatch).bearer(&token);
    let r = netwatch
        .get("/api/v1/settings/audit-log?offset=9223372036854775808")
        .await;
    says(
        ServiceName::Netwatch,
        &r,
        "offset must be between 0 and 9223372036854775807",
    );
    let ok = netwatch
        .get("/api/v1/settings/audit-log?offset=9223372036854775807")
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    app.stop().await;
}

#[tokio::test]
async fn an_exec_timeout_past_u64_milliseconds_is_capped_not_a_panic() {
    let app = spawn_with(AppOptions::default().services(&[ServiceName::Enclave])).await;
    let (_, key) = signup(&app, "ops@clinic.example", None).await;
    let enclave = app.enclave(&key);
    let session = enclave.post("/v1/sessions", json!({})).await;
    assert_eq!(session.status, 201, "{}", session.body);
    let id = session.body["session_id"].as_str().unwrap();
    // 18446744073709551614 s × 1000 overflowed u64 (a panic: 500); it means "as long as allowed".
    let ran = enclave
        .post(
            &format!("/v1/sessions/{id}/exec"),
            json!({ "command": "echo ok", "timeout": 18446744073709551614u64 }),
        )
        .await;
    assert_eq!(ran.status, 200, "{}", ran.body);
    assert_eq!(ran.body["output"], "ok\n");
    assert_eq!(
        enclave.delete(&format!("/v1/sessions/{id}")).await.status,
        200
    );
    app.stop().await;
}
