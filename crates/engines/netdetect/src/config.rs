//! What the engine is told from outside: rule overrides (enabled, thresholds), the IP whitelist,
//! the internal networks, the AI endpoint list, and the learning period. The agent fills it from
//! `/agents/config`; every field has the documented default.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::rules::Rule;

/// One rule's override: off, or some of its thresholds replaced (names as in [`Rule::thresholds`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOverride {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub thresholds: BTreeMap<String, f64>,
}

fn yes() -> bool {
    true
}

impl Default for RuleOverride {
    /// Enabled with the default thresholds, as an override sent as `{}` reads.
    fn default() -> Self {
        RuleOverride {
            enabled: true,
            thresholds: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    #[serde(default)]
    pub rules: BTreeMap<Rule, RuleOverride>,
    /// Addresses and networks never reported as a source or destination.
    #[serde(default)]
    pub whitelist: Vec<IpNet>,
    /// What counts as "ours" (lateral movement, exfiltration, new devices).
    #[serde(default = "private_networks")]
    pub internal_networks: Vec<IpNet>,
    /// Seconds after start during which devices and admin pairs are learnt, not reported.
    #[serde(default = "one_day")]
    pub learning_secs: f64,
    /// Host names (and their subdomains) of AI services, for SHADOW_AI.
    #[serde(default = "crate::detect::shadow_ai::default_ai_domains")]
    pub ai_domains: Vec<String>,
    /// AI services the organisation allows: not reported.
    #[serde(default)]
    pub allowed_ai_domains: Vec<String>,
    /// Hosts allowed to send Modbus writes.
    #[serde(default)]
    pub ot_writers: Vec<IpNet>,
    /// True when the host's auth log is read: brute force then comes from the log, and the
    /// network SYN-rate fallback is off.
    #[serde(default)]
    pub auth_log: bool,
    /// Flows kept at most (least recently used evicted first).
    #[serde(default = "max_flows")]
    pub max_flows: usize,
    /// Sources with state kept at most.
    #[serde(default = "max_sources")]
    pub max_sources: usize,
}

fn private_networks() -> Vec<IpNet> {
    [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
    ]
    .iter()
    .map(|n| n.parse().expect("literal network"))
    .collect()
}

fn one_day() -> f64 {
    86_400.0
}

fn max_flows() -> usize {
    65_536
}

fn max_sources() -> usize {
    16_384
}

impl Default for EngineConfig {
    fn default() -> Self {
        serde_json::from_str("{}").expect("every field has a default")
    }
}

impl EngineConfig {
    pub fn enabled(&self, rule: Rule) -> bool {
        self.rules.get(&rule).is_none_or(|o| o.enabled)
    }

    /// The threshold `name` of `rule`: the override if set, else the rule's default.
    pub fn threshold(&self, rule: Rule, name: &str) -> f64 {
        self.rules
            .get(&rule)
            .and_then(|o| o.thresholds.get(name).copied())
            .unwrap_or_else(|| rule.default_threshold(name))
    }

    pub fn whitelisted(&self, ip: IpAddr) -> bool {
        self.whitelist.iter().any(|net| net.contains(&ip))
    }

    pub fn internal(&self, ip: IpAddr) -> bool {
        self.internal_networks.iter().any(|net| net.contains(&ip))
    }

    /// Refuses thresholds a rule does not have and values that are not finite and positive.
    pub fn validate(&self) -> Result<(), String> {
        for (rule, o) in &self.rules {
            for (name, value) in &o.thresholds {
                if !rule.thresholds().iter().any(|(n, _)| n == name) {
                    return Err(format!("{} has no threshold `{name}`", rule.as_str()));
                }
                if !value.is_finite() || *value <= 0.0 {
                    return Err(format!(
                        "{}.{name} must be a positive number",
                        rule.as_str()
                    ));
                }
            }
        }
        Ok(())
    }
}
