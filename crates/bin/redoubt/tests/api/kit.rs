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

async fn spawn_services(services: &[ServiceName]) -> TestApp {
    spawn_with(AppOptions::default().services(services)).await
}

#[tokio::test]
async fn every_service_answers_health_in_its_documented_shape() {
    let app = spawn_app().await;
    for (service, path) in HEALTH {
        let r = app.client(service).get(path).await;
        let body = r.body;
        assert_eq!(r.status, 200, "{service}");
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
                (Some("ok"), Some(true)),
                "{service}"
            ),
        }
    }
    let r = app.client(ServiceName::Guard).get("/api/v1/readyz").await;
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("ready")));
    app.stop().await;
}

#[tokio::test]
async fn readiness_and_health_report_a_lost_database() {
    let app = spawn_services(&[ServiceName::Guard, ServiceName::Enclave]).await;
    app.platform.db().close().await;
    let guard = app.client(ServiceName::Guard);
    let r = guard.get("/api/v1/readyz").await;
    assert_eq!(
        (r.status, r.body),
        (503, serde_json::json!({ "error": "database unavailable" }))
    );
    let r = app.client(ServiceName::Enclave).get("/v1/health").await;
    assert_eq!(
        (
            r.status,
            r.body["status"].as_str(),
            r.body["database"].as_bool()
        ),
        (503, Some("degraded"), Some(false))
    );
    let r = guard.get("/api/v1/healthz").await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("ok")),
        "liveness does not depend on the database"
    );
    app.stop().await;
}

#[tokio::test]
async fn security_headers_and_request_ids_on_success_and_error() {
    let app = spawn_services(&[
        ServiceName::Guard,
        ServiceName::Enclave,
        ServiceName::Vision,
        ServiceName::Testops,
    ])
    .await;
    for (service, path) in [
        (ServiceName::Guard, "/api/v1/healthz"),
        (ServiceName::Testops, "/nope"),
        (ServiceName::Enclave, "/v1/health"),
    ] {
        let r = app.client(service).get(path).await;
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
        ] {
            assert_eq!(r.header(name), value, "{service} {path}: {name}");
        }
        assert!(
            !r.headers.contains_key("strict-transport-security"),
            "HSTS only when configured"
        );
        assert!(
            uuid::Uuid::parse_str(r.header("x-request-id")).is_ok(),
            "a request id is generated"
        );
    }
    let r = app
        .client(ServiceName::Vision)
        .header("x-request-id", "trace-abc-123")
        .get("/v1/health")
        .await;
    assert_eq!(
        r.header("x-request-id"),
        "trace-abc-123",
        "a caller's request id is echoed"
    );
    app.stop().await;

    let app = spawn_with(AppOptions {
        hsts: true,
        ..AppOptions::default().services(&[ServiceName::Testops])
    })
    .await;
    let r = app.client(ServiceName::Testops).get("/health").await;
    assert_eq!(
        r.header("strict-transport-security"),
        "max-age=31536000; includeSubDomains"
    );
    app.stop().await;
}

#[tokio::test]
async fn metrics_are_prometheus_text_with_routes_and_statuses() {
    let app = spawn_services(&[
        ServiceName::Guard,
        ServiceName::Enclave,
        ServiceName::Vision,
        ServiceName::Testops,
    ])
    .await;
    let guard = app.client(ServiceName::Guard);
    guard.get("/api/v1/healthz").await;
    guard.get("/missing").await;
    for (service, path) in [
        (ServiceName::Guard, "/api/v1/metrics"),
        (ServiceName::Enclave, "/metrics"),
        (ServiceName::Testops, "/metrics"),
    ] {
        let r = app.client(service).get(path).await;
        assert_eq!(r.status, 200, "{service}");
        assert!(
            r.header("content-type").starts_with("text/plain"),
            "{service}"
        );
        let text = &r.text;
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
        let client = app.client(service);
        let doc = client.get(json_path).await;
        assert_eq!(doc.status, 200, "{service}");
        assert_eq!(doc.body["openapi"], "3.1.0", "{service}");
        assert!(
            doc.body["paths"][documented].is_object(),
            "{service} documents {documented}"
        );
        assert_machine_true(service, &doc.body);
        let page = client.get(&format!("{ui}/")).await;
        assert_eq!(page.status, 200, "{service}");
        assert!(
            page.text.contains("swagger-ui") && !page.text.contains("https://"),
            "{service}: the UI loads nothing remote"
        );
        let bundle = client.get(&format!("{ui}/swagger-ui-bundle.js")).await;
        assert_eq!(bundle.status, 200, "{service}: assets are served locally");
    }
    let guard = app.client(ServiceName::Guard);
    let yaml = guard.get("/api/docs/openapi.yaml").await;
    assert_eq!(yaml.status, 200);
    assert!(yaml.text.starts_with("openapi: 3.1.0"), "{:.80}", yaml.text);
    let doc = guard.get("/api/docs/openapi.json").await.body;
    let login: &Value = &doc["paths"]["/api/v1/auth/login"]["post"];
    assert!(
        login["responses"]["429"].is_object(),
        "documented errors: {login}"
    );
    app.stop().await;
}

/// Every schema a document refers to is in it, it declares how to authenticate, and every
/// operation with a JSON body or a path parameter lists the platform's own statuses for them.
fn assert_machine_true(service: ServiceName, doc: &Value) {
    let text = doc.to_string();
    let schemas = &doc["components"]["schemas"];
    for (at, _) in text.match_indices("#/components/schemas/") {
        let name: String = text[at + 21..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(
            schemas[&name].is_object(),
            "{service}: $ref to a missing schema {name}"
        );
    }
    assert!(
        doc["components"]["securitySchemes"]
            .as_object()
            .is_some_and(|s| !s.is_empty()),
        "{service}: no security scheme"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = &op["responses"];
            if op["requestBody"].is_object() {
                for status in ["400", "413", "415"] {
                    assert!(
                        responses[status].is_object(),
                        "{service} {method} {path}: no {status}"
                    );
                }
            }
            let path_params = op["parameters"].as_array().into_iter().flatten();
            if path_params.clone().any(|p| p["in"] == "path") {
                assert!(
                    responses["400"].is_object(),
                    "{service} {method} {path}: no 400"
                );
            }
        }
    }
}
