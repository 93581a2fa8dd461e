//! Per-source window statistics, the model's features: what one address did in the current
//! window (five minutes by default), kept in a bounded LRU of sources.

use std::collections::HashSet;
use std::net::IpAddr;

/// Feature names, in the model's order.
pub const FEATURES: [&str; 17] = [
    "failed_first_contacts",
    "trw_llr",
    "unique_dst_ports",
    "unique_dst_hosts",
    "half_open_ratio",
    "peak_syn_rate",
    "auth_failures",
    "bytes_out",
    "producer_consumer_ratio",
    "dns_names_per_domain",
    "dns_max_name_len",
    "beacon_score",
    "new_admin_pairs",
    "ot_writes",
    "ai_endpoint_hits",
    "payload_anomalies",
    "off_hours",
];

/// Set sizes kept per source: enough to pass every threshold, bounded against floods.
const MAX_SET: usize = 4096;

#[derive(Debug, Clone, Default)]
pub struct SourceStats {
    pub window_start: f64,
    pub last_ts: f64,
    pub failed_first_contacts: u32,
    pub first_contacts: u32,
    pub trw_llr: f64,
    pub dst_ports: HashSet<u16>,
    pub dst_hosts: HashSet<IpAddr>,
    pub syns: u32,
    pub answered: u32,
    pub syn_second: i64,
    pub syns_this_second: u32,
    pub peak_syn_rate: u32,
    pub auth_failures: u32,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub dns_names_per_domain: u32,
    pub dns_max_name_len: u32,
    pub beacon_score: f64,
    pub new_admin_pairs: u32,
    pub ot_writes: u32,
    pub ai_hits: u32,
    pub payload_anomalies: u32,
}

impl SourceStats {
    pub fn new(ts: f64) -> SourceStats {
        SourceStats {
            window_start: ts,
            last_ts: ts,
            ..Default::default()
        }
    }

    /// Starts a new window when the current one is over (TRW's Λ lives on: it has its own state).
    pub fn roll(&mut self, ts: f64, window: f64) {
        if ts - self.window_start >= window {
            let llr = self.trw_llr;
            *self = SourceStats::new(ts);
            self.trw_llr = llr;
        }
        self.last_ts = self.last_ts.max(ts);
    }

    pub fn note_destination(&mut self, host: IpAddr, port: u16) {
        if self.dst_hosts.len() < MAX_SET {
            self.dst_hosts.insert(host);
        }
        if self.dst_ports.len() < MAX_SET {
            self.dst_ports.insert(port);
        }
    }

    pub fn note_syn(&mut self, ts: f64) {
        self.syns += 1;
        let second = ts.floor() as i64;
        if second != self.syn_second {
            self.syn_second = second;
            self.syns_this_second = 0;
        }
        self.syns_this_second += 1;
        self.peak_syn_rate = self.peak_syn_rate.max(self.syns_this_second);
    }

    /// The feature values, in [`FEATURES`] order.
    pub fn features(&self, ts: f64) -> Vec<f64> {
        let half_open = if self.syns == 0 {
            0.0
        } else {
            1.0 - (f64::from(self.answered) / f64::from(self.syns)).min(1.0)
        };
        let total = (self.bytes_out + self.bytes_in) as f64;
        let pcr = if total == 0.0 {
            0.0
        } else {
            (self.bytes_out as f64 - self.bytes_in as f64) / total
        };
        vec![
            f64::from(self.failed_first_contacts),
            self.trw_llr,
            self.dst_ports.len() as f64,
            self.dst_hosts.len() as f64,
            half_open,
            f64::from(self.peak_syn_rate),
            f64::from(self.auth_failures),
            self.bytes_out as f64,
            pcr,
            f64::from(self.dns_names_per_domain),
            f64::from(self.dns_max_name_len),
            self.beacon_score,
            f64::from(self.new_admin_pairs),
            f64::from(self.ot_writes),
            f64::from(self.ai_hits),
            f64::from(self.payload_anomalies),
            off_hours(ts),
        ]
    }
}

/// 1 outside 07:00–19:00 UTC, else 0.
pub fn off_hours(ts: f64) -> f64 {
    let hour = (ts.rem_euclid(86_400.0) / 3600.0) as u32;
    if (7..19).contains(&hour) {
        0.0
    } else {
        1.0
    }
}
