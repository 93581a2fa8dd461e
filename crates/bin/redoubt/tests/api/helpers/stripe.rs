//! A local fake of the Stripe API calls netwatch makes (customers, Checkout, Customer Portal,
//! subscription list): it records each request (method, path, authorization, form or query) and
//! answers like Stripe, or with Stripe's error shape while `failing` is set.

use std::sync::{Arc, Mutex};

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct StripeCall {
    pub method: String,
    pub path: String,
    pub authorization: String,
    /// Form body (POST) or query string (GET), decoded.
    pub fields: Vec<(String, String)>,
}

impl StripeCall {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
pub struct FakeStripeState {
    pub calls: Vec<StripeCall>,
    /// What `GET /v1/subscriptions` lists.
    pub subscriptions: Vec<Value>,
    pub failing: bool,
}

pub type FakeStripe = Arc<Mutex<FakeStripeState>>;

async fn handle(
    State(fake): State<FakeStripe>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: String,
) -> axum::response::Response {
    let raw = if method == Method::GET {
        uri.query().unwrap_or("").to_string()
    } else {
        body
    };
    let call = StripeCall {
        method: method.to_string(),
        path: uri.path().to_string(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        fields: form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect(),
    };
    let mut state = fake.lock().unwrap();
    state.calls.push(call.clone());
    if state.failing {
        let body = json!({"error": {"type": "api_error", "message": "Stripe is having a bad day"}});
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
    }
    let n = state.calls.len();
    let answer = match call.path.as_str() {
        "/v1/customers" => json!({"id": format!("cus_test_{n}"), "object": "customer"}),
        "/v1/checkout/sessions" => {
            json!({"id": format!("cs_test_{n}"), "object": "checkout.session",
            "url": format!("https://checkout.stripe.com/c/pay/cs_test_{n}")})
        }
        "/v1/billing_portal/sessions" => {
            json!({"id": format!("bps_test_{n}"), "object": "billing_portal.session",
            "url": format!("https://billing.stripe.com/p/session/test_{n}")})
        }
        "/v1/subscriptions" => {
            json!({"object": "list", "data": state.subscriptions, "has_more": false})
        }
        _ => {
            let body = json!({"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}});
            return (StatusCode::NOT_FOUND, Json(body)).into_response();
        }
    };
    Json(answer).into_response()
}

/// Starts the fake: its base URL and its state.
pub async fn fake_stripe() -> (String, FakeStripe) {
    let fake: FakeStripe = Arc::default();
    let app = Router::new()
        .route("/{*path}", any(handle))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), fake)
}
