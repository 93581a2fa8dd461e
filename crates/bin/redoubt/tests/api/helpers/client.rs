//! Request helpers in the style of zero2prod's `TestApp` methods: `app.guard(&token)` (or
//! `app.client(service)` without credentials) gives a client whose `get` / `post` / `put` /
//! `delete` / `send` return a `TestResponse`.

use platform::ServiceName;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

use super::TestApp;

/// What came back: the status, the headers and the JSON body (`Null` when empty or not JSON);
/// `text` is the body as sent (metrics, YAML, HTML).
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body's bytes (PDFs, ZIPs).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// The header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Requests to one service of `app`, with an optional bearer credential and further headers.
pub struct ServiceClient<'a> {
    app: &'a TestApp,
    service: ServiceName,
    bearer: Option<String>,
    headers: Vec<(String, String)>,
}

impl TestApp {
    /// A client of `service` that sends no credentials.
    pub fn client(&self, service: ServiceName) -> ServiceClient<'_> {
        ServiceClient {
            app: self,
            service,
            bearer: None,
            headers: Vec::new(),
        }
    }

    /// guard, as the holder of `token`.
    pub fn guard(&self, token: &str) -> ServiceClient<'_> {
        self.client(ServiceName::Guard).bearer(token)
    }

    /// enclave, as the holder of the API key `key`.
    pub fn enclave(&self, key: &str) -> ServiceClient<'_> {
        self.client(ServiceName::Enclave).bearer(key)
    }
}

impl ServiceClient<'_> {
    pub fn bearer(mut self, credential: &str) -> Self {
        self.bearer = Some(credential.to_string());
        self
    }

    /// Sends `name: value` with every request (`x-api-key`, `x-request-id`, …).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(Method::DELETE, path, None).await
    }

    /// Any method, with an optional JSON body.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> TestResponse {
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        self.send_raw(method, path, body).await
    }

    /// Any method with the body bytes as given, under `content_type`.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> TestResponse {
        let mut request = self
            .app
            .http
            .request(method, self.app.url(self.service, path));
        if let Some(credential) = &self.bearer {
            request = request.bearer_auth(credential);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a readable body").to_vec();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        TestResponse {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            bytes,
        }
    }
}
