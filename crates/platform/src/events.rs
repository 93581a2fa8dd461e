//! The in-process event bus: services publish tenant-scoped events (for live feeds such as
//! guard's `/ws`); subscribers filter by service and tenant. Events do not cross nodes.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::ServiceName;

/// How many events a slow subscriber may fall behind before it misses some.
const CAPACITY: usize = 1024;

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    #[serde(skip)]
    pub service: ServiceName,
    #[serde(skip)]
    pub tenant_id: Uuid,
    /// e.g. `interaction.created`.
    #[serde(rename = "type")]
    pub name: String,
    pub data: Value,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl EventBus {
    /// Sends `event` to every current subscriber (none is fine).
    pub fn publish(&self, event: Event) {
        let _ = self.sender.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_receive_what_is_published_after_they_joined() {
        let bus = EventBus::default();
        bus.publish(Event {
            service: ServiceName::Guard,
            tenant_id: Uuid::nil(),
            name: "before".into(),
            data: Value::Null,
            occurred_at: Utc::now(),
        });
        let mut rx = bus.subscribe();
        bus.publish(Event {
            service: ServiceName::Guard,
            tenant_id: Uuid::nil(),
            name: "after".into(),
            data: Value::Null,
            occurred_at: Utc::now(),
        });
        assert_eq!(rx.recv().await.unwrap().name, "after");
    }
}
