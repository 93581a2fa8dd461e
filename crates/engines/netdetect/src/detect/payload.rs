//! ANOMALOUS_PAYLOAD: ICMP echo requests with payloads far above what ping sends (tunnels, smuggling), and
//! near-random bytes (encrypted or compressed data) sent to a cleartext protocol's port.

use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::config::EngineConfig;
use crate::packet::{PacketMeta, Protocol};
use crate::rules::Rule;

/// Client-to-server ports whose protocols are text: FTP, Telnet, SMTP, HTTP, POP3, IMAP.
pub const CLEARTEXT_PORTS: [u16; 7] = [21, 23, 25, 80, 110, 143, 8080];

pub struct PayloadDetector {
    alerted: Bounded<(std::net::IpAddr, std::net::IpAddr), f64>,
}

impl PayloadDetector {
    pub fn new(max_sources: usize) -> PayloadDetector {
        PayloadDetector {
            alerted: bounded(max_sources),
        }
    }

    pub fn packet(&mut self, p: &PacketMeta, config: &EngineConfig) -> (bool, Option<Finding>) {
        let icmp_limit = config.threshold(Rule::AnomalousPayload, "icmp_payload_bytes");
        let reason = if p.protocol == Protocol::Icmp
            && matches!(p.icmp_type, Some(8 | 128))
            && f64::from(p.payload_len) >= icmp_limit
        {
            Some((
                "oversized_icmp",
                format!("ICMP echo with {} payload bytes", p.payload_len),
            ))
        } else if p.protocol == Protocol::Tcp
            && CLEARTEXT_PORTS.contains(&p.dst_port)
            && f64::from(p.payload_len)
                >= config.threshold(Rule::AnomalousPayload, "min_payload_bytes")
            && f64::from(p.payload_entropy)
                >= config.threshold(Rule::AnomalousPayload, "entropy_bits")
        {
            Some((
                "random_bytes_on_cleartext_port",
                format!(
                    "{:.2} bits/byte of payload to cleartext port {}",
                    p.payload_entropy, p.dst_port
                ),
            ))
        } else {
            None
        };
        let Some((kind, text)) = reason else {
            return (false, None);
        };
        if self
            .alerted
            .get(&(p.src, p.dst))
            .is_some_and(|&until| p.ts < until)
        {
            return (true, None);
        }
        self.alerted.put((p.src, p.dst), p.ts + 3600.0);
        let port = (p.protocol == Protocol::Tcp).then_some(p.dst_port);
        let finding = Finding::new(Rule::AnomalousPayload, p.src, p.protocol, p.ts, p.ts)
            .to(p.dst, port)
            .because(format!("{text} from {} to {}", p.src, p.dst),
                json!({"kind": kind, "payload_bytes": p.payload_len, "entropy_bits_per_byte": p.payload_entropy}))
            .with_thresholds(config);
        (true, Some(finding))
    }
}
