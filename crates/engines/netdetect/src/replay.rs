//! Replaying a labelled capture (pcap + optional auth log) through a fresh engine: what the
//! tests, the training run and the evaluation share. Labels are `labels.jsonl` lines written by
//! scripts/netwatch-captures: capture file, expected rules, attacker address, time window.

use std::fs::File;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::capture::{read_capture, CaptureError};
use crate::config::EngineConfig;
use crate::engine::{Detection, Engine};
use crate::packet::PacketMeta;
use crate::score::Model;

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub capture: String,
    pub rules: Vec<String>,
    /// The offending address ("" for benign captures).
    pub attacker: String,
    pub monitored: String,
    pub start: f64,
    pub end: f64,
}

impl Label {
    pub fn attacker_ip(&self) -> Option<IpAddr> {
        self.attacker.parse().ok()
    }

    pub fn name(&self) -> &str {
        self.capture.trim_end_matches(".pcap")
    }
}

pub fn read_labels(dir: &Path) -> std::io::Result<Vec<Label>> {
    let text = std::fs::read_to_string(dir.join("labels.jsonl"))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(std::io::Error::other))
        .collect()
}

/// A source's features at one moment (for training).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub ts: f64,
    pub source: IpAddr,
    pub features: Vec<f64>,
}

pub struct Replay {
    pub detections: Vec<Detection>,
    pub snapshots: Vec<Snapshot>,
    pub packets: u64,
    /// The packets, kept when asked (latency in probes is counted from them).
    pub kept: Vec<PacketMeta>,
}

/// The auth log that goes with a capture, if one was recorded.
pub fn auth_log_of(dir: &Path, label: &Label) -> Option<PathBuf> {
    let path = dir.join(format!("{}.auth.log", label.name()));
    path.exists().then_some(path)
}

/// Runs the capture (and its auth log, interleaved by time) through an engine built from
/// `config` and `model`, snapshotting every source's features every `every` seconds.
pub fn replay(
    dir: &Path,
    label: &Label,
    mut config: EngineConfig,
    model: Model,
    every: f64,
    keep: bool,
) -> Result<Replay, CaptureError> {
    let log = auth_log_of(dir, label);
    config.auth_log = log.is_some();
    let mut engine = Engine::with_model(config, model);
    let mut packets = Vec::new();
    read_capture(File::open(dir.join(&label.capture))?, |p| packets.push(p))?;
    let mut lines: Vec<(f64, String)> = match log {
        Some(path) => std::fs::read_to_string(path)?
            .lines()
            .map(|l| {
                (
                    crate::detect::auth::parse_line(l, label.start).map_or(label.start, |f| f.ts),
                    l.to_string(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut lines = lines.into_iter().peekable();
    let mut snapshots = Vec::new();
    let mut detections = Vec::new();
    let mut next_snapshot = packets.first().map_or(0.0, |p| p.ts);
    let snap = |engine: &Engine, ts: f64, snapshots: &mut Vec<Snapshot>| {
        for source in engine.sources() {
            if let Some(features) = engine.features_of(source, ts) {
                snapshots.push(Snapshot {
                    ts,
                    source,
                    features,
                });
            }
        }
    };
    for p in &packets {
        while let Some((_, line)) = lines.next_if(|(t, _)| *t <= p.ts) {
            engine.observe_auth_line(&line, p.ts);
        }
        engine.observe(p);
        for d in engine.drain() {
            if let Ok(source) = d.source_ip.to_string().parse() {
                if let Some(features) = engine.features_of(source, d.ts) {
                    snapshots.push(Snapshot {
                        ts: d.ts,
                        source,
                        features,
                    });
                }
            }
            detections.push(d);
        }
        if p.ts >= next_snapshot {
            snap(&engine, p.ts, &mut snapshots);
            next_snapshot = p.ts + every;
        }
    }
    let end = packets.last().map_or(label.end, |p| p.ts);
    for (_, line) in lines {
        engine.observe_auth_line(&line, end);
    }
    engine.finish(end);
    detections.extend(engine.drain());
    snap(&engine, end, &mut snapshots);
    Ok(Replay {
        detections,
        snapshots,
        packets: packets.len() as u64,
        kept: if keep { packets } else { Vec::new() },
    })
}
