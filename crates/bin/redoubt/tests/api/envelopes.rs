//! Every service answers every error in its own contract's envelope: its own errors and the
//! framework's (bad JSON, unknown route, wrong method, oversize body, auth, roles, limits).

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

async fn send(
    app: &TestApp,
    service: ServiceName,
    method: Method,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
    bearer: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app.http.request(method, app.url(service, path));
    if let Some((content_type, bytes)) = body {
        request = request.header("content-type", content_type).body(bytes);
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    assert_eq!(
        headers["content-type"], "application/json",
        "{service} {path}"
    );
    (status, headers, response.json().await.unwrap())
}

#[tokio::test]
async fn unknown_routes_wrong_methods_and_oversize_bodies_on_every_service() {
    let app = spawn_app().await;
    let health = |s| match s {
        ServiceName::Guard => "/api/v1/healthz",
        ServiceName::Netwatch => "/api/v1/health",
        ServiceName::Enclave | ServiceName::Vision => "/v1/health",
        ServiceName::Testops => "/health",
    };
    let oversize = vec![b'a'; 1024 * 1024 + 1];
    for service in ServiceName::ALL {
        let (status, _, body) =
            send(&app, service, Method::GET, "/no/such/route", None, None).await;
        assert_eq!(status, 404, "{service}");
        assert_envelope(service, 404, &body);

        let (status, headers, body) =
            send(&app, service, Method::DELETE, health(service), None, None).await;
        assert_eq!(status, 405, "{service}");
        assert_eq!(headers["allow"], "GET,HEAD", "{service}");
        assert_envelope(service, 405, &body);

        let (status, _, body) = send(
            &app,
            service,
            Method::POST,
            health(service),
            Some(("application/json", oversize.clone())),
            None,
        )
        .await;
        assert_eq!(status, 413, "{service}");
        assert_eq!(
            assert_envelope(service, 413, &body),
            "Request body too large"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn malformed_json_wrong_content_type_and_missing_fields_are_400_or_415() {
    let app = spawn_app().await;
    for (service, path) in [
        (ServiceName::Guard, "/api/v1/auth/login"),
        (ServiceName::Testops, "/api/auth/login"),
    ] {
        for (body, want) in [
            ("{not json", 400),
            (r#"{"email": 42, "password": "x"}"#, 400),
            ("[]", 400),
        ] {
            let (status, _, reply) = send(
                &app,
                service,
                Method::POST,
                path,
                Some(("application/json", body.into())),
                None,
            )
            .await;
            assert_eq!(status, want, "{service} {body}");
            assert_envelope(service, want, &reply);
        }
        let (status, _, reply) = send(
            &app,
            service,
            Method::POST,
            path,
            Some(("text/plain", b"hello".to_vec())),
            None,
        )
        .await;
        assert_eq!(status, 415, "{service}");
        assert_envelope(service, 415, &reply);
    }
    let (status, _, body) = send(
        &app,
        ServiceName::Guard,
        Method::POST,
        "/api/v1/auth/login",
        Some(("application/json", br#"{"email":"a@b.co"}"#.to_vec())),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(assert_envelope(ServiceName::Guard, 400, &body).contains("missing field `password`"));
    let (status, _, body) = send(
        &app,
        ServiceName::Testops,
        Method::POST,
        "/api/auth/login",
        Some(("application/json", br#"{"email":"a@b.co"}"#.to_vec())),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "Missing credentials");

    let (tenant, user) = app
        .user("acme", "alice@acme.fr", ServiceName::Netwatch, "admin")
        .await;
    let token = app.token(ServiceName::Netwatch, user, tenant, "admin");
    let (status, _, body) = send(
        &app,
        ServiceName::Netwatch,
        Method::GET,
        "/api/v1/settings/audit-log?limit=abc",
        None,
        Some(&token),
    )
    .await;
    assert_eq!(status, 400);
    assert_envelope(ServiceName::Netwatch, 400, &body);
    app.stop().await;
}

#[tokio::test]
async fn missing_or_bad_credentials_are_401_and_wrong_roles_403() {
    let app = spawn_app().await;
    let cases = [
        (ServiceName::Guard, "/api/v1/audit-log"),
        (ServiceName::Netwatch, "/api/v1/settings/audit-log"),
        (ServiceName::Vision, "/v1/status/capacity"),
        (ServiceName::Testops, "/api/auth/me"),
    ];
    for (service, path) in cases {
        for bearer in [None, Some("garbage"), Some("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")] {
            let (status, _, body) = send(&app, service, Method::GET, path, None, bearer).await;
            assert_eq!(status, 401, "{service} {bearer:?}");
            assert_envelope(service, 401, &body);
        }
    }
    let (_, body) = {
        let (s, _, b) = send(
            &app,
            ServiceName::Testops,
            Method::GET,
            "/api/auth/me",
            None,
            None,
        )
        .await;
        (s, b)
    };
    assert_eq!(body["error"], "Authentication required");

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
        let (status, _, reply) = send(&app, service, Method::GET, path, None, Some(&token)).await;
        assert_eq!(status, want, "{service} {role}: {reply}");
        if want == 403 {
            assert_envelope(service, 403, &reply);
        }
        body = reply;
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
        .limit("netwatch.api", 1, 60)
        .limit("vision.api", 1, 60);
    let app = spawn_with(opts).await;
    let (tenant, user) = app
        .user("acme", "alice@acme.fr", ServiceName::Netwatch, "admin")
        .await;
    let token = app.token(ServiceName::Netwatch, user, tenant, "admin");
    let path = "/api/v1/settings/audit-log";
    assert_eq!(
        send(
            &app,
            ServiceName::Netwatch,
            Method::GET,
            path,
            None,
            Some(&token)
        )
        .await
        .0,
        200
    );
    let (status, headers, body) = send(
        &app,
        ServiceName::Netwatch,
        Method::GET,
        path,
        None,
        Some(&token),
    )
    .await;
    assert_eq!(status, 429);
    assert!(headers.contains_key("retry-after"));
    assert_envelope(ServiceName::Netwatch, 429, &body);

    let key = app
        .platform
        .api_keys()
        .create(tenant, ServiceName::Vision, "ci", None)
        .await
        .unwrap()
        .key;
    for want in [200, 429] {
        let response = app
            .http
            .get(app.url(ServiceName::Vision, "/v1/status/capacity"))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), want);
        if want == 429 {
            assert_envelope(ServiceName::Vision, 429, &response.json().await.unwrap());
        }
    }

    let login = |service: ServiceName, path: &'static str| {
        let app = &app;
        async move {
            let mut last = (0, Value::Null);
            for _ in 0..6 {
                let (s, _, b) = send(
                    app,
                    service,
                    Method::POST,
                    path,
                    Some((
                        "application/json",
                        br#"{"email":"x@y.co","password":"nope"}"#.to_vec(),
                    )),
                    None,
                )
                .await;
                last = (s, b);
            }
            last
        }
    };
    let (status, body) = login(ServiceName::Testops, "/api/auth/login").await;
    assert_eq!(status, 429);
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
    let (status, body) = login(ServiceName::Guard, "/api/v1/auth/login").await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        serde_json::json!({ "error": "Too many login attempts. Please try again in a few minutes." })
    );
    app.stop().await;
}
