//! BRUTE_FORCE. From the host's auth log (sshd lines of auth.log, journald or rsyslog text), a
//! CrowdSec `ssh-bf` leaky bucket per source: capacity 5, one event leaks every 10 s, overflow
//! fires. Without an auth log, the network fallback of ET 2001219 / 2001972: SYNs to :22 (5 in
//! 120 s) or :3389 (20 in 360 s) from one source.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use regex::Regex;
use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::config::EngineConfig;
use crate::packet::Protocol;
use crate::rules::Rule;

static FAILED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"sshd(?:\[\d+\])?: Failed (?:password|publickey|keyboard-interactive/pam|none) for (?:invalid user )?(\S*) from (\S+) port (\d+)")
        .expect("literal regex")
});

/// One failed authentication read from a log line.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthFailure {
    pub ts: f64,
    pub user: String,
    pub source: IpAddr,
    pub port: u16,
}

/// Reads a failed sshd authentication from `line`. The time is the line's own (RFC 3339, or
/// syslog's "Mmm dd HH:MM:SS" in the year of `read_at`), else `read_at`.
pub fn parse_line(line: &str, read_at: f64) -> Option<AuthFailure> {
    let caps = FAILED.captures(line)?;
    let source: IpAddr = caps[2].parse().ok()?;
    Some(AuthFailure {
        ts: line_time(line, read_at).unwrap_or(read_at),
        user: caps[1].to_string(),
        source,
        port: caps[3].parse().ok()?,
    })
}

fn line_time(line: &str, read_at: f64) -> Option<f64> {
    let first = line.split_whitespace().next()?;
    if let Ok(t) = DateTime::parse_from_rfc3339(first) {
        return Some(t.timestamp_micros() as f64 / 1e6);
    }
    let stamp = line.get(..15)?;
    let year = Utc.timestamp_opt(read_at as i64, 0).single()?.year();
    let naive =
        NaiveDateTime::parse_from_str(&format!("{year} {stamp}"), "%Y %b %e %H:%M:%S").ok()?;
    Some(naive.and_utc().timestamp() as f64)
}

struct Bucket {
    level: f64,
    last: f64,
    first: f64,
    failures: u32,
    users: Vec<String>,
    alerted_until: f64,
}

struct SynCount {
    times: VecDeque<f64>,
    alerted_until: f64,
}

pub struct BruteForceDetector {
    buckets: Bounded<IpAddr, Bucket>,
    syns: Bounded<(IpAddr, u16), SynCount>,
}

/// The bucket's blackhole: one alert per source per minute (CrowdSec's `blackhole: 1m`).
const BLACKHOLE: f64 = 60.0;

impl BruteForceDetector {
    pub fn new(max_sources: usize) -> BruteForceDetector {
        BruteForceDetector {
            buckets: bounded(max_sources),
            syns: bounded(max_sources),
        }
    }

    /// One failure into the source's bucket; a finding when it overflows.
    pub fn failure(&mut self, f: &AuthFailure, config: &EngineConfig) -> Option<Finding> {
        let capacity = config.threshold(Rule::BruteForce, "bucket_capacity");
        let leak = config.threshold(Rule::BruteForce, "leak_secs");
        let b = self.buckets.get_or_insert_mut(f.source, || Bucket {
            level: 0.0,
            last: f.ts,
            first: f.ts,
            failures: 0,
            users: Vec::new(),
            alerted_until: f64::MIN,
        });
        b.level = (b.level - (f.ts - b.last).max(0.0) / leak).max(0.0) + 1.0;
        if b.level <= 1.0 {
            b.first = f.ts;
            b.failures = 0;
        }
        b.last = f.ts;
        b.failures += 1;
        if b.users.len() < 16 && !b.users.contains(&f.user) {
            b.users.push(f.user.clone());
        }
        if b.level <= capacity || f.ts < b.alerted_until {
            return None;
        }
        b.alerted_until = f.ts + BLACKHOLE;
        Some(
            Finding::new(Rule::BruteForce, f.source, Protocol::Tcp, b.first, f.ts)
                .because(
                    format!(
                        "{} failed ssh logins from {} in {:.1} s (users: {})",
                        b.failures,
                        f.source,
                        f.ts - b.first,
                        b.users.join(", ")
                    ),
                    json!({
                        "method": "auth_log",
                        "service": "sshd",
                        "failures": b.failures,
                        "bucket_level": b.level,
                        "users": b.users,
                        "elapsed_secs": f.ts - b.first,
                    }),
                )
                .with_thresholds(config),
        )
    }

