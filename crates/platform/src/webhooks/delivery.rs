//! Durable webhook delivery: one job per (webhook, event) on the `webhook.deliver` queue, signed
//! at send time, retried with the queue's exponential backoff until a 2xx or the attempts run out.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::signature::{sign, sign_body, sign_standard, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::ssrf::{is_public, PublicOnlyResolver};
use crate::jobs::{EnqueueOptions, Job, JobError, JobHandler, Jobs};
use crate::sealed;
use crate::settings::WebhookSettings;

pub const DELIVERY_QUEUE: &str = "webhook.deliver";

/// What to send where. Secrets are given in clear and sealed before they reach the queue.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub webhook_id: String,
    pub url: String,
    pub event: String,
    /// The exact bytes that are signed and sent.
    pub body: String,
    pub signing_secret: String,
    /// Sent as `Authorization: Bearer …` when not empty.
    pub auth_token: String,
    pub headers: BTreeMap<String, String>,
    pub scheme: SigningScheme,
}

/// How a delivery is signed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningScheme {
    /// `X-Redoubt-Signature: t=…,v1=…` over `timestamp.body` (subscriptions).
    #[default]
    Redoubt,
    /// A caller's own secret (vision's per-job webhooks): `X-Webhook-Signature` = hex
    /// HMAC-SHA256(secret, body), plus the Standard Webhooks `webhook-id`, `webhook-timestamp`
    /// and `webhook-signature`; no signature header at all when the secret is empty.
    BodyAndStandard,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    webhook_id: String,
    url: String,
    event: String,
    body: String,
    sealed_secret: String,
    sealed_token: Option<String>,
    headers: BTreeMap<String, String>,
    #[serde(default)]
    scheme: SigningScheme,
}

/// Queues one delivery; returns the job id (also sent as `X-Redoubt-Delivery`).
pub async fn enqueue_delivery(
    jobs: &Jobs,
    master_key: &[u8; 32],
    tenant_id: Uuid,
    max_attempts: i32,
    delivery: Delivery,
) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    enqueue_delivery_once(jobs, master_key, tenant_id, max_attempts, id, delivery).await?;
    Ok(id)
}

/// Queues one delivery under `id` unless one with that id exists (a retried step queues once).
pub async fn enqueue_delivery_once(
    jobs: &Jobs,
    master_key: &[u8; 32],
    tenant_id: Uuid,
    max_attempts: i32,
    id: Uuid,
    delivery: Delivery,
) -> anyhow::Result<bool> {
    let payload = Payload {
        sealed_secret: sealed::seal(master_key, &delivery.signing_secret),
        sealed_token: (!delivery.auth_token.is_empty())
            .then(|| sealed::seal(master_key, &delivery.auth_token)),
        webhook_id: delivery.webhook_id,
        url: delivery.url,
        event: delivery.event,
        body: delivery.body,
        headers: delivery.headers,
        scheme: delivery.scheme,
    };
    let opts = EnqueueOptions {
        tenant_id: Some(tenant_id),
        max_attempts,
        max_run_seconds: Some(60),
        ..EnqueueOptions::default()
    };
    jobs.enqueue_with_id(id, DELIVERY_QUEUE, &serde_json::to_value(payload)?, opts)
        .await
}

/// The job handler that performs deliveries.
pub struct DeliveryJob {
    client: reqwest::Client,
    master_key: [u8; 32],
    allow_private: bool,
}

impl DeliveryJob {
    pub fn new(master_key: [u8; 32], settings: &WebhookSettings) -> anyhow::Result<DeliveryJob> {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Redoubt-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !settings.allow_private_targets {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnlyResolver));
        }
        Ok(DeliveryJob {
            client: builder.build()?,
            master_key,
            allow_private: settings.allow_private_targets,
        })
    }
}

impl JobHandler for DeliveryJob {
    fn queue(&self) -> &'static str {
        DELIVERY_QUEUE
    }

    fn run(&self, job: Job) -> BoxFuture<'static, Result<Value, JobError>> {
        let (client, key, allow_private) =
            (self.client.clone(), self.master_key, self.allow_private);
        Box::pin(async move {
            let p: Payload = serde_json::from_str(&job.payload)
                .map_err(|e| JobError::Fatal(format!("bad payload: {e}")))?;
            let url = reqwest::Url::parse(&p.url).map_err(|e| JobError::Fatal(e.to_string()))?;
            let literal = url
                .host_str()
                .map(|h| h.trim_matches(|c| c == '[' || c == ']'));
            if let Some(ip) = literal.and_then(|h| h.parse::<IpAddr>().ok()) {
                if !allow_private && !is_public(ip) {
                    return Err(JobError::Fatal("target address is not public".into()));
                }
            }
            let secret = sealed::open(&key, &p.sealed_secret)
                .ok_or_else(|| JobError::Fatal("signing secret cannot be opened".into()))?;
            let timestamp = chrono::Utc::now().timestamp();
            let mut request = client.post(url);
            for (name, value) in &p.headers {
                request = request.header(name, value);
            }
            if let Some(token) = p
                .sealed_token
                .as_deref()
                .and_then(|t| sealed::open(&key, t))
            {
                request = request.bearer_auth(token);
            }
            let delivery_id = job.id.to_string();
            request = request
                .header("content-type", "application/json")
                .header("x-redoubt-event", &p.event)
                .header("x-redoubt-delivery", &delivery_id)
                .header("x-redoubt-webhook-id", &p.webhook_id);
            request = match p.scheme {
                SigningScheme::Redoubt => request
                    .header(TIMESTAMP_HEADER, timestamp.to_string())
                    .header(
                        SIGNATURE_HEADER,
                        sign(&secret, timestamp, p.body.as_bytes()),
                    ),
                SigningScheme::BodyAndStandard => {
                    request = request
                        .header("webhook-id", &delivery_id)
                        .header("webhook-timestamp", timestamp.to_string());
                    if secret.is_empty() {
                        request
                    } else {
                        let standard =
                            sign_standard(&secret, &delivery_id, timestamp, p.body.as_bytes());
                        request
                            .header("x-webhook-signature", sign_body(&secret, p.body.as_bytes()))
                            .header("webhook-signature", standard)
                    }
                }
            };
            let response = request
                .body(p.body)
                .send()
                .await
                .map_err(|e| JobError::Retry(format!("delivery failed: {e}")))?;
            let status = response.status();
            if status.is_success() {
                Ok(json!({ "status": status.as_u16(), "attempt": job.attempts }))
            } else {
                Err(JobError::Retry(format!(
                    "receiver answered HTTP {}",
                    status.as_u16()
                )))
            }
        })
    }
}
