//! The engine: packets and auth log lines in, scored and explained detections out. One
//! instance per monitored host (or capture); single-threaded and synchronous.

use std::net::IpAddr;

use serde::Serialize;

use crate::config::EngineConfig;
use crate::detect::auth::{parse_line, BruteForceDetector};
use crate::detect::beacon::BeaconDetector;
use crate::detect::dns::DnsDetector;
use crate::detect::hosts::HostsDetector;
use crate::detect::payload::PayloadDetector;
use crate::detect::scan::ScanDetector;
use crate::detect::shadow_ai::ShadowAiDetector;
use crate::detect::volume::VolumeDetector;
use crate::detect::{bounded, Bounded, Finding};
use crate::flow::{Flow, FlowKey, FlowTable, Outcome};
use crate::packet::{PacketMeta, Protocol};
use crate::rules::{Rule, Severity};
use crate::score::{Explanation, Model};
use crate::source::{SourceStats, FEATURES};

/// Flows idle this long are ended (and handed to the beacon detector).
const FLOW_IDLE_SECS: f64 = 60.0;
/// Feature window per source.
const WINDOW_SECS: f64 = 300.0;

/// One alert as the agent uploads it.
#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    pub rule: Rule,
    pub severity: Severity,
    pub source_ip: IpAddr,
    pub dest_ip: Option<IpAddr>,
    pub port: Option<u16>,
    pub protocol: Protocol,
    /// When the evidence began and when the rule fired (Unix seconds).
    pub first_seen: f64,
    pub ts: f64,
    pub summary: String,
    pub evidence: serde_json::Value,
    pub thresholds: std::collections::BTreeMap<String, f64>,
    pub mitre: &'static str,
    pub explanation: Explanation,
}

/// Counters of what the engine has seen.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counters {
    pub packets: u64,
    pub unparsed: u64,
    pub auth_lines: u64,
    pub auth_failures: u64,
    pub flows_ended: u64,
    pub detections: u64,
    pub suppressed: u64,
}

pub struct Engine {
    config: EngineConfig,
    model: Model,
    flows: FlowTable,
    sources: Bounded<IpAddr, SourceStats>,
    scan: ScanDetector,
    brute: BruteForceDetector,
    volume: VolumeDetector,
    dns: DnsDetector,
    beacon: BeaconDetector,
    hosts: HostsDetector,
    payload: PayloadDetector,
    shadow: ShadowAiDetector,
    suppressions: Vec<Suppression>,
    last_sweep: f64,
    out: Vec<Detection>,
    pub counters: Counters,
}

/// A (rule, source, destination) pair not to report until `until` (false-positive feedback).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, Serialize)]
pub struct Suppression {
    pub rule: Rule,
    pub source_ip: IpAddr,
    pub dest_ip: Option<IpAddr>,
    pub until: f64,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Engine {
        Engine::with_model(config, Model::shipped())
    }

