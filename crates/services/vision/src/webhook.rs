//! Per-job webhooks: the URL checked against the SSRF guard at submit, the secret sealed at
//! rest, and one signed delivery queued when the job reaches a terminal state (through the
//! platform's durable delivery, which checks the target again when it sends).

use platform::webhooks::{check_target, enqueue_delivery_once, Delivery, SigningScheme};
use platform::Platform;
use sha2::{Digest, Sha256};

use crate::model::JobRow;

/// Checks a submitted webhook URL; the error message is for the client.
pub async fn check_url(platform: &Platform, url: &str) -> Result<(), String> {
    if url.len() > 2048 {
        return Err("webhook.url is longer than 2048 characters".into());
    }
    let allow_private = platform.settings().webhooks.allow_private_targets;
    check_target(url, allow_private)
        .await
        .map(|_| ())
        .map_err(|e| format!("webhook.url is not accepted: {e}"))
}

pub fn seal_secret(platform: &Platform, secret: &str) -> String {
    platform::sealed::seal(platform.master_key(), secret)
}

/// Queues the terminal-state webhook of `row`, if it has one; at most once per job.
pub async fn queue_terminal(
    platform: &Platform,
    row: &JobRow,
    document: serde_json::Value,
) -> anyhow::Result<()> {
    let Some(url) = &row.webhook_url else {
        return Ok(());
    };
    let secret = row
        .webhook_secret
        .as_deref()
        .and_then(|s| platform::sealed::open(platform.master_key(), s))
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{}:{}:webhook", row.id, row.queue_job_id));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    let delivery = Delivery {
        webhook_id: row.id.clone(),
        url: url.clone(),
        event: format!("job.{}", row.status),
        body: document.to_string(),
        signing_secret: secret,
        auth_token: String::new(),
        headers: Default::default(),
        scheme: SigningScheme::BodyAndStandard,
    };
    let attempts = platform.settings().webhooks.max_attempts;
    enqueue_delivery_once(
        platform.jobs(),
        platform.master_key(),
        row.tenant_id,
        attempts,
        id,
        delivery,
    )
    .await?;
    Ok(())
}
