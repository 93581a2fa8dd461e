//! enclave helpers: an enclave-only server (optionally configured), signup, and the contract's
//! error envelope.

use std::sync::Arc;

use platform::ServiceName;
use serde_json::{json, Value};

use super::{spawn_with, AppOptions, TestApp, TestResponse};

/// Options that boot enclave alone, with `configure` applied to the configuration.
pub fn enclave_app(
    configure: impl Fn(&mut redoubt::config::Config) + Send + Sync + 'static,
) -> AppOptions {
    AppOptions {
        configure: Some(Arc::new(configure)),
        ..enclave_only()
    }
}

/// Options that boot enclave alone.
pub fn enclave_only() -> AppOptions {
    AppOptions::default().services(&[ServiceName::Enclave])
}

/// A server running enclave alone.
pub async fn spawn_enclave() -> TestApp {
    spawn_with(enclave_only()).await
}

/// `POST /v1/signup` with `body`, as it answers.
pub async fn signup_raw(app: &TestApp, body: Value) -> TestResponse {
    app.client(ServiceName::Enclave)
        .post("/v1/signup", body)
        .await
}

/// Signs up `email` and returns (customer id, API key).
pub async fn signup(app: &TestApp, email: &str, jurisdiction: Option<&str>) -> (String, String) {
    let mut body = json!({ "email": email });
    if let Some(j) = jurisdiction {
        body["jurisdiction"] = json!(j);
    }
    let reply = signup_raw(app, body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    (
        reply.body["customer_id"].as_str().unwrap().into(),
        reply.body["api_key"].as_str().unwrap().into(),
    )
}

/// `r` is enclave's error envelope for `expected` with the error code `code`.
pub fn assert_envelope(r: &TestResponse, expected: u16, code: &str) {
    let body = &r.body;
    assert_eq!(r.status, expected, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// Creates a session with every default and destroys it: the DELETE body (CDP, evidence).
pub async fn destroyed_session(app: &TestApp, key: &str) -> Value {
    let enclave = app.enclave(key);
    let created = enclave.post("/v1/sessions", json!({})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["session_id"].as_str().unwrap();
    let destroyed = enclave.delete(&format!("/v1/sessions/{id}")).await;
    assert_eq!(destroyed.status, 200, "{}", destroyed.body);
    destroyed.body
}
