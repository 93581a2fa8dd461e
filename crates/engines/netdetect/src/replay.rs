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

/// Feeds a capture file and, optionally, an auth log through `engine`, interleaved by time (log
/// lines without a time of their own count as read at the capture's start); `each` sees every
/// detection as it is raised, and `every` seconds of capture time (for feature snapshots).
/// Ends with [`Engine::finish`]. Returns the packets read.
pub fn feed_files(
    engine: &mut Engine,
    pcap: &Path,
    auth_log: Option<&Path>,
    every: f64,
    mut each: impl FnMut(&Engine, Option<Detection>, f64),
) -> Result<Vec<PacketMeta>, CaptureError> {
    let mut packets = Vec::new();
    read_capture(File::open(pcap)?, |p| packets.push(p))?;
    let start = packets.first().map_or(0.0, |p| p.ts);
    let mut lines: Vec<(f64, String)> = match auth_log {
        Some(path) => std::fs::read_to_string(path)?
            .lines()
            .map(|l| {
                (
                    crate::detect::auth::parse_line(l, start).map_or(start, |f| f.ts),
                    l.to_string(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut lines = lines.into_iter().peekable();
    let mut next_tick = start;
    for p in &packets {
        while let Some((_, line)) = lines.next_if(|(t, _)| *t <= p.ts) {
            engine.observe_auth_line(&line, p.ts);
        }
        engine.observe(p);
        for d in engine.drain() {
            let ts = d.ts;
            each(engine, Some(d), ts);
        }
        if p.ts >= next_tick {
            each(engine, None, p.ts);
            next_tick = p.ts + every;
        }
    }
    let end = packets.last().map_or(start, |p| p.ts);
    for (_, line) in lines {
        engine.observe_auth_line(&line, end);
    }
    engine.finish(end);
    for d in engine.drain() {
        each(engine, Some(d), end);
    }
    each(engine, None, end);
    Ok(packets)
}

/// Runs a labelled capture (and its auth log) through an engine built from `config` and
/// `model`, snapshotting every source's features every `every` seconds and at each detection.
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
    let mut snapshots = Vec::new();
    let mut detections = Vec::new();
    let packets = feed_files(
        &mut engine,
        &dir.join(&label.capture),
        log.as_deref(),
        every,
        |engine, d, ts| {
            let sources = match &d {
                Some(d) => vec![d.source_ip],
                None => engine.sources(),
            };
            for source in sources {
                if let Some(features) = engine.features_of(source, ts) {
                    snapshots.push(Snapshot {
                        ts,
                        source,
                        features,
                    });
                }
            }
            detections.extend(d);
        },
    )?;
    Ok(Replay {
        detections,
        snapshots,
        packets: packets.len() as u64,
        kept: if keep { packets } else { Vec::new() },
    })
}
