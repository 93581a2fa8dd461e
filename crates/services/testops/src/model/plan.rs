//! Plans and their limits, as the vendor's docs table gives them (free, starter, team, business,
//! enterprise). "Unlimited" is written 999999, as the vendor's source does, so clients that do
//! arithmetic on limits keep working.

use serde::Serialize;
use utoipa::ToSchema;

/// What the vendor writes for "no limit".
pub const UNLIMITED: i64 = 999_999;

const MB: i64 = 1024 * 1024;
const GB: i64 = 1024 * MB;

platform::vocabulary!(
    pub enum Plan {
        Free = "free",
        Starter = "starter",
        Team = "team",
        Business = "business",
        Enterprise = "enterprise",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub max_projects: i64,
    /// Test runs per calendar month (UTC).
    pub max_test_runs: i64,
    pub max_users: i64,
    pub max_concurrent_runs: i64,
    pub max_storage_bytes: i64,
}

impl Plan {
    pub fn limits(self) -> Limits {
        let (projects, runs, users, concurrent, storage) = match self {
            Plan::Free => (1, 50, 3, 1, 500 * MB),
            Plan::Starter => (3, 250, 5, 2, 2 * GB),
            Plan::Team => (UNLIMITED, 1000, 20, 5, 10 * GB),
            Plan::Business => (UNLIMITED, 2500, 100, 15, 50 * GB),
            Plan::Enterprise => (UNLIMITED, UNLIMITED, UNLIMITED, 20, 100 * GB),
        };
        Limits {
            max_projects: projects,
            max_test_runs: runs,
            max_users: users,
            max_concurrent_runs: concurrent,
            max_storage_bytes: storage,
        }
    }
}

/// `used` of `limit` as a whole percentage, capped at 100.
pub fn percent_used(used: i64, limit: i64) -> i64 {
    if limit <= 0 {
        return 100;
    }
    ((used * 100) / limit).clamp(0, 100)
}

/// The docs' usage alert band for a percentage: info 50–79, warning 80–99, critical 100.
pub fn alert_band(percent: i64) -> Option<&'static str> {
    match percent {
        100.. => Some("critical"),
        80..=99 => Some("warning"),
        50..=79 => Some("info"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_plan_matches_the_docs_example() {
        let free = Plan::Free.limits();
        assert_eq!(
            (
                free.max_projects,
                free.max_test_runs,
                free.max_users,
                free.max_concurrent_runs,
                free.max_storage_bytes
            ),
            (1, 50, 3, 1, 524_288_000)
        );
    }

    #[test]
    fn bands_follow_the_docs() {
        assert_eq!(alert_band(49), None);
        assert_eq!(alert_band(50), Some("info"));
        assert_eq!(alert_band(80), Some("warning"));
        assert_eq!(alert_band(percent_used(60, 50)), Some("critical"));
        assert_eq!(percent_used(1, UNLIMITED), 0);
    }
}
