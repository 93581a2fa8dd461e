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

pub struct HostsDetector {
    started: Option<f64>,
    devices: Bounded<String, f64>,
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
        let id = match p.src_mac {
            Some(m) => m
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":"),
            None => p.src.to_string(),
        };
        if self.devices.get(&id).is_some() {
            return None;
        }
        self.devices.put(id.clone(), p.ts);
        if self.learning(p.ts, config) {
            return None;
        }
        Some(
            Finding::new(Rule::NewDevice, p.src, p.protocol, p.ts, p.ts)
                .because(
                    format!("new device {id} at {}", p.src),
                    json!({"device": id, "address": p.src.to_string()}),
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
