//! Every service answers every error in its own contract's envelope: its own errors and the
//! framework's (bad JSON, unknown route, wrong method, oversize body, auth, roles, limits).

use std::fmt::Display;

use platform::ServiceName;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

/// Asserts `body` is `service`'s envelope for `status`, and returns its message.
pub fn assert_envelope(service: ServiceName, status: u16, body: &Value) -> String {
    let obj = body
        .as_object()
        .unwrap_or_else(|| panic!("{service}: error body is not an object: {body}"));
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let message = match service {
        ServiceName::Guard => {
            assert_eq!(keys, ["error"], "{body}");
            &body["error"]
        }
        ServiceName::Netwatch => {
            assert_eq!(keys, ["detail"], "{body}");
            &body["detail"]
        }
        ServiceName::Enclave => {
            assert_eq!(body["status"], status, "{body}");
            let code = body["error"].as_str().unwrap();
            assert!(
                code.chars().next().unwrap().is_ascii_uppercase() && !code.contains(' '),
                "{body}"
            );
            &body["message"]
        }
        ServiceName::Vision => {
            let code = body["error"].as_str().unwrap();
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{body}"
            );
            &body["message"]
        }
        ServiceName::Testops => {
            assert_eq!(body["success"], false, "{body}");
            assert!(body["error"].is_string(), "{body}");
            &body["message"]
        }
    };
    let message = message
        .as_str()
        .unwrap_or_else(|| panic!("{service}: no message in {body}"))
        .to_string();
    assert!(!message.is_empty());
    message
}

/// `r`, once checked to be JSON (as every envelope is): the content type says so and the body
/// parses.
fn json(what: impl Display, r: TestResponse) -> TestResponse {
    assert_eq!(r.header("content-type"), "application/json", "{what}");
    assert!(
        serde_json::from_str::<Value>(&r.text).is_ok(),
        "{what}: not JSON: {}",
        r.text
    );
    r
}

async fn spawn_services(services: &[ServiceName]) -> TestApp {
    spawn_with(AppOptions::default().services(services)).await
}

