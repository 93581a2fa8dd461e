//! The detection self-test's traffic: a synthetic SYN scan from 198.51.100.66 to 40 ports of
//! 192.0.2.10 (documentation addresses, RFC 5737), each refused, built frame by frame and run
//! through a fresh engine. The agent uploads what it raises as a self-test; the server accepts
//! a self-test only between these two addresses.

use std::net::{IpAddr, Ipv4Addr};

use etherparse::PacketBuilder;

use crate::packet::{parse, LinkType};
use crate::{Detection, Engine, EngineConfig};

/// The self-test's scanning address.
pub const SELF_TEST_SOURCE: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 66));
/// The self-test's scanned address.
pub const SELF_TEST_TARGET: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));

const SCANNER: [u8; 4] = [198, 51, 100, 66];
const TARGET: [u8; 4] = [192, 0, 2, 10];

fn frame(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, syn: bool) -> Vec<u8> {
    let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4(src, dst, 64)
        .tcp(sport, dport, 1000, 1024);
    let builder = if syn {
        builder.syn()
    } else {
        builder.rst().ack(1001)
    };
    let mut out = Vec::with_capacity(builder.size(0));
    builder.write(&mut out, &[]).expect("a frame");
    out
}

/// The engine's detections on the synthetic scan, as of `start`.
pub fn synthetic_detections(start: f64) -> Vec<Detection> {
    let mut engine = Engine::new(EngineConfig::default());
    let mut t = start;
    for (i, port) in (20..60u16).enumerate() {
        let sport = 40_000 + i as u16;
        for (bytes, at) in [
            (frame(SCANNER, TARGET, sport, port, true), t),
            (frame(TARGET, SCANNER, port, sport, false), t + 0.0005),
        ] {
            if let Some(meta) = parse(LinkType::Ethernet, at, &bytes) {
                engine.observe(&meta);
            }
        }
        t += 0.01;
    }
    engine.finish(t + 1.0);
    engine.drain()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_scan_is_detected_as_a_port_scan_between_the_two_addresses() {
        let found = synthetic_detections(1_800_000_000.0);
        assert!(found.iter().any(|d| d.rule == crate::Rule::PortScan));
        assert!(found.iter().all(|d| d.source_ip == SELF_TEST_SOURCE));
        assert_eq!(IpAddr::from(SCANNER), SELF_TEST_SOURCE);
        assert_eq!(IpAddr::from(TARGET), SELF_TEST_TARGET);
    }
}