    pub fn with_model(config: EngineConfig, model: Model) -> Engine {
        let n = config.max_sources;
        assert_eq!(model.names(), FEATURES, "model features match the engine's");
        Engine {
            flows: FlowTable::new(config.max_flows, FLOW_IDLE_SECS),
            sources: bounded(n),
            scan: ScanDetector::new(n),
            brute: BruteForceDetector::new(n),
            volume: VolumeDetector::new(n),
            dns: DnsDetector::new(n),
            beacon: BeaconDetector::new(n),
            hosts: HostsDetector::new(n),
            payload: PayloadDetector::new(n),
            shadow: ShadowAiDetector::new(n),
            suppressions: Vec::new(),
            last_sweep: f64::MIN,
            out: Vec::new(),
            counters: Counters::default(),
            config,
            model,
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// New rule overrides and whitelist (from `/agents/config`); state is kept.
    pub fn reconfigure(&mut self, config: EngineConfig) {
        self.config = config;
    }

    pub fn set_suppressions(&mut self, suppressions: Vec<Suppression>) {
        self.suppressions = suppressions;
    }

    pub fn flow_count(&self) -> usize {
        self.flows.len()
    }

    fn stats(&mut self, ip: IpAddr, ts: f64) -> &mut SourceStats {
        let s = self.sources.get_or_insert_mut(ip, || SourceStats::new(ts));
        s.roll(ts, WINDOW_SECS);
        s
    }

    /// One parsed packet.
    pub fn observe(&mut self, p: &PacketMeta) {
        self.counters.packets += 1;
        if p.ts - self.last_sweep >= 1.0 {
            self.sweep(p.ts);
        }
        let mut evicted = Vec::new();
        let update = self.flows.update(p, &mut evicted);
        for flow in evicted {
            self.flow_ended(&flow);
        }
        let cfg = &self.config;
        let mut findings: Vec<Finding> = Vec::new();
        if let Some(f) = self.hosts.device(p, cfg) {
            findings.push(f);
        }
        // The initiator's view.
        let initiator = update.key.initiator;
        if update.new_flow && update.outbound {
            let s = self
                .sources
                .get_or_insert_mut(initiator, || SourceStats::new(p.ts));
            s.roll(p.ts, WINDOW_SECS);
            s.note_destination(p.dst, p.dst_port);
            if p.protocol == Protocol::Tcp && p.flags.syn && !p.flags.ack {
                self.scan.attempt(p.src, p.dst, p.dst_port, p.ts, cfg);
                findings.extend(self.brute.syn(p.src, p.dst, p.dst_port, p.ts, cfg));
                let (pairs, f) = self.hosts.connection(p.src, p.dst, p.dst_port, p.ts, cfg);
                let s = self.stats(initiator, p.ts);
                s.new_admin_pairs = s.new_admin_pairs.max(pairs);
                findings.extend(f);
            }
        }
        if p.protocol == Protocol::Tcp && p.flags.syn && !p.flags.ack {
            self.stats(p.src, p.ts).note_syn(p.ts);
        }
        if p.protocol == Protocol::Tcp {
            findings.extend(self.volume.tcp(p, update.established, &self.config));
        }
        if let Some(outcome) = update.decided {
            findings.extend(self.decided(update.key, outcome, p.ts));
        }
        findings.extend(self.volume.bytes(p, &self.config));
        if let Some(s) = self.sources.get_mut(&p.src) {
            s.bytes_out += u64::from(p.ip_len);
        }
        if let Some(s) = self.sources.get_mut(&p.dst) {
            s.bytes_in += u64::from(p.ip_len);
        }
        if let Some(q) = &p.dns {
            let (unique, longest, f) = self.dns.query(p.src, q, p.ts, &self.config);
            if unique > 0 {
                let s = self.stats(p.src, p.ts);
                s.dns_names_per_domain = s.dns_names_per_domain.max(unique);
                s.dns_max_name_len = s.dns_max_name_len.max(longest);
            }
            findings.extend(f);
            if !q.is_response {
                let (hit, f) = self.shadow.name(p, &q.name, "dns", &self.config);
                if hit {
                    self.stats(p.src, p.ts).ai_hits += 1;
                }
                findings.extend(f);
            }
        }
        if let Some(sni) = &p.sni {
            let (hit, f) = self.shadow.name(p, sni, "tls_sni", &self.config);
            if hit {
                self.stats(p.src, p.ts).ai_hits += 1;
            }
            findings.extend(f);
        }
        if let Some(function) = p.modbus_function {
            let (write, f) = self.hosts.modbus(p, function, &self.config);
            if write {
                self.stats(p.src, p.ts).ot_writes += 1;
            }
            findings.extend(f);
        }
        let (odd, f) = self.payload.packet(p, &self.config);
        if odd {
            self.stats(p.src, p.ts).payload_anomalies += 1;
        }
        findings.extend(f);
        for f in findings {
            self.emit(f);
        }
    }

    fn decided(&mut self, key: FlowKey, outcome: Outcome, ts: f64) -> Option<Finding> {
        if key.protocol != Protocol::Tcp {
            return None;
        }
        if outcome == Outcome::Answered {
            self.stats(key.initiator, ts).answered += 1;
        }
        let (step, finding) = self.scan.outcome(
            key.initiator,
            key.responder,
            key.responder_port,
            outcome,
            ts,
            &self.config,
        );
        if let Some(step) = step {
            let s = self.stats(key.initiator, ts);
            s.trw_llr = step.llr;
            s.first_contacts += 1;
            if step.failed {
                s.failed_first_contacts += 1;
            }
        }
        finding
    }

    /// One line of the host's auth log (read at `read_at`, Unix seconds).
    pub fn observe_auth_line(&mut self, line: &str, read_at: f64) {
        self.counters.auth_lines += 1;
        let Some(failure) = parse_line(line, read_at) else {
            return;
        };
        self.counters.auth_failures += 1;
        self.stats(failure.source, failure.ts).auth_failures += 1;
        if let Some(f) = self.brute.failure(&failure, &self.config) {
            self.emit(f);
        }
    }

    /// Advances time without a packet: decides unanswered attempts, ends idle flows.
    pub fn sweep(&mut self, now: f64) {
        self.last_sweep = now;
        let timeout = self
            .config
            .threshold(Rule::PortScan, "first_contact_timeout_secs");
        let (unanswered, ended) = self.flows.expire(now, timeout);
        for key in unanswered {
            if let Some(f) = self.decided(key, Outcome::Unanswered, now) {
                self.emit(f);
            }
        }
        for flow in ended {
            self.flow_ended(&flow);
        }
    }

    fn flow_ended(&mut self, flow: &Flow) {
        self.counters.flows_ended += 1;
        let (score, finding) = self.beacon.connection(flow, &self.config);
        if score > 0.0 {
            let s = self.stats(flow.key.initiator, flow.last_ts);
            s.beacon_score = s.beacon_score.max(score);
        }
        if let Some(f) = finding {
            self.emit(f);
        }
    }

    /// End of input: every pending attempt times out, every flow ends.
    pub fn finish(&mut self, now: f64) {
        let timeout = self
            .config
            .threshold(Rule::PortScan, "first_contact_timeout_secs");
        self.sweep(now + timeout);
        for flow in self.flows.drain() {
            self.flow_ended(&flow);
        }
    }

    fn emit(&mut self, f: Finding) {
        let cfg = &self.config;
        if !cfg.enabled(f.rule)
            || cfg.whitelisted(f.source)
            || f.dest.is_some_and(|d| cfg.whitelisted(d))
        {
            self.counters.suppressed += 1;
            return;
        }
        if self.suppressions.iter().any(|s| {
            s.rule == f.rule
                && s.source_ip == f.source
                && (s.dest_ip.is_none() || s.dest_ip == f.dest)
                && f.ts < s.until
        }) {
            self.counters.suppressed += 1;
            return;
        }
        let features = self
            .sources
            .peek(&f.source)
            .map(|s| s.features(f.ts))
            .unwrap_or_else(|| SourceStats::new(f.ts).features(f.ts));
        let explanation = self.model.explain(&features);
        self.counters.detections += 1;
        self.out.push(Detection {
            severity: f.rule.severity(),
            mitre: f.rule.mitre(),
            rule: f.rule,
            source_ip: f.source,
            dest_ip: f.dest,
            port: f.port,
            protocol: f.protocol,
            first_seen: f.first_seen,
            ts: f.ts,
            summary: f.summary,
            evidence: f.evidence,
            thresholds: f.thresholds,
            explanation,
        });
    }

    /// Detections since the last call, oldest first.
    pub fn drain(&mut self) -> Vec<Detection> {
        std::mem::take(&mut self.out)
    }

    /// The current feature values of `source` (training and evaluation read them).
    pub fn features_of(&self, source: IpAddr, ts: f64) -> Option<Vec<f64>> {
        self.sources.peek(&source).map(|s| s.features(ts))
    }

    pub fn sources(&self) -> Vec<IpAddr> {
        self.sources.iter().map(|(ip, _)| *ip).collect()
    }
}
