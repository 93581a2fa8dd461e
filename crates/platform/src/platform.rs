//! `Platform`: the shared handles (database, keys, limiter, jobs, repositories) one process
//! holds, cheap to clone into every service.

use std::sync::Arc;
use std::time::Instant;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::audit::AuditLog;
use crate::events::EventBus;
use crate::identity::{Accounts, ApiKeys, JwtKeys};
use crate::jobs::Jobs;
use crate::ratelimit::RateLimiter;
use crate::secrets::ServerSecrets;
use crate::settings::PlatformSettings;
use crate::store::Db;
use crate::webhooks::Subscriptions;

#[derive(Clone)]
pub struct Platform(Arc<Inner>);

struct Inner {
    db: Db,
    settings: PlatformSettings,
    secrets: ServerSecrets,
    jwt: JwtKeys,
    limiter: RateLimiter,
    jobs: Jobs,
    accounts: Accounts,
    api_keys: ApiKeys,
    audit: AuditLog,
    events: EventBus,
    webhooks: Subscriptions,
    metrics: PrometheusHandle,
    started: Instant,
    shutdown: tokio_util::sync::CancellationToken,
}

impl Platform {
    /// Assembles the platform over an opened, migrated database.
    pub async fn new(
        db: Db,
        secrets: ServerSecrets,
        settings: PlatformSettings,
    ) -> anyhow::Result<Platform> {
        let limiter = RateLimiter::from_settings(&settings.rate_limit).await?;
        let jobs = Jobs::new(db.clone());
        let webhooks = Subscriptions::new(
            db.clone(),
            jobs.clone(),
            secrets.master_key,
            settings.webhooks.max_attempts,
        );
        Ok(Platform(Arc::new(Inner {
            jwt: JwtKeys::new(&secrets.jwt_secret, settings.auth.jwt_ttl_secs),
            jobs,
            webhooks,
            accounts: Accounts::new(db.clone()),
            api_keys: ApiKeys::new(db.clone()),
            audit: AuditLog::new(db.clone()),
            events: EventBus::default(),
            metrics: crate::http::metrics::recorder(),
            started: Instant::now(),
            shutdown: tokio_util::sync::CancellationToken::new(),
            limiter,
            secrets,
            settings,
            db,
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }
    /// Cancelled when the server stops: background work of services (their workers) ends then.
    pub fn shutdown(&self) -> &tokio_util::sync::CancellationToken {
        &self.0.shutdown
    }
    pub fn settings(&self) -> &PlatformSettings {
        &self.0.settings
    }
    pub fn jwt(&self) -> &JwtKeys {
        &self.0.jwt
    }
    /// The 32-byte key that seals secrets stored at rest.
    pub fn master_key(&self) -> &[u8; 32] {
        &self.0.secrets.master_key
    }
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.0.limiter
    }
    pub fn jobs(&self) -> &Jobs {
        &self.0.jobs
    }
    pub fn accounts(&self) -> &Accounts {
        &self.0.accounts
    }
    pub fn api_keys(&self) -> &ApiKeys {
        &self.0.api_keys
    }
    pub fn audit(&self) -> &AuditLog {
        &self.0.audit
    }
    /// Every service's webhook subscriptions, and the fan-out of events to them.
    pub fn webhooks(&self) -> &Subscriptions {
        &self.0.webhooks
    }
    pub fn events(&self) -> &EventBus {
        &self.0.events
    }
    pub fn metrics(&self) -> &PrometheusHandle {
        &self.0.metrics
    }
    pub fn uptime_secs(&self) -> u64 {
        self.0.started.elapsed().as_secs()
    }
}
