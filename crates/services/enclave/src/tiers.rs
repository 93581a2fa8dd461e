//! The contract's tiers and what each allows (contracts/enclave.md §2).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Free,
    Starter,
    Business,
    Enterprise,
}

/// What a tier allows. `None` = no limit (enterprise: set per contract, unlimited here).
#[derive(Debug, Clone, Copy)]
pub struct TierLimits {
    pub requests_per_minute: u32,
    pub concurrent_sessions: Option<u32>,
    pub max_ttl: Option<Duration>,
    pub memory_bytes: u64,
    /// CDPs per billing month; only the free tier has a cap.
    pub monthly_cdps: Option<u32>,
}

const MIB: u64 = 1 << 20;

impl Tier {
    pub fn parse(text: &str) -> Option<Tier> {
        match text {
            "free" => Some(Tier::Free),
            "starter" => Some(Tier::Starter),
            "business" => Some(Tier::Business),
            "enterprise" => Some(Tier::Enterprise),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Starter => "starter",
            Tier::Business => "business",
            Tier::Enterprise => "enterprise",
        }
    }

    /// `free_cdps` is the configured free-tier monthly cap (100 by the contract).
    pub fn limits(self, free_cdps: u32) -> TierLimits {
        let minutes = |m: u64| Some(Duration::from_secs(60 * m));
        match self {
            Tier::Free => TierLimits {
                requests_per_minute: 60,
                concurrent_sessions: Some(3),
                max_ttl: minutes(5),
                memory_bytes: 256 * MIB,
                monthly_cdps: Some(free_cdps),
            },
            Tier::Starter => TierLimits {
                requests_per_minute: 120,
                concurrent_sessions: Some(20),
                max_ttl: minutes(10),
                memory_bytes: 1024 * MIB,
                monthly_cdps: None,
            },
            Tier::Business => TierLimits {
                requests_per_minute: 300,
                concurrent_sessions: Some(100),
                max_ttl: minutes(30),
                memory_bytes: 4096 * MIB,
                monthly_cdps: None,
            },
            // "Custom" in the contract; unlimited sessions and TTL here, business-sized
            // sandboxes, a generous rate until an operator sets one.
            Tier::Enterprise => TierLimits {
                requests_per_minute: 1200,
                concurrent_sessions: None,
                max_ttl: None,
                memory_bytes: 4096 * MIB,
                monthly_cdps: None,
            },
        }
    }
}

/// An enterprise session with no TTL still gets one, so it cannot live forever unnoticed.
pub const ENTERPRISE_DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);

/// The sandbox limits of a tier's sessions.
pub fn sandbox_limits(limits: &TierLimits) -> sandbox::Limits {
    sandbox::Limits::for_memory(limits.memory_bytes)
}
