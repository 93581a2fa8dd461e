//! Replays a labelled capture set and prints, per capture, what was expected, what fired, the
//! latency (probes, failures, seconds) and any false alert; exits 1 on a miss or a false alert.
//!
//!     cargo run --release -p netdetect --example evaluate -- crates/engines/netdetect/captures/held

use std::path::PathBuf;

use netdetect::replay::{read_labels, replay};
use netdetect::{EngineConfig, Model};

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: evaluate CAPTURE_DIR"),
    );
    let labels = read_labels(&dir).expect("labels.jsonl");
    let mut failures = 0;
    let mut shap_worst: f64 = 0.0;
    println!(
        "{:<20} {:<28} {:<28} {:>7} {:>7} {:>9}  detail",
        "capture", "expected", "fired (by attacker)", "probes", "failed", "secs"
    );
    for label in &labels {
        let run = replay(
            &dir,
            label,
            EngineConfig::default(),
            Model::shipped(),
            1e9,
            false,
        )
        .expect("replay");
        let attacker = label.attacker_ip();
        let mut fired: Vec<String> = Vec::new();
        let mut false_alerts: Vec<String> = Vec::new();
        let (mut probes, mut failed, mut secs, mut detail) =
            (String::new(), String::new(), String::new(), String::new());
        for d in &run.detections {
            let (p, l) = d.explanation.additivity_error();
            shap_worst = shap_worst.max(p).max(l);
            let name = d.rule.as_str().to_string();
            if label.rules.contains(&name) && Some(d.source_ip) == attacker {
                if !fired.contains(&name) {
                    fired.push(name.clone());
                    let e = &d.evidence;
                    probes = e["probes"]
                        .as_u64()
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    failed = e["failed_first_contacts"]
                        .as_u64()
                        .or(e["failures"].as_u64())
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    secs = format!("{:.2}", d.ts - label.start.min(d.first_seen));
                    detail = format!("score {:.3}; {}", d.explanation.score, d.summary);
                }
            } else {
                false_alerts.push(format!("{}@{}", name, d.source_ip));
            }
        }
        let missed: Vec<&String> = label.rules.iter().filter(|r| !fired.contains(r)).collect();
        if !missed.is_empty() || !false_alerts.is_empty() {
            failures += 1;
        }
        println!(
            "{:<20} {:<28} {:<28} {:>7} {:>7} {:>9}  {}{}",
            label.name(),
            label.rules.join(","),
            fired.join(","),
            probes,
            failed,
            secs,
            detail,
            if false_alerts.is_empty() {
                String::new()
            } else {
                format!("  FALSE: {}", false_alerts.join(" "))
            }
        );
    }
    println!("worst SHAP additivity error: {shap_worst:.3e}");
    println!(
        "{} of {} captures as labelled",
        labels.len() - failures,
        labels.len()
    );
    std::process::exit(i32::from(failures > 0));
}
