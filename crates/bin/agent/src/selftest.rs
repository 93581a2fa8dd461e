//! `redoubt-agent --self-test`: proves the path sensor → engine → server → alert → trace works.
//! A synthetic SYN scan (from 198.51.100.66, a documentation address, to 40 ports of
//! 192.0.2.10, each refused) is built frame by frame, run through the same engine as live
//! traffic, and its detections are uploaded with `self_test: true`, which the server stores
//! resolved and keeps out of analytics.

use std::time::{SystemTime, UNIX_EPOCH};

use etherparse::PacketBuilder;
use netdetect::packet::{parse, LinkType};
use netdetect::{Engine, EngineConfig};
use serde_json::json;

use crate::client::Client;
use crate::settings::{hostname, Settings};
use crate::spool::upload_id;

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
pub fn synthetic_detections(start: f64) -> Vec<netdetect::Detection> {
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

pub async fn run(settings: &Settings) -> anyhow::Result<u8> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64();
    let detections = synthetic_detections(now - 2.0);
    anyhow::ensure!(
        !detections.is_empty(),
        "the engine raised nothing on the synthetic scan"
    );
    let agent_id = settings.agent_id();
    let batch: Vec<_> = detections
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).expect("detections serialise");
            v["upload_id"] = json!(format!("selftest-{}", upload_id(&agent_id, d)));
            v
        })
        .collect();
    let mut client = Client::new(
        &settings.server,
        &settings.license_key,
        &agent_id,
        &hostname(),
    )?;
    let answer = client
        .call(
            reqwest::Method::POST,
            "/agents/detections",
            Some(&json!({"detections": batch, "self_test": true})),
        )
        .await
        .map_err(|e| anyhow::anyhow!("uploading the self-test: {e}"))?;
    println!(
        "{}",
        json!({"self_test": "passed", "rules": detections.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(),
        "alerts": answer["alerts"]})
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_synthetic_scan_is_detected_as_a_port_scan() {
        let found = super::synthetic_detections(1_800_000_000.0);
        assert!(
            found.iter().any(|d| d.rule == netdetect::Rule::PortScan),
            "{:?}",
            found.iter().map(|d| d.rule).collect::<Vec<_>>()
        );
    }
}
