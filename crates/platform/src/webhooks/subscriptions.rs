//! Webhook subscriptions of every service (table `webhook_subscriptions`, keyed by service):
//! checks, create / list / get / delete, and `fan_out`, which queues one signed delivery per
//! active subscription of the tenant that listens to the event. Secrets are sealed at rest.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::distributions::{Alphanumeric, DistString};
use uuid::Uuid;

use super::delivery::{enqueue_delivery, Delivery, SigningScheme};
use super::signature::new_signing_secret;
use crate::http::pagination::Page;
use crate::jobs::Jobs;
use crate::sealed;
use crate::store::{self, fetch_page, Db, Filter};
use crate::{on_db, ServiceName};

const MAX_HEADERS: usize = 20;
const RESERVED_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
    "connection",
];

/// A stored subscription. `auth_token` and `signing_secret` are sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: String,
    pub tenant_id: Uuid,
    pub service: String,
    pub url: String,
    pub events: String,
    pub description: String,
    pub active: bool,
    pub headers: String,
    pub auth_token: String,
    pub signing_secret: String,
    pub created_at: DateTime<Utc>,
}

impl SubscriptionRow {
    pub fn events(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }
    pub fn headers(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.headers).unwrap_or_default()
    }
    pub fn has_auth_token(&self) -> bool {
        !self.auth_token.is_empty()
    }
}

/// A subscription as its owner asks for it (the URL already checked by `check_target`).
pub struct NewSubscription {
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub active: bool,
    pub headers: BTreeMap<String, String>,
    pub auth_token: String,
}

/// The custom headers a subscription may add: at most 20, valid, none Redoubt sets itself.
pub fn check_headers(headers: &BTreeMap<String, String>) -> Result<(), String> {
    if headers.len() > MAX_HEADERS {
        return Err(format!("at most {MAX_HEADERS} custom headers"));
    }
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if http::HeaderName::from_bytes(name.as_bytes()).is_err()
            || http::HeaderValue::from_str(value).is_err()
        {
            return Err(format!("invalid header `{name}`"));
        }
        if RESERVED_HEADERS.contains(&lower.as_str()) || lower.starts_with("x-redoubt-") {
            return Err(format!(
                "header `{name}` is set by Redoubt and cannot be overridden"
            ));
        }
    }
    Ok(())
}

/// The events asked for, each one of `known`, at least one: sorted, without repeats.
pub fn check_events(events: &[String], known: &[&str]) -> Result<Vec<String>, String> {
    if events.is_empty() {
        return Err("events must list at least one event".into());
    }
    if let Some(bad) = events.iter().find(|e| !known.contains(&e.as_str())) {
        return Err(format!(
            "unknown event `{bad}` (events: {})",
            known.join(", ")
        ));
    }
    let mut events = events.to_vec();
    events.sort();
    events.dedup();
    Ok(events)
}

/// The subscriptions repository and fan-out, over the platform's database, jobs and key.
#[derive(Clone)]
pub struct Subscriptions {
    db: Db,
    jobs: Jobs,
    master_key: [u8; 32],
    max_attempts: i32,
}

macro_rules! columns {
    () => {
        "id, tenant_id, service, url, events, description, active, headers, auth_token, signing_secret, created_at"
    };
}

impl Subscriptions {
    pub fn new(db: Db, jobs: Jobs, master_key: [u8; 32], max_attempts: i32) -> Subscriptions {
        Subscriptions {
            db,
            jobs,
            master_key,
            max_attempts,
        }
    }

    /// Stores a subscription; returns it with its `whsec_` signing secret, in clear this once.
    pub async fn create(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
        new: NewSubscription,
    ) -> anyhow::Result<(SubscriptionRow, String)> {
        let secret = new_signing_secret();
        let key = &self.master_key;
        let id = Alphanumeric
            .sample_string(&mut rand::thread_rng(), 24)
            .to_ascii_lowercase();
        let row = SubscriptionRow {
            id: format!("whk_{id}"),
            tenant_id,
            service: service.as_str().into(),
            url: new.url,
            events: serde_json::to_string(&new.events)?,
            description: new.description,
            active: new.active,
            headers: serde_json::to_string(&new.headers)?,
            auth_token: if new.auth_token.is_empty() {
                String::new()
            } else {
                sealed::seal(key, &new.auth_token)
            },
            signing_secret: sealed::seal(key, &secret),
            created_at: store::now(),
        };
        let sql = "INSERT INTO webhook_subscriptions (id, tenant_id, service, url, events, description, active, headers, auth_token, signing_secret, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&row.id)
            .bind(row.tenant_id)
            .bind(&row.service)
            .bind(&row.url)
            .bind(&row.events)
            .bind(&row.description)
            .bind(row.active)
            .bind(&row.headers)
            .bind(&row.auth_token)
            .bind(&row.signing_secret)
            .bind(row.created_at)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(|e| anyhow::Error::new(e).context("storing a webhook subscription"))?;
        Ok((row, secret))
    }