    /// The network fallback: a SYN from `source` to `dest`:`port` (22 or 3389).
    pub fn syn(
        &mut self,
        source: IpAddr,
        dest: IpAddr,
        port: u16,
        ts: f64,
        config: &EngineConfig,
    ) -> Option<Finding> {
        let (count, window) = match port {
            22 => ("ssh_syns", "ssh_window_secs"),
            3389 => ("rdp_syns", "rdp_window_secs"),
            _ => return None,
        };
        if config.auth_log && port == 22 {
            return None;
        }
        let needed = config.threshold(Rule::BruteForce, count) as usize;
        let window = config.threshold(Rule::BruteForce, window);
        let c = self.syns.get_or_insert_mut((source, port), || SynCount {
            times: VecDeque::new(),
            alerted_until: f64::MIN,
        });
        c.times.push_back(ts);
        while c.times.front().is_some_and(|&t| ts - t > window) {
            c.times.pop_front();
        }
        if c.times.len() < needed || ts < c.alerted_until {
            return None;
        }
        c.alerted_until = ts + window;
        let first = *c.times.front().expect("non-empty");
        Some(
            Finding::new(Rule::BruteForce, source, Protocol::Tcp, first, ts)
                .to(dest, Some(port))
                .because(
                    format!("{} connection attempts from {source} to port {port} in {:.1} s", c.times.len(), ts - first),
                    json!({"method": "syn_rate", "syns": c.times.len(), "elapsed_secs": ts - first}),
                )
                .with_thresholds(config),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sshd_failures_in_three_log_formats() {
        let rfc = "2026-12-02T01:02:03.250000+00:00 web sshd[812]: Failed password for root from 203.0.113.9 port 50122 ssh2";
        let f = parse_line(rfc, 0.0).unwrap();
        assert_eq!((f.user.as_str(), f.port), ("root", 50122));
        assert_eq!(f.ts, 1_796_173_323.25);
        let syslog = "Dec  2 01:02:03 web sshd[812]: Failed password for invalid user admin from 2001:db8::7 port 4 ssh2";
        let g = parse_line(syslog, 1_796_173_000.0).unwrap();
        assert_eq!((g.user.as_str(), g.ts), ("admin", 1_796_173_323.0));
        assert!(parse_line(
            "web sshd[1]: Accepted password for bob from 10.0.0.1 port 2 ssh2",
            0.0
        )
        .is_none());
    }

    #[test]
    fn the_bucket_overflows_at_the_sixth_fast_failure_and_never_on_slow_ones() {
        let config = EngineConfig::default();
        let mut d = BruteForceDetector::new(16);
        let source: IpAddr = "10.0.0.9".parse().unwrap();
        let fail = |ts| AuthFailure {
            ts,
            user: "u".into(),
            source,
            port: 1,
        };
        let fired: Vec<bool> = (0..8)
            .map(|i| d.failure(&fail(i as f64), &config).is_some())
            .collect();
        assert_eq!(
            fired,
            [false, false, false, false, false, true, false, false]
        );
        let mut slow = BruteForceDetector::new(16);
        assert!((0..50).all(|i| slow.failure(&fail(i as f64 * 11.0), &config).is_none()));
    }
}
