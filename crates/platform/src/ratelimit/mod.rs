//! Rate limiting: GCRA quotas keyed by IP, tenant, API key or agent, held in memory or in Redis.
//!
//! Both stores run the same algorithm ([`gcra`]), so a limit means the same thing on one node
//! or on several sharing Redis.

pub mod gcra;
mod layer;
mod memory;
mod redis_store;

use std::time::Duration;

pub use gcra::{Decision, Quota};
pub use layer::{backfill_headers, limited, rejection, Backfill, KeyBy, RateLimitLayer, RateRule};
pub use memory::MemoryStore;
pub use redis_store::RedisStore;

/// Where quota state lives.
#[derive(Clone)]
pub enum RateLimiter {
    Memory(MemoryStore),
    Redis(RedisStore),
}

impl RateLimiter {
    /// Redis when a URL is configured, else in-process memory.
    pub async fn from_settings(
        settings: &crate::settings::RateLimitSettings,
    ) -> anyhow::Result<RateLimiter> {
        Ok(match settings.redis_url.as_deref() {
            Some(url) => RateLimiter::Redis(RedisStore::connect(url, &settings.namespace).await?),
            None => RateLimiter::Memory(MemoryStore::default()),
        })
    }

    /// Takes one request from `key`'s budget under `quota`.
    pub async fn check(&self, key: &str, quota: Quota) -> anyhow::Result<Decision> {
        match self {
            RateLimiter::Memory(store) => Ok(store.check(key, quota)),
            RateLimiter::Redis(store) => store.check(key, quota).await,
        }
    }

    /// Drops memory-held keys whose budget is full again (Redis expires its own).
    pub fn prune(&self) {
        if let RateLimiter::Memory(store) = self {
            store.prune();
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            RateLimiter::Memory(_) => "memory",
            RateLimiter::Redis(_) => "redis",
        }
    }
}

/// How often the memory store is pruned.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);
