//! Volume rules. SYN_FLOOD (RFC 4987): SYNs per second to one destination port above the rate
//! threshold while nearly all stay half-open. DATA_EXFILTRATION: bytes sent by an internal host
//! to one external address within the window, above both a floor and the host's own baseline
//! (its mean per window so far), with a producer–consumer ratio (out − in)/(out + in) near 1.

use std::net::IpAddr;

use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::config::EngineConfig;
use crate::packet::{PacketMeta, Protocol};
use crate::rules::Rule;

struct FloodCounter {
    second: i64,
    syns: u32,
    answered: u32,
    top_source: Option<(IpAddr, u32)>,
    sources: Bounded<IpAddr, u32>,
    started: f64,
    alerted_until: f64,
}

struct Upload {
    window_start: f64,
    bytes_out: u64,
    bytes_in: u64,
    alerted: bool,
}

#[derive(Default, Clone, Copy)]
struct Baseline {
    windows: u32,
    total: f64,
}

pub struct VolumeDetector {
    floods: Bounded<(IpAddr, u16), FloodCounter>,
    uploads: Bounded<(IpAddr, IpAddr), Upload>,
    baselines: Bounded<IpAddr, Baseline>,
}

impl VolumeDetector {
    pub fn new(max_sources: usize) -> VolumeDetector {
        VolumeDetector {
            floods: bounded(max_sources),
            uploads: bounded(max_sources),
            baselines: bounded(max_sources),
        }
    }

    /// A TCP packet towards `dest`:`port`: SYNs count; `completed` (this packet finished a
    /// handshake with that destination) counts against half-open.
    pub fn tcp(
        &mut self,
        p: &PacketMeta,
        completed: bool,
        config: &EngineConfig,
    ) -> Option<Finding> {
        let answered = completed;
        if !p.flags.syn && !completed {
            return None;
        }
        let key = (p.dst, p.dst_port);
        let second = p.ts.floor() as i64;
        let c = self.floods.get_or_insert_mut(key, || FloodCounter {
            second,
            syns: 0,
            answered: 0,
            top_source: None,
            sources: bounded(64),
            started: p.ts,
            alerted_until: f64::MIN,
        });
        if c.second != second {
            c.second = second;
            c.syns = 0;
            c.answered = 0;
            c.top_source = None;
            c.sources.clear();
            c.started = p.ts;
        }
        if answered {
            c.answered += 1;
            return None;
        }
        c.syns += 1;
        let n = c.sources.get_or_insert_mut(p.src, || 0);
        *n += 1;
        if c.top_source.is_none_or(|(_, top)| *n > top) {
            c.top_source = Some((p.src, *n));
        }
        let rate = config.threshold(Rule::SynFlood, "syn_per_sec");
        let half_open = 1.0 - f64::from(c.answered) / f64::from(c.syns);
        if f64::from(c.syns) < rate
            || half_open < config.threshold(Rule::SynFlood, "half_open_ratio")
            || p.ts < c.alerted_until
        {
            return None;
        }
        c.alerted_until = p.ts + 60.0;
        let (source, from_top) = c.top_source.expect("set above");
        Some(
            Finding::new(Rule::SynFlood, source, Protocol::Tcp, c.started, p.ts)
                .to(key.0, Some(key.1))
                .because(
                    format!("{} SYNs to {}:{} within one second, {:.0} % never completed", c.syns, key.0, key.1, half_open * 100.0),
                    json!({"syns_in_second": c.syns, "completed": c.answered, "half_open_ratio": half_open,
                           "top_source_syns": from_top, "distinct_sources": c.sources.len()}),
                )
                .with_thresholds(config),
        )
    }

    /// Bytes between an internal host and an external address (either direction).
    pub fn bytes(&mut self, p: &PacketMeta, config: &EngineConfig) -> Option<Finding> {
        let (host, remote, out) = match (config.internal(p.src), config.internal(p.dst)) {
            (true, false) => (p.src, p.dst, true),
            (false, true) => (p.dst, p.src, false),
            _ => return None,
        };
        let window = config.threshold(Rule::DataExfiltration, "window_secs");
        let u = self.uploads.get_or_insert_mut((host, remote), || Upload {
            window_start: p.ts,
            bytes_out: 0,
            bytes_in: 0,
            alerted: false,
        });
        if p.ts - u.window_start >= window {
            let b = self.baselines.get_or_insert_mut(host, Baseline::default);
            b.windows += 1;
            b.total += u.bytes_out as f64;
            *u = Upload {
                window_start: p.ts,
                bytes_out: 0,
                bytes_in: 0,
                alerted: false,
            };
        }
        if out {
            u.bytes_out += u64::from(p.ip_len);
        } else {
            u.bytes_in += u64::from(p.ip_len);
            return None;
        }
        let baseline = self.baselines.peek(&host).copied().unwrap_or_default();
        let mean = if baseline.windows == 0 {
            0.0
        } else {
            baseline.total / f64::from(baseline.windows)
        };
        let needed = config
            .threshold(Rule::DataExfiltration, "min_bytes")
            .max(mean * config.threshold(Rule::DataExfiltration, "baseline_factor"));
        let total = (u.bytes_out + u.bytes_in) as f64;
        let pcr = (u.bytes_out as f64 - u.bytes_in as f64) / total;
        if u.alerted
            || (u.bytes_out as f64) < needed
            || pcr < config.threshold(Rule::DataExfiltration, "producer_consumer_ratio")
        {
            return None;
        }
        u.alerted = true;
        Some(
            Finding::new(Rule::DataExfiltration, host, p.protocol, u.window_start, p.ts)
                .to(remote, Some(p.dst_port))
                .because(
                    format!("{host} sent {:.1} MB to external {remote} in {:.0} s (producer–consumer ratio {pcr:.2})",
                        u.bytes_out as f64 / 1e6, p.ts - u.window_start),
                    json!({"bytes_out": u.bytes_out, "bytes_in": u.bytes_in, "producer_consumer_ratio": pcr,
                           "baseline_mean_bytes": mean, "baseline_windows": baseline.windows, "needed_bytes": needed}),
                )
                .with_thresholds(config),
        )
    }
}
