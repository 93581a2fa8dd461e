//! What follows a recorded interaction: live events for `/ws` subscribers and webhook
//! deliveries for the tenant's subscriptions. Both happen after the data is committed; a
//! failure to queue a delivery is logged and does not undo the interaction.

use chrono::Utc;
use platform::events::Event;
use platform::{ServiceName, ServiceState};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::model::alert::{Alert, AlertRow};
use crate::model::interaction::Interaction;

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
    let mut deliveries = Vec::new();
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
            });
            deliveries.push((name, body.to_string()));
        }
    }
    let webhooks = platform.webhooks();
    webhooks
        .fan_out_all(tenant_id, ServiceName::Guard, deliveries)
        .await;
}