    /// One page of the tenant's subscriptions to `service`, newest first, with the total.
    pub async fn page(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
        active: Option<bool>,
        page: Page,
    ) -> anyhow::Result<(Vec<SubscriptionRow>, u64)> {
        let filter = Filter::new()
            .eq("tenant_id", tenant_id)
            .eq("service", service.as_str())
            .eq_opt("active", active);
        let select = concat!("SELECT ", columns!(), " FROM webhook_subscriptions");
        let from = "FROM webhook_subscriptions";
        fetch_page(&self.db, select, from, &filter, "created_at DESC, id", page)
            .await
            .map_err(|e| anyhow::Error::new(e).context("listing webhook subscriptions"))
    }

    pub async fn get(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
        id: &str,
    ) -> anyhow::Result<Option<SubscriptionRow>> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2 AND service = $3"
        );
        let found = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .bind(service.as_str())
            .fetch_optional(p)
            .await);
        found.map_err(|e| anyhow::Error::new(e).context("reading a webhook subscription"))
    }

    /// Deletes one subscription; false when the tenant has none with that id for `service`.
    pub async fn delete(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
        id: &str,
    ) -> anyhow::Result<bool> {
        let sql =
            "DELETE FROM webhook_subscriptions WHERE id = $1 AND tenant_id = $2 AND service = $3";
        let deleted = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(tenant_id)
            .bind(service.as_str())
            .execute(p)
            .await
            .map(|r| r.rows_affected()));
        Ok(
            deleted
                .map_err(|e| anyhow::Error::new(e).context("deleting a webhook subscription"))?
                == 1,
        )
    }

    /// The tenant's active subscriptions to `service`, for delivery.
    async fn active(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
    ) -> anyhow::Result<Vec<SubscriptionRow>> {
        let sql = concat!(
            "SELECT ",
            columns!(),
            " FROM webhook_subscriptions WHERE tenant_id = $1 AND service = $2 AND active = TRUE"
        );
        let rows = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .bind(service.as_str())
            .fetch_all(p)
            .await);
        rows.map_err(|e| anyhow::Error::new(e).context("loading active webhook subscriptions"))
    }

    /// Queues one delivery of `body` per active subscription listening to `event`.
    pub async fn fan_out(&self, tenant_id: Uuid, service: ServiceName, event: &str, body: String) {
        self.fan_out_all(tenant_id, service, vec![(event, body)])
            .await
    }

    /// [`fan_out`](Self::fan_out) for several events at once, reading the subscriptions once.
    /// Runs after the data is committed: a failure is logged and undoes nothing.
    pub async fn fan_out_all(
        &self,
        tenant_id: Uuid,
        service: ServiceName,
        events: Vec<(&str, String)>,
    ) {
        let hooks = match self.active(tenant_id, service).await {
            Ok(hooks) => hooks,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "no webhook deliveries queued");
                return;
            }
        };
        for (event, body) in events {
            for hook in hooks
                .iter()
                .filter(|h| h.events().iter().any(|e| e == event))
            {
                let Some(secret) = sealed::open(&self.master_key, &hook.signing_secret) else {
                    tracing::error!(webhook = %hook.id, "signing secret cannot be opened; delivery skipped");
                    continue;
                };
                let delivery = Delivery {
                    webhook_id: hook.id.clone(),
                    url: hook.url.clone(),
                    event: event.into(),
                    body: body.clone(),
                    signing_secret: secret,
                    auth_token: sealed::open(&self.master_key, &hook.auth_token)
                        .unwrap_or_default(),
                    headers: hook.headers(),
                    scheme: SigningScheme::Redoubt,
                };
                let queued = enqueue_delivery(
                    &self.jobs,
                    &self.master_key,
                    tenant_id,
                    self.max_attempts,
                    delivery,
                )
                .await;
                if let Err(e) = queued {
                    tracing::error!(webhook = %hook.id, error = %e, "queueing a webhook delivery failed");
                }
            }
        }
    }
}
