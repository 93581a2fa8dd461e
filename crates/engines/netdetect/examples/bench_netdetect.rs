//! Throughput of the engine on one core, from the committed captures held in memory: frame
//! parsing alone, parsing + flow table, and the whole engine (flows, eleven detectors, scoring).
//! The capture set is replayed `ROUNDS` times with shifted addresses (so flows stay distinct)
//! and times; prints packets per second for each stage.
//!
//!     cargo run --release -p netdetect --example bench_netdetect   (scripts/bench-netwatch runs it)

use std::path::Path;
use std::time::Instant;

use netdetect::capture::read_frames;
use netdetect::flow::FlowTable;
use netdetect::packet::{parse, LinkType};
use netdetect::{Engine, EngineConfig};

const ROUNDS: u32 = 20;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/dev");
    let mut frames: Vec<(f64, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "pcap") {
            let mut reader = pcap_frames(&path);
            frames.append(&mut reader);
        }
    }
    frames.sort_by(|a, b| a.0.total_cmp(&b.0));
    let base = frames[0].0;
    let span = frames.last().unwrap().0 - base + 1.0;
    let total = frames.len() as u64 * u64::from(ROUNDS);
    println!(
        "{} frames × {ROUNDS} rounds = {total} packets",
        frames.len()
    );

    let start = Instant::now();
    let mut parsed = 0u64;
    for round in 0..ROUNDS {
        for (ts, f) in &frames {
            parsed +=
                u64::from(parse(LinkType::Ethernet, ts + f64::from(round) * span, f).is_some());
        }
    }
    let parse_pps = total as f64 / start.elapsed().as_secs_f64();

    let mut metas = Vec::with_capacity(total as usize);
    for round in 0..ROUNDS {
        for (ts, f) in &frames {
            if let Some(mut m) = parse(LinkType::Ethernet, ts - base + f64::from(round) * span, f) {
                m.src = shift(m.src, round);
                m.dst = shift(m.dst, round);
                metas.push(m);
            }
        }
    }
    let start = Instant::now();
    let mut table = FlowTable::new(65_536, 60.0);
    let mut evicted = Vec::new();
    for m in &metas {
        table.update(m, &mut evicted);
        evicted.clear();
    }
    let flow_secs = start.elapsed().as_secs_f64();
    let flow_pps = metas.len() as f64 / flow_secs;

    let start = Instant::now();
    let mut engine = Engine::new(EngineConfig::default());
    for m in &metas {
        engine.observe(m);
    }
    let detections = engine.drain().len();
    let engine_pps = metas.len() as f64 / start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut with_parse = 0u64;
    let mut table = FlowTable::new(65_536, 60.0);
    for round in 0..ROUNDS {
        for (ts, f) in &frames {
            if let Some(m) = parse(LinkType::Ethernet, ts + f64::from(round) * span, f) {
                table.update(&m, &mut evicted);
                evicted.clear();
                with_parse += 1;
            }
        }
    }
    let build_pps = with_parse as f64 / start.elapsed().as_secs_f64();
    println!("parsed {parsed}; detections in the full-engine run: {detections}");
    println!("stage|packets/s (one core)");
    println!("parse frames|{parse_pps:.0}");
    println!("flow table only (parsed packets)|{flow_pps:.0}");
    println!("flow building from frames (parse + flow table)|{build_pps:.0}");
    println!("whole engine (flows + 11 detectors + scoring, parsed packets)|{engine_pps:.0}");
}

fn shift(ip: std::net::IpAddr, round: u32) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let mut o = v4.octets();
            o[1] = o[1].wrapping_add(round as u8);
            std::net::IpAddr::V4(o.into())
        }
        other => other,
    }
}

fn pcap_frames(path: &Path) -> Vec<(f64, Vec<u8>)> {
    let mut out = Vec::new();
    read_frames(std::fs::File::open(path).unwrap(), |_, ts, data| {
        out.push((ts, data.to_vec()))
    })
    .unwrap();
    out
}
