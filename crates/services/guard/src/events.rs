//! What follows a recorded interaction: live events for `/ws` subscribers and webhook
//! deliveries for the tenant's subscriptions. Both happen after the data is committed; a
//! failure to queue a delivery is logged and does not undo the interaction.

use chrono::Utc;
use platform::events::Event;
use platform::webhooks::{enqueue_delivery, Delivery};
use platform::{ServiceName, ServiceState};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::alerts::{Alert, AlertRow};
use crate::interactions::Interaction;
use crate::webhooks;

/// The events one interaction gives rise to, with their payloads.
fn events_of(interaction: &Interaction, alert: Option<&AlertRow>) -> Vec<(&'static str, Value)> {
    let data = serde_json::to_value(interaction).expect("interactions serialise");
    let mut out = vec![("interaction.created", data.clone())];
    if matches!(interaction.action.as_str(), "block" | "coach") {
        out.push(("interaction.policy_violated", data));
    }
    if let Some(alert) = alert {
        let alert_data =
            serde_json::to_value(Alert::from(alert.clone())).expect("alerts serialise");
        if matches!(alert.severity.as_str(), "high" | "critical") {
            out.push(("alert.severity_high", alert_data.clone()));
        }
        out.push(("alert.created", alert_data));
    }
    out
}

/// Publishes live events and queues webhook deliveries for freshly stored interactions.
pub async fn interactions_recorded(
    state: &ServiceState,
    tenant_id: Uuid,
    stored: &[(Interaction, Option<AlertRow>)],
) {
    let platform = &state.platform;
    let hooks = match webhooks::active(platform.db(), tenant_id).await {
        Ok(hooks) => hooks,
        Err(e) => {
            tracing::error!(error = %e, "loading webhooks failed; no deliveries queued");
            Vec::new()
        }
    };
    let settings = &platform.settings().webhooks;
    for (interaction, alert) in stored {
        for (name, data) in events_of(interaction, alert.as_ref()) {
            let now = Utc::now();
            if matches!(name, "interaction.created" | "alert.created") {
                platform.events().publish(Event {
                    service: ServiceName::Guard,
                    tenant_id,
                    name: name.into(),
                    data: data.clone(),
                    occurred_at: now,
                });
            }
            let body = json!({
                "id": format!("evt_{}", Uuid::now_v7().simple()),
                "type": name,
                "created_at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "tenant_id": tenant_id,
                "data": data,
            })
            .to_string();
            for hook in hooks
                .iter()
                .filter(|h| h.events().iter().any(|e| e == name))
            {
                let Some(secret) =
                    platform::sealed::open(platform.master_key(), &hook.signing_secret)
                else {
                    tracing::error!(webhook = %hook.id, "signing secret cannot be opened; delivery skipped");
                    continue;
                };
                let auth_token = platform::sealed::open(platform.master_key(), &hook.auth_token)
                    .unwrap_or_default();
                let delivery = Delivery {
                    webhook_id: hook.id.clone(),
                    url: hook.url.clone(),
                    event: name.into(),
                    body: body.clone(),
                    signing_secret: secret,
                    auth_token,
                    headers: hook.headers(),
                };
                if let Err(e) = enqueue_delivery(
                    platform.jobs(),
                    platform.master_key(),
                    tenant_id,
                    settings.max_attempts,
                    delivery,
                )
                .await
                {
                    tracing::error!(webhook = %hook.id, error = %e, "queueing a webhook delivery failed");
                }
            }
        }
    }
}
