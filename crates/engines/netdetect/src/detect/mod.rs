//! The detectors, one module per rule family. Each keeps its own bounded state and returns
//! [`Finding`]s; the engine scores and explains them.

pub mod auth;
pub mod beacon;
pub mod dns;
pub mod hosts;
pub mod payload;
pub mod scan;
pub mod shadow_ai;
pub mod volume;

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use crate::config::EngineConfig;
use crate::packet::Protocol;
use crate::rules::Rule;

/// A rule fired: who, against what, when, why (the evidence), and the thresholds it crossed.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: Rule,
    pub source: IpAddr,
    pub dest: Option<IpAddr>,
    pub port: Option<u16>,
    pub protocol: Protocol,
    pub first_seen: f64,
    pub ts: f64,
    pub summary: String,
    pub evidence: Value,
    pub thresholds: BTreeMap<String, f64>,
}

impl Finding {
    pub fn new(
        rule: Rule,
        source: IpAddr,
        protocol: Protocol,
        first_seen: f64,
        ts: f64,
    ) -> Finding {
        Finding {
            rule,
            source,
            dest: None,
            port: None,
            protocol,
            first_seen,
            ts,
            summary: String::new(),
            evidence: Value::Null,
            thresholds: BTreeMap::new(),
        }
    }

    pub fn to(mut self, dest: IpAddr, port: Option<u16>) -> Finding {
        self.dest = Some(dest);
        self.port = port;
        self
    }

    pub fn because(mut self, summary: String, evidence: Value) -> Finding {
        self.summary = summary;
        self.evidence = evidence;
        self
    }

    /// Records the thresholds of `rule` in force (after overrides).
    pub fn with_thresholds(mut self, config: &EngineConfig) -> Finding {
        for (name, _) in self.rule.thresholds() {
            self.thresholds
                .insert((*name).to_string(), config.threshold(self.rule, name));
        }
        self
    }
}

/// A bounded map of per-key state, least recently used evicted first.
pub type Bounded<K, V> = lru::LruCache<K, V>;

pub fn bounded<K: std::hash::Hash + Eq, V>(capacity: usize) -> Bounded<K, V> {
    lru::LruCache::new(std::num::NonZeroUsize::new(capacity.max(1)).expect("nonzero"))
}
