//! Rules about who talks to whom inside the network. NEW_DEVICE: an internal address (or MAC)
//! first seen after the learning period. LATERAL_MOVEMENT: an internal host opening admin-port
//! connections (SSH, RPC, SMB, RDP, WinRM, VNC, Telnet) to several internal hosts within the
//! window, each pair new (never seen before, so a known admin path stays quiet). OT_ICS_UNAUTHORIZED_WRITE: a Modbus/TCP write function code
//! from a host not listed as an OT writer.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::appmeta::is_modbus_write;
use crate::config::EngineConfig;
use crate::packet::{PacketMeta, Protocol};
use crate::rules::Rule;

pub const ADMIN_PORTS: [u16; 9] = [22, 23, 135, 139, 445, 3389, 5900, 5985, 5986];

struct Reach {
    window_start: f64,
    new_pairs: HashMap<IpAddr, HashSet<u16>>,
    alerted: bool,
}

/// How a device is recognised: its MAC when the link layer shows one, else its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Device {
    Mac([u8; 6]),
    Ip(IpAddr),
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Mac(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
            Device::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

pub struct HostsDetector {
    started: Option<f64>,
    devices: Bounded<Device, f64>,
    known_pairs: Bounded<(IpAddr, IpAddr, u16), ()>,
    reach: Bounded<IpAddr, Reach>,
    writers_alerted: Bounded<(IpAddr, IpAddr), f64>,
}

impl HostsDetector {
    pub fn new(max_sources: usize) -> HostsDetector {
        HostsDetector {
            started: None,
            devices: bounded(max_sources),
            known_pairs: bounded(max_sources * 4),
            reach: bounded(max_sources),
            writers_alerted: bounded(max_sources),
        }
    }

    fn learning(&mut self, ts: f64, config: &EngineConfig) -> bool {
        let start = *self.started.get_or_insert(ts);
        ts - start < config.learning_secs
    }

    pub fn device(&mut self, p: &PacketMeta, config: &EngineConfig) -> Option<Finding> {
        if !config.internal(p.src) {
            return None;
        }
        // Per packet: a copy, not a formatted string (only a finding formats it).
        let id = p.src_mac.map_or(Device::Ip(p.src), Device::Mac);
        if self.devices.get(&id).is_some() {
            return None;
        }
        self.devices.put(id, p.ts);
        if self.learning(p.ts, config) {
            return None;
        }
        Some(
            Finding::new(Rule::NewDevice, p.src, p.protocol, p.ts, p.ts)
                .because(
                    format!("new device {id} at {}", p.src),
                    json!({"device": id.to_string(), "address": p.src.to_string()}),
                )
                .with_thresholds(config),
        )
    }

    /// A connection attempt from `source` to `dest`:`port`; returns the new admin pairs so far.
    pub fn connection(
        &mut self,
        source: IpAddr,
        dest: IpAddr,
        port: u16,
        ts: f64,
        config: &EngineConfig,
    ) -> (u32, Option<Finding>) {
        if !ADMIN_PORTS.contains(&port)
            || !config.internal(source)
            || !config.internal(dest)
            || source == dest
        {
            return (0, None);
        }
        // The baseline is every pair seen before; while it is young (the learning period) it
        // still counts, so a sweep on the first day is not missed.
        if self.known_pairs.get(&(source, dest, port)).is_some() {
            return (0, None);
        }
        self.known_pairs.put((source, dest, port), ());
        let window = config.threshold(Rule::LateralMovement, "window_secs");
        let r = self.reach.get_or_insert_mut(source, || Reach {
            window_start: ts,
            new_pairs: HashMap::new(),
            alerted: false,
        });
        if ts - r.window_start > window {
            *r = Reach {
                window_start: ts,
                new_pairs: HashMap::new(),
                alerted: false,
            };
        }
        if r.new_pairs.len() < 256 {
            r.new_pairs.entry(dest).or_default().insert(port);
        }
        let pairs: u32 = r.new_pairs.values().map(|p| p.len() as u32).sum();
        if r.alerted
            || (r.new_pairs.len() as f64) < config.threshold(Rule::LateralMovement, "new_hosts")
        {
            return (pairs, None);
        }
        r.alerted = true;
        let targets: Vec<String> = r
            .new_pairs
            .iter()
            .map(|(h, ports)| {
                let mut p: Vec<_> = ports.iter().collect();
                p.sort();
                format!("{h}:{p:?}")
            })
            .collect();
        let finding = Finding::new(
            Rule::LateralMovement,
            source,
            Protocol::Tcp,
            r.window_start,
            ts,
        )
        .to(dest, Some(port))
        .because(
            format!(
                "{source} reached admin ports on {} internal hosts it had not used before",
                r.new_pairs.len()
            ),
            json!({"new_hosts": r.new_pairs.len(), "new_pairs": pairs, "targets": targets}),
        )
        .with_thresholds(config);
        (pairs, Some(finding))
    }

    pub fn modbus(
        &mut self,
        p: &PacketMeta,
        function: u8,
        config: &EngineConfig,
    ) -> (bool, Option<Finding>) {
        if !is_modbus_write(function) || config.ot_writers.iter().any(|n| n.contains(&p.src)) {
            return (false, None);
        }
        if self
            .writers_alerted
            .get(&(p.src, p.dst))
            .is_some_and(|&until| p.ts < until)
        {
            return (true, None);
        }
        self.writers_alerted.put((p.src, p.dst), p.ts + 3600.0);
        let finding = Finding::new(Rule::OtIcsUnauthorizedWrite, p.src, Protocol::Tcp, p.ts, p.ts)
            .to(p.dst, Some(502))
            .because(
                format!("Modbus write (function {function}) from {} to {}, which is not an allowed OT writer", p.src, p.dst),
                json!({"protocol": "modbus", "function_code": function}),
            )
            .with_thresholds(config);
        (true, Some(finding))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::TcpFlags;

    fn packet(src: &str, mac: u8, ts: f64) -> PacketMeta {
        PacketMeta {
            ts,
            src: src.parse().unwrap(),
            dst: "10.0.0.1".parse().unwrap(),
            src_port: 40000,
            dst_port: 80,
            protocol: Protocol::Tcp,
            flags: TcpFlags::default(),
            ip_len: 60,
            payload_len: 0,
            payload_entropy: 0.0,
            icmp_type: None,
            dns: None,
            sni: None,
            modbus_function: None,
            src_mac: Some([2, 0, 0, 0, 0, mac]),
        }
    }

    #[test]
    fn a_device_first_seen_after_learning_is_new_once() {
        let config = EngineConfig {
            learning_secs: 100.0,
            ..EngineConfig::default()
        };
        let mut d = HostsDetector::new(16);
        assert!(
            d.device(&packet("10.0.0.5", 5, 0.0), &config).is_none(),
            "learning"
        );
        assert!(
            d.device(&packet("10.0.0.5", 5, 500.0), &config).is_none(),
            "known"
        );
        let f = d
            .device(&packet("10.0.0.6", 6, 500.0), &config)
            .expect("new after learning");
        assert_eq!(f.evidence["device"], "02:00:00:00:00:06");
        assert!(
            d.device(&packet("10.0.0.6", 6, 501.0), &config).is_none(),
            "reported once"
        );
        assert!(
            d.device(&packet("8.8.8.8", 7, 600.0), &config).is_none(),
            "not internal"
        );
    }
}
