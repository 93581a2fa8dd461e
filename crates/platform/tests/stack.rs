//! The hardening stack around a router, driven without a socket: a panicking handler and a
//! handler that outlives the timeout both come out in the service's envelope.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use platform::http::stack::harden;
use platform::http::{ApiError, ErrorEnvelope};
use platform::secrets::ServerSecrets;
use platform::settings::PlatformSettings;
use platform::store::Db;
use platform::{Platform, ServiceName, ServiceState};
use tower::ServiceExt;

struct TestEnvelope;

impl ErrorEnvelope for TestEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        serde_json::json!({ "code": err.code, "msg": err.message })
    }
}

async fn app(dir: &std::path::Path) -> Router {
    let db = Db::connect(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap();
    db.migrate(&[&platform::store::PLATFORM], &[&platform::store::PLATFORM])
        .await
        .unwrap();
    let secrets = ServerSecrets::load_or_create(&dir.join("data"), None, None).unwrap();
    let mut settings = PlatformSettings::default();
    settings.http.request_timeout_secs = 1;
    let platform = Platform::new(db, secrets, settings).await.unwrap();
    let state = ServiceState {
        platform,
        service: ServiceName::Vision,
    };
    let routes = Router::new()
        .route(
            "/panic",
            get(|| async { panic!("boom: secret detail") as &'static str }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route("/ok", get(|| async { "fine" }));
    harden(routes, &state, Arc::new(TestEnvelope))
}

async fn call(app: &Router, path: &str) -> (StatusCode, serde_json::Value, axum::http::HeaderMap) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        headers,
    )
}

#[tokio::test]
async fn a_panic_is_a_500_in_the_envelope_without_its_details() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(tmp.path()).await;
    let (status, body, headers) = call(&app, "/panic").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        serde_json::json!({ "code": "InternalError", "msg": "Internal server error" })
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (status, _, _) = call(&app, "/ok").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the server keeps serving after a panic"
    );
}

#[tokio::test]
async fn a_request_past_the_timeout_is_a_408_in_the_envelope() {
    let tmp = tempfile::tempdir().unwrap();
    let app = app(tmp.path()).await;
    let (status, body, _) = call(&app, "/slow").await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(
        body,
        serde_json::json!({ "code": "RequestTimeout", "msg": "Request timed out" })
    );
}
