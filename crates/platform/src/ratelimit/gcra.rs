//! The generic cell rate algorithm, as a pure function of the stored "theoretical arrival time".
//!
//! A quota of `limit` requests per `period` emits one cell every `period / limit`; a burst of
//! `limit` is allowed. The only state per key is the TAT, in milliseconds.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
}

impl Quota {
    pub const fn new(limit: u32, period: Duration) -> Quota {
        assert!(
            limit > 0 && !period.is_zero(),
            "a quota needs a positive limit and period"
        );
        Quota { limit, period }
    }

    pub fn per_minute(limit: u32) -> Quota {
        Quota::new(limit, Duration::from_secs(60))
    }

    /// Milliseconds between two cells, at least 1.
    pub fn interval_ms(&self) -> u64 {
        (self.period.as_millis() as u64 / self.limit as u64).max(1)
    }
}

/// The answer for one request, with what the response headers report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    /// Requests still allowed right now after this one.
    pub remaining: u32,
    /// Milliseconds until the budget is full again.
    pub reset_after_ms: u64,
    /// When refused: milliseconds until one request would be allowed.
    pub retry_after_ms: u64,
}

/// Decides one request at `now_ms` given the key's stored TAT (None: never seen or expired).
/// Returns the decision and the TAT to store (unchanged when refused).
pub fn decide(tat_ms: Option<u64>, now_ms: u64, quota: Quota) -> (Decision, u64) {
    let interval = quota.interval_ms();
    let burst_span = interval * quota.limit as u64;
    let tat = tat_ms.unwrap_or(now_ms).max(now_ms);
    let new_tat = tat + interval;
    let allow_at = new_tat.saturating_sub(burst_span);
    if now_ms < allow_at {
        let decision = Decision {
            allowed: false,
            limit: quota.limit,
            remaining: 0,
            reset_after_ms: tat - now_ms,
            retry_after_ms: allow_at - now_ms,
        };
        return (decision, tat);
    }
    let used = (new_tat - now_ms).div_ceil(interval);
    let decision = Decision {
        allowed: true,
        limit: quota.limit,
        remaining: quota.limit.saturating_sub(used as u32),
        reset_after_ms: new_tat - now_ms,
        retry_after_ms: 0,
    };
    (decision, new_tat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(quota: Quota, times: &[u64]) -> Vec<Decision> {
        let mut tat = None;
        times
            .iter()
            .map(|&now| {
                let (d, t) = decide(tat, now, quota);
                tat = Some(t);
                d
            })
            .collect()
    }

    #[test]
    fn a_burst_of_limit_then_refusal_then_one_cell_later() {
        let q = Quota::per_minute(5);
        let ds = run(q, &[0, 0, 0, 0, 0, 0]);
        let remaining: Vec<u32> = ds.iter().map(|d| d.remaining).collect();
        assert_eq!(remaining, vec![4, 3, 2, 1, 0, 0]);
        assert!(ds[..5].iter().all(|d| d.allowed));
        assert!(!ds[5].allowed);
        assert_eq!(ds[5].retry_after_ms, 12_000);
        assert_eq!(ds[4].reset_after_ms, 60_000);
        // One interval later exactly one more request fits.
        let ds = run(q, &[0, 0, 0, 0, 0, 12_000, 12_000]);
        assert!(ds[5].allowed && !ds[6].allowed);
        // After the reset time the whole burst is back.
        let ds = run(
            q,
            &[
                0, 0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000,
            ],
        );
        assert!(ds[5..10].iter().all(|d| d.allowed) && !ds[10].allowed);
    }

    proptest! {
        /// Over any window of one period, no more than `limit` requests are ever allowed
        /// (beyond the initial burst allowance of `limit`).
        #[test]
        fn never_more_than_limit_plus_burst_per_period(
            limit in 1u32..20,
            period_s in 1u64..120,
            gaps in prop::collection::vec(0u64..5_000, 1..200),
        ) {
            let quota = Quota::new(limit, Duration::from_secs(period_s));
            let mut now = 0;
            let mut times = vec![];
            for g in gaps { now += g; times.push(now); }
            let ds = run(quota, &times);
            let period_ms = period_s * 1000;
            for (i, &start) in times.iter().enumerate() {
                let allowed = times[i..].iter().zip(&ds[i..])
                    .take_while(|(t, _)| **t < start + period_ms)
                    .filter(|(_, d)| d.allowed).count();
                prop_assert!(allowed as u32 <= limit * 2);
            }
        }

        /// A refused request's retry-after is honoured: retrying then is allowed.
        #[test]
        fn retry_after_is_honoured(limit in 1u32..20, period_s in 1u64..120, extra in 1usize..5) {
            let quota = Quota::new(limit, Duration::from_secs(period_s));
            let burst = vec![0u64; limit as usize + extra];
            let mut tat = None;
            let mut last = None;
            for &now in &burst { let (d, t) = decide(tat, now, quota); tat = Some(t); last = Some(d); }
            let refused = last.unwrap();
            prop_assert!(!refused.allowed);
            let (retry, _) = decide(tat, refused.retry_after_ms, quota);
            prop_assert!(retry.allowed);
        }

        /// Remaining counts down by one per allowed request within a burst.
        #[test]
        fn remaining_counts_down(limit in 1u32..50) {
            let ds = run(Quota::per_minute(limit), &vec![1_000; limit as usize]);
            for (i, d) in ds.iter().enumerate() {
                prop_assert!(d.allowed);
                prop_assert_eq!(d.remaining, limit - 1 - i as u32);
            }
        }
    }
}
