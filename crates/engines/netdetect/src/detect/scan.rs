//! PORT_SCAN: Threshold Random Walk over first-contact outcomes (Jung, Paxson, Berger,
//! Balakrishnan, IEEE S&P 2004), keyed on (destination, port) so vertical scans of one host count
//! like horizontal ones, backed by Zeek's fan-out counter (15 failed ports on one host or 25
//! hosts on one port within the window).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::config::EngineConfig;
use crate::flow::Outcome;
use crate::packet::Protocol;
use crate::rules::Rule;

/// A failure adds ln(θ0/θ1) with the paper's θ0 = 0.8, θ1 = 0.2 (+1.386). A success would
/// subtract as much; we subtract half (−0.693): a vertical scan's probes of open ports succeed,
/// and with the full step two early open ports cost the walk two more failures (measured on
/// nmap -sT -T1: 6 failures instead of 5). See docs/decisions.md.
const STEP_FAILURE: f64 = 2.0 * std::f64::consts::LN_2;
const STEP_SUCCESS: f64 = -std::f64::consts::LN_2;
const MAX_TRACKED: usize = 4096;

#[derive(Default)]
struct Walk {
    llr: f64,
    first_ts: f64,
    last_ts: f64,
    contacted: HashSet<(IpAddr, u16)>,
    pending: HashSet<(IpAddr, u16)>,
    probes: u32,
    failures: u32,
    successes: u32,
    window_start: f64,
    failed_ports: HashMap<IpAddr, HashSet<u16>>,
    failed_hosts: HashMap<u16, HashSet<IpAddr>>,
    /// The first decided contacts (destination, port, outcome, time): the alert's flow evidence.
    contacts: Vec<(IpAddr, u16, Outcome, f64)>,
    alerted: bool,
}

/// Decided contacts kept per source as evidence.
const EVIDENCE_CONTACTS: usize = 32;

pub struct ScanDetector {
    walks: Bounded<IpAddr, Walk>,
}

/// What one decided first contact did to the walk.
pub struct Step {
    pub llr: f64,
    pub failed: bool,
}

impl ScanDetector {
    pub fn new(max_sources: usize) -> ScanDetector {
        ScanDetector {
            walks: bounded(max_sources),
        }
    }

    fn walk(&mut self, source: IpAddr, ts: f64, config: &EngineConfig) -> &mut Walk {
        let life = config.threshold(Rule::PortScan, "state_secs");
        let stale = self
            .walks
            .peek(&source)
            .is_some_and(|w| ts - w.last_ts > life);
        if stale {
            self.walks.pop(&source);
        }
        self.walks.get_or_insert_mut(source, || Walk {
            first_ts: ts,
            window_start: ts,
            ..Default::default()
        })
    }

    /// A TCP SYN opened a flow: a first contact if this (destination, port) is new for the source.
    pub fn attempt(
        &mut self,
        source: IpAddr,
        dest: IpAddr,
        port: u16,
        ts: f64,
        config: &EngineConfig,
    ) {
        let walk = self.walk(source, ts, config);
        walk.last_ts = ts;
        if walk.contacted.len() < MAX_TRACKED && walk.contacted.insert((dest, port)) {
            walk.pending.insert((dest, port));
            walk.probes += 1;
        }
    }

    /// The attempt's outcome became known; returns the step (for the features) and a finding
    /// when the walk crosses the upper threshold or the fan-out counter fills.
    pub fn outcome(
        &mut self,
        source: IpAddr,
        dest: IpAddr,
        port: u16,
        outcome: Outcome,
        ts: f64,
        config: &EngineConfig,
    ) -> (Option<Step>, Option<Finding>) {
        let upper = config.threshold(Rule::PortScan, "trw_upper");
        let window = config.threshold(Rule::PortScan, "window_secs");
        let walk = self.walk(source, ts, config);
        if !walk.pending.remove(&(dest, port)) {
            return (None, None);
        }
        let failed = outcome != Outcome::Answered;
        if walk.contacts.len() < EVIDENCE_CONTACTS {
            walk.contacts.push((dest, port, outcome, ts));
        }
        if failed {
            walk.failures += 1;
            // Capped at four times the threshold: past the decision, more failures say nothing new
            // (and the model's feature stays bounded).
            walk.llr = (walk.llr + STEP_FAILURE).min(4.0 * upper);
            if ts - walk.window_start > window {
                walk.window_start = ts;
                walk.failed_ports.clear();
                walk.failed_hosts.clear();
            }
            walk.failed_ports.entry(dest).or_default().insert(port);
            walk.failed_hosts.entry(port).or_default().insert(dest);
        } else {
            walk.successes += 1;
            // A success cancels an earlier failure but banks no credit below zero: a scanner
            // whose first probes hit open ports is still decided by its 4th–5th failure
            // (classic TRW would let each early success buy it another failure).
            walk.llr = (walk.llr + STEP_SUCCESS).max(0.0);
        }
        let step = Step {
            llr: walk.llr,
            failed,
        };
        if walk.alerted {
            return (Some(step), None);
        }
        let ports_on_host = walk.failed_ports.get(&dest).map_or(0, HashSet::len);
        let hosts_on_port = walk.failed_hosts.get(&port).map_or(0, HashSet::len);
        let by_trw = walk.llr >= upper;
        let by_fanout = ports_on_host as f64 >= config.threshold(Rule::PortScan, "fanout_ports")
            || hosts_on_port as f64 >= config.threshold(Rule::PortScan, "fanout_hosts");
        if !(by_trw || by_fanout) {
            return (Some(step), None);
        }
        walk.alerted = true;
        let kind = if walk.failed_ports.len() > 1 {
            "horizontal"
        } else {
            "vertical"
        };
        let finding = Finding::new(Rule::PortScan, source, Protocol::Tcp, walk.first_ts, ts)
            .to(dest, Some(port))
            .because(
                format!(
                    "{source} failed {} of {} first contacts ({kind} scan); TRW log-likelihood ratio {:.3}",
                    walk.failures, walk.probes, walk.llr
                ),
                json!({
                    "method": if by_trw { "trw" } else { "fanout" },
                    "scan_kind": kind,
                    "trw_llr": walk.llr,
                    "probes": walk.probes,
                    "failed_first_contacts": walk.failures,
                    "answered_first_contacts": walk.successes,
                    "failed_ports_on_target": ports_on_host,
                    "failed_hosts_on_port": hosts_on_port,
                    "elapsed_secs": ts - walk.first_ts,
                    "flows": walk.contacts.iter().map(|(d, p, o, t)| json!({"dest_ip": d.to_string(), "port": p,
                        "protocol": "TCP", "outcome": o, "ts": t})).collect::<Vec<_>>(),
                }),
            )
            .with_thresholds(config);
        (Some(step), Some(finding))
    }
}