#[tokio::test]
async fn unknown_routes_wrong_methods_and_oversize_bodies_on_every_service() {
    // vision accepts bodies up to its video limit (512 MiB by default): lowered here to the
    // platform's 1 MiB so that one oversize body checks every service.
    let opts = AppOptions {
        configure: Some(std::sync::Arc::new(
            |config: &mut redoubt::config::Config| {
                config.platform.vision.max_video_bytes = 1024 * 1024;
                config.platform.vision.max_batch_bytes = 1024 * 1024;
            },
        )),
        ..AppOptions::default()
    };
    let app = spawn_with(opts).await;
    let health = |s| match s {
        ServiceName::Guard => "/api/v1/healthz",
        ServiceName::Netwatch => "/api/v1/health",
        ServiceName::Enclave | ServiceName::Vision => "/v1/health",
        ServiceName::Testops => "/health",
    };
    let oversize = vec![b'a'; 1024 * 1024 + 1];
    for service in ServiceName::ALL {
        let client = app.client(service);
        let r = json(service, client.get("/no/such/route").await);
        assert_eq!(r.status, 404, "{service}");
        assert_envelope(service, 404, &r.body);

        let r = json(service, client.delete(health(service)).await);
        assert_eq!(r.status, 405, "{service}");
        assert_eq!(r.header("allow"), "GET,HEAD", "{service}");
        assert_envelope(service, 405, &r.body);

        let r = client
            .send_raw(
                Method::POST,
                health(service),
                Some(("application/json", oversize.clone())),
            )
            .await;
        let r = json(service, r);
        assert_eq!(r.status, 413, "{service}");
        assert_eq!(
            assert_envelope(service, 413, &r.body),
            "Request body too large"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn malformed_json_wrong_content_type_and_missing_fields_are_400_or_415() {
    let app = spawn_services(&[
        ServiceName::Guard,
        ServiceName::Netwatch,
        ServiceName::Testops,
    ])
    .await;
    for (service, path) in [
        (ServiceName::Guard, "/api/v1/auth/login"),
        (ServiceName::Testops, "/api/auth/login"),
    ] {
        let client = app.client(service);
        for (content_type, body, want) in [
            ("application/json", "{not json", 400),
            ("application/json", r#"{"email": 42, "password": "x"}"#, 400),
            ("application/json", "[]", 400),
            ("text/plain", "hello", 415),
        ] {
            let what = format!("{service} {content_type} {body}");
            let r = client
                .send_raw(Method::POST, path, Some((content_type, body.into())))
                .await;
            let r = json(&what, r);
            assert_eq!(r.status, want, "{what}");
            assert_envelope(service, want, &r.body);
        }
    }
    let missing = || Some(("application/json", br#"{"email":"a@b.co"}"#.to_vec()));
    let r = app
        .client(ServiceName::Guard)
        .send_raw(Method::POST, "/api/v1/auth/login", missing())
        .await;
    let r = json("guard", r);
    assert_eq!(r.status, 400);
    assert!(assert_envelope(ServiceName::Guard, 400, &r.body).contains("missing field `password`"));
    let r = app
        .client(ServiceName::Testops)
        .send_raw(Method::POST, "/api/auth/login", missing())
        .await;
    let r = json("testops", r);
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "Missing credentials");

    let (tenant, user) = app
        .user("acme", "alice@acme.fr", ServiceName::Netwatch, "admin")
        .await;
    let token = app.token(ServiceName::Netwatch, user, tenant, "admin");
    let r = app
        .client(ServiceName::Netwatch)
        .bearer(&token)
        .get("/api/v1/settings/audit-log?limit=abc")
        .await;
    let r = json("netwatch", r);
    assert_eq!(r.status, 400);
    assert_envelope(ServiceName::Netwatch, 400, &r.body);
    app.stop().await;
}

#[tokio::test]
async fn missing_or_bad_credentials_are_401_and_wrong_roles_403() {
    let app = spawn_services(&[
        ServiceName::Guard,
        ServiceName::Netwatch,
        ServiceName::Vision,
        ServiceName::Testops,
    ])
    .await;
    let cases = [
        (ServiceName::Guard, "/api/v1/audit-log"),
        (ServiceName::Netwatch, "/api/v1/settings/audit-log"),
        (ServiceName::Vision, "/v1/status/capacity"),
        (ServiceName::Testops, "/api/auth/me"),
    ];
    for (service, path) in cases {
        for bearer in [None, Some("garbage"), Some("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")] {
            let client = match bearer {
                Some(b) => app.client(service).bearer(b),
                None => app.client(service),
            };
            let what = format!("{service} {bearer:?}");
            let r = json(&what, client.get(path).await);
            assert_eq!(r.status, 401, "{what}");
            assert_envelope(service, 401, &r.body);
        }
    }
    let r = app.client(ServiceName::Testops).get("/api/auth/me").await;
    let r = json("testops", r);
    assert_eq!(r.body["error"], "Authentication required");

    let (tenant, user) = app
        .user("acme", "viewer@acme.fr", ServiceName::Guard, "viewer")
        .await;
    // Who may read the audit log: guard admins only; netwatch admins and auditors.
    let cases = [
        (ServiceName::Guard, "/api/v1/audit-log", "viewer", 403),
        (
            ServiceName::Netwatch,
            "/api/v1/settings/audit-log",
            "analyst",
            403,
        ),
        (
            ServiceName::Netwatch,
            "/api/v1/settings/audit-log",
            "auditor",
            200,
        ),
    ];
    let mut body = Value::Null;
    for (service, path, role, want) in cases {
        let token = app.token(service, user, tenant, role);
        let what = format!("{service} {role}");
        let r = json(&what, app.client(service).bearer(&token).get(path).await);
        assert_eq!(r.status, want, "{what}: {}", r.body);
        if want == 403 {
            assert_envelope(service, 403, &r.body);
        }
        body = r.body;
    }
    assert_eq!(
        body["total"], 0,
        "auditors read the (empty) audit log: {body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn rate_limited_responses_are_429_in_each_envelope() {
    let opts = AppOptions::contract_limits()
        .services(&[
            ServiceName::Guard,
            ServiceName::Netwatch,
            ServiceName::Vision,
            ServiceName::Testops,
        ])
        .limit("netwatch.api", 1, 60)
        .limit("vision.api", 1, 60);
    let app = spawn_with(opts).await;
    let (tenant, user) = app
        .user("acme", "alice@acme.fr", ServiceName::Netwatch, "admin")
        .await;
    let token = app.token(ServiceName::Netwatch, user, tenant, "admin");
    let netwatch = app.client(ServiceName::Netwatch).bearer(&token);
    let path = "/api/v1/settings/audit-log";
    assert_eq!(json("netwatch", netwatch.get(path).await).status, 200);
    let r = json("netwatch", netwatch.get(path).await);
    assert_eq!(r.status, 429);
    assert!(r.headers.contains_key("retry-after"));
    assert_envelope(ServiceName::Netwatch, 429, &r.body);

    let key = app
        .platform
        .api_keys()
        .create(tenant, ServiceName::Vision, "ci", None)
        .await
        .unwrap()
        .key;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    for want in [200, 429] {
        let r = vision.get("/v1/status/capacity").await;
        assert_eq!(r.status, want);
        if want == 429 {
            assert_envelope(ServiceName::Vision, 429, &json("vision", r).body);
        }
    }

    let login = |service: ServiceName, path: &'static str| {
        let client = app.client(service);
        async move {
            let mut last = None;
            for _ in 0..6 {
                let body = br#"{"email":"x@y.co","password":"nope"}"#.to_vec();
                let r = client
                    .send_raw(Method::POST, path, Some(("application/json", body)))
                    .await;
                last = Some(json(service, r));
            }
            last.expect("six attempts")
        }
    };
    let r = login(ServiceName::Testops, "/api/auth/login").await;
    let body = r.body;
    assert_eq!(r.status, 429);
    assert_envelope(ServiceName::Testops, 429, &body);
    assert_eq!(body["error"], "Too Many Requests");
    assert_eq!(
        body["message"],
        "Too many authentication attempts. Please try again in a moment."
    );
    assert_eq!(
        (body["limit"].as_u64(), body["window"].as_u64()),
        (Some(5), Some(60_000))
    );
    assert!(body["retryAfter"].as_u64().unwrap() >= 1);
    let r = login(ServiceName::Guard, "/api/v1/auth/login").await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.body,
        serde_json::json!({ "error": "Too many login attempts. Please try again in a few minutes." })
    );
    app.stop().await;
}
