//! The agent's side of the netwatch agent API: `POST /agents/auth`, `/agents/heartbeat`,
//! `GET /agents/config`, `/agents/version`, `POST /agents/detections`. A 401 re-authenticates
//! once; a 423 (licence expired or revoked) is reported as such.

use anyhow::{bail, Context};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub struct Client {
    http: reqwest::Client,
    base: String,
    license_key: String,
    agent_id: String,
    hostname: String,
    token: Option<String>,
}

/// Why a call failed: the server is unreachable (keep queueing), or it refused.
#[derive(Debug)]
pub enum CallError {
    Offline(String),
    Locked(String),
    Refused(u16, String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Offline(m) => write!(f, "server unreachable: {m}"),
            CallError::Locked(m) => write!(f, "licence locked: {m}"),
            CallError::Refused(s, m) => write!(f, "server refused ({s}): {m}"),
        }
    }
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Client {
    pub fn new(
        server: &str,
        license_key: &str,
        agent_id: &str,
        hostname: &str,
    ) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .context("building the HTTP client")?;
        let base = format!("{}/api/v1", server.trim_end_matches('/'));
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!(
                "--server must be an http:// or https:// origin, e.g. http://netwatch.example:8082"
            );
        }
        Ok(Client {
            http,
            base,
            license_key: license_key.into(),
            agent_id: agent_id.into(),
            hostname: hostname.into(),
            token: None,
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        bearer: bool,
    ) -> Result<(StatusCode, Value), CallError> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if bearer {
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req
            .send()
            .await
            .map_err(|e| CallError::Offline(e.to_string()))?;
        let status = res.status();
        let body = res.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    fn check(status: StatusCode, body: Value) -> Result<Value, CallError> {
        let detail = body["detail"].as_str().unwrap_or_default().to_string();
        match status.as_u16() {
            200..=299 => Ok(body),
            423 => Err(CallError::Locked(detail)),
            s if s >= 500 || s == 429 => Err(CallError::Offline(format!("{s} {detail}"))),
            s => Err(CallError::Refused(s, detail)),
        }
    }

    pub async fn authenticate(&mut self) -> Result<Value, CallError> {
        let body = json!({"license_key": self.license_key, "agent_id": self.agent_id, "hostname": self.hostname,
            "os_type": std::env::consts::OS, "agent_version": VERSION});
        let (status, answer) = self
            .send(reqwest::Method::POST, "/agents/auth", Some(&body), false)
            .await?;
        let answer = Self::check(status, answer)?;
        self.token = answer["access_token"].as_str().map(str::to_string);
        Ok(answer)
    }

    /// A call with the agent token; authenticates first if needed and once more on a 401.
    pub async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        if self.token.is_none() {
            self.authenticate().await?;
        }
        let (status, answer) = self.send(method.clone(), path, body, true).await?;
        if status == StatusCode::UNAUTHORIZED {
            self.authenticate().await?;
            let (status, answer) = self.send(method, path, body, true).await?;
            return Self::check(status, answer);
        }
        Self::check(status, answer)
    }
}
