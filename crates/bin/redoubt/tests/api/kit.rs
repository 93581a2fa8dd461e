//! What every response carries: security headers, request ids; and what every service
//! publishes: health on its documented path, Prometheus metrics, OpenAPI 3.1 and Swagger UI.

use platform::ServiceName;
use serde_json::Value;

use crate::helpers::*;

const HEALTH: [(ServiceName, &str); 5] = [
    (ServiceName::Guard, "/api/v1/healthz"),
    (ServiceName::Netwatch, "/api/v1/health"),
    (ServiceName::Enclave, "/v1/health"),
    (ServiceName::Vision, "/v1/health"),
    (ServiceName::Testops, "/health"),
];

#[tokio::test]
async fn every_service_answers_health_in_its_documented_shape() {
    let app = spawn_app().await;
    for (service, path) in HEALTH {
        let (status, _, body) = get_json(&app.http, &app.url(service, path), None).await;
        assert_eq!(status, 200, "{service}");
        match service {
            ServiceName::Guard => assert_eq!(body, serde_json::json!({ "status": "ok" })),
            ServiceName::Enclave => {
                assert_eq!(body["status"], "healthy");
                assert_eq!(body["database"], true);
                assert!(body["engines"].is_object() && body["uptime_seconds"].is_u64());
                assert!(
                    chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap())
                        .is_ok()
                );
            }
            ServiceName::Testops => {
                assert_eq!(body["status"], "healthy");
                assert_eq!(body["checks"]["database"], "healthy");
                assert!(body["uptime"].is_u64() && body["version"].is_string());
            }
            _ => assert_eq!(
                (body["status"].as_str(), body["database"].as_bool()),
                (Some("ok"), Some(true))
            ),
        }
    }
    let (status, _, body) = get_json(
        &app.http,
        &app.url(ServiceName::Guard, "/api/v1/readyz"),
        None,
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    app.stop().await;
}

#[tokio::test]
async fn readiness_and_health_report_a_lost_database() {
    let app = spawn_app().await;
    app.platform.db().close().await;
    let (status, _, body) = get_json(
        &app.http,
        &app.url(ServiceName::Guard, "/api/v1/readyz"),
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (503, serde_json::json!({ "error": "database unavailable" }))
    );
    let (status, _, body) = get_json(
        &app.http,
        &app.url(ServiceName::Enclave, "/v1/health"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str(), body["database"].as_bool()),
        (503, Some("degraded"), Some(false))
    );
    let (status, _, body) = get_json(
        &app.http,
        &app.url(ServiceName::Guard, "/api/v1/healthz"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("ok")),
        "liveness does not depend on the database"
    );
    app.stop().await;
}

#[tokio::test]
async fn security_headers_and_request_ids_on_success_and_error() {
    let app = spawn_app().await;
    for (service, path) in [
        (ServiceName::Guard, "/api/v1/healthz"),
        (ServiceName::Testops, "/nope"),
        (ServiceName::Enclave, "/v1/health"),
    ] {
        let response = app.http.get(app.url(service, path)).send().await.unwrap();
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert!(
            !h.contains_key("strict-transport-security"),
            "HSTS only when configured"
        );
        assert!(
            uuid::Uuid::parse_str(h["x-request-id"].to_str().unwrap()).is_ok(),
            "a request id is generated"
        );
    }
    let response = app
        .http
        .get(app.url(ServiceName::Vision, "/v1/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-request-id"],
        "trace-abc-123",
        "a caller's request id is echoed"
    );
    app.stop().await;

    let app = spawn_with(AppOptions {
        hsts: true,
        ..AppOptions::default()
    })
    .await;
    let response = app
        .http
        .get(app.url(ServiceName::Testops, "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    app.stop().await;
}

#[tokio::test]
async fn metrics_are_prometheus_text_with_routes_and_statuses() {
    let app = spawn_app().await;
    app.http
        .get(app.url(ServiceName::Guard, "/api/v1/healthz"))
        .send()
        .await
        .unwrap();
    app.http
        .get(app.url(ServiceName::Guard, "/missing"))
        .send()
        .await
        .unwrap();
    for (service, path) in [
        (ServiceName::Guard, "/api/v1/metrics"),
        (ServiceName::Enclave, "/metrics"),
        (ServiceName::Testops, "/metrics"),
    ] {
        let response = app.http.get(app.url(service, path)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let text = response.text().await.unwrap();
        assert!(text.contains(r#"http_requests_total{service="guard",route="/api/v1/healthz",method="GET",status="200"}"#), "{text}");
        assert!(
            text.contains(r#"route="unmatched",method="GET",status="404""#),
            "{text}"
        );
        assert!(
            text.contains("http_request_duration_seconds_bucket{"),
            "{text}"
        );
        assert!(text.contains("db_pool_connections"), "{text}");
    }
    app.platform
        .jobs()
        .enqueue(
            "reports.pending",
            &serde_json::json!({}),
            Default::default(),
        )
        .await
        .unwrap();
    let text = app.get_text(ServiceName::Vision, "/metrics").await;
    assert!(
        text.contains(r#"job_queue_depth{queue="reports.pending"} 1"#),
        "{text}"
    );
    app.stop().await;
}

#[tokio::test]
async fn openapi_documents_and_offline_swagger_ui() {
    let app = spawn_app().await;
    let docs = [
        (
            ServiceName::Guard,
            "/api/docs",
            "/api/docs/openapi.json",
            "/api/v1/auth/login",
        ),
        (
            ServiceName::Netwatch,
            "/docs",
            "/openapi.json",
            "/api/v1/settings/audit-log",
        ),
        (
            ServiceName::Enclave,
            "/v1/docs",
            "/v1/openapi.json",
            "/v1/health",
        ),
        (
            ServiceName::Vision,
            "/v1/docs",
            "/v1/openapi.json",
            "/v1/status/capacity",
        ),
        (
            ServiceName::Testops,
            "/api/docs",
            "/api/docs/openapi.json",
            "/api/auth/login",
        ),
    ];
    for (service, ui, json_path, documented) in docs {
        let (status, _, doc) = get_json(&app.http, &app.url(service, json_path), None).await;
        assert_eq!(status, 200, "{service}");
        assert_eq!(doc["openapi"], "3.1.0", "{service}");
        assert!(
            doc["paths"][documented].is_object(),
            "{service} documents {documented}"
        );
        let page = app
            .http
            .get(app.url(service, &format!("{ui}/")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{service}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("swagger-ui") && !html.contains("https://"),
            "{service}: the UI loads nothing remote"
        );
        let bundle = app
            .http
            .get(app.url(service, &format!("{ui}/swagger-ui-bundle.js")))
            .send()
            .await
            .unwrap();
        assert_eq!(bundle.status(), 200, "{service}: assets are served locally");
    }
    let yaml = app
        .http
        .get(app.url(ServiceName::Guard, "/api/docs/openapi.yaml"))
        .send()
        .await
        .unwrap();
    assert_eq!(yaml.status(), 200);
    let text = yaml.text().await.unwrap();
    assert!(text.starts_with("openapi: 3.1.0"), "{text:.80}");
    let login = &get_json(
        &app.http,
        &app.url(ServiceName::Guard, "/api/docs/openapi.json"),
        None,
    )
    .await
    .2["paths"]["/api/v1/auth/login"]["post"];
    assert!(
        login["responses"]["429"].is_object(),
        "documented errors: {login}"
    );
    let _: &Value = login;
    app.stop().await;
}
