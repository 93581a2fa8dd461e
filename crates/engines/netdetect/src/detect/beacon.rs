//! C2_BEACON: per (internal host, external address, port), the start times and sizes of its
//! connections scored as RITA-legacy does (pkg/beacon/analyzer.go): timing = mean of
//! (1 − |Bowley skew of intervals|), (1 − MADM/30 s) and coverage min(1, connections /
//! (span / median interval + 1));
//! size = mean of (1 − |Bowley skew of sizes|), (1 − MADM/32 B) and (1 − mode/65535); score =
//! their mean. A minimum count, span and interval stop short bursts from scoring (the notes'
//! finding: a 200-GET burst also scores 1.0 without them).

use std::net::IpAddr;

use serde_json::json;

use super::{bounded, Bounded, Finding};
use crate::config::EngineConfig;
use crate::flow::Flow;
use crate::rules::Rule;

const MAX_CONNECTIONS: usize = 512;

#[derive(Default)]
struct Series {
    starts: Vec<f64>,
    sizes: Vec<f64>,
    alerted: bool,
}

pub struct BeaconDetector {
    series: Bounded<(IpAddr, IpAddr, u16), Series>,
}

fn quartiles(sorted: &[f64]) -> (f64, f64, f64) {
    let at = |q: f64| {
        let pos = q * (sorted.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    };
    (at(0.25), at(0.5), at(0.75))
}

fn bowley_skew(sorted: &[f64]) -> f64 {
    let (q1, q2, q3) = quartiles(sorted);
    if q3 - q1 == 0.0 || q2 == q1 || q2 == q3 {
        0.0
    } else {
        (q3 + q1 - 2.0 * q2) / (q3 - q1)
    }
}

fn madm(sorted: &[f64]) -> f64 {
    let (_, median, _) = quartiles(sorted);
    let mut dev: Vec<f64> = sorted.iter().map(|x| (x - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    quartiles(&dev).1
}

fn mode(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (mut best, mut best_n, mut i) = (sorted[0], 0, 0);
    while i < sorted.len() {
        let j = sorted[i..].iter().take_while(|&&x| x == sorted[i]).count();
        if j > best_n {
            best = sorted[i];
            best_n = j;
        }
        i += j;
    }
    best
}

/// The RITA-legacy score of connection start times and sizes, with its parts.
pub fn score(starts: &[f64], sizes: &[f64]) -> (f64, serde_json::Value) {
    let mut intervals: Vec<f64> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    intervals.sort_by(f64::total_cmp);
    let span = starts[starts.len() - 1] - starts[0];
    let ts_skew = 1.0 - bowley_skew(&intervals).abs();
    let ts_madm = (1.0 - madm(&intervals) / 30.0).max(0.0);
    // Coverage: connections seen / connections a beacon at the median interval would make.
    // (RITA-legacy divides by span / 10 s, which only dense beacons reach; see decisions.md.)
    let expected = span / quartiles(&intervals).1.max(1e-9) + 1.0;
    let ts_count = (starts.len() as f64 / expected).min(1.0);
    let ts_score = (ts_skew + ts_madm + ts_count) / 3.0;
    let mut sorted_sizes = sizes.to_vec();
    sorted_sizes.sort_by(f64::total_cmp);
    let ds_skew = 1.0 - bowley_skew(&sorted_sizes).abs();
    let ds_madm = (1.0 - madm(&sorted_sizes) / 32.0).max(0.0);
    let ds_smallness = (1.0 - mode(sizes) / 65_535.0).max(0.0);
    let ds_score = (ds_skew + ds_madm + ds_smallness) / 3.0;
    let total = (ts_score + ds_score) / 2.0;
    let median_interval = quartiles(&intervals).1;
    (
        total,
        json!({"timing_score": ts_score, "size_score": ds_score, "interval_skew": ts_skew,
        "interval_madm_secs": madm(&intervals), "connection_count_score": ts_count,
        "size_skew": ds_skew, "size_madm_bytes": madm(&sorted_sizes), "size_mode_bytes": mode(sizes),
        "median_interval_secs": median_interval, "span_secs": span, "connections": starts.len()}),
    )
}

impl BeaconDetector {
    pub fn new(max_sources: usize) -> BeaconDetector {
        BeaconDetector {
            series: bounded(max_sources),
        }
    }

    /// A connection from an internal host to an external address began.
    pub fn connection(&mut self, flow: &Flow, config: &EngineConfig) -> (f64, Option<Finding>) {
        let k = flow.key;
        if !config.internal(k.initiator) || config.internal(k.responder) {
            return (0.0, None);
        }
        let s = self.series.get_or_insert_mut(
            (k.initiator, k.responder, k.responder_port),
            Series::default,
        );
        if s.starts.len() >= MAX_CONNECTIONS {
            s.starts.remove(0);
            s.sizes.remove(0);
        }
        s.starts.push(flow.first_ts);
        s.sizes.push((flow.bytes_out + flow.bytes_in) as f64);
        let n = s.starts.len();
        let span = s.starts[n - 1] - s.starts[0];
        if (n as f64) < config.threshold(Rule::C2Beacon, "min_connections")
            || span < config.threshold(Rule::C2Beacon, "min_span_secs")
            || span / ((n - 1) as f64) < config.threshold(Rule::C2Beacon, "min_interval_secs")
        {
            return (0.0, None);
        }
        let (value, parts) = score(&s.starts, &s.sizes);
        if s.alerted || value < config.threshold(Rule::C2Beacon, "score") {
            return (value, None);
        }
        s.alerted = true;
        let finding = Finding::new(Rule::C2Beacon, k.initiator, k.protocol, s.starts[0], flow.last_ts)
            .to(k.responder, Some(k.responder_port))
            .because(
                format!("{} connections from {} to {}:{} every {:.1} s over {:.0} s (beacon score {value:.2})",
                    n, k.initiator, k.responder, k.responder_port, parts["median_interval_secs"].as_f64().unwrap_or(0.0), span),
                json!({"beacon_score": value, "parts": parts,
                    "flows": s.starts.iter().zip(&s.sizes).take(64)
                        .map(|(t, b)| json!({"start": t, "bytes": b})).collect::<Vec<_>>()}),
            )
            .with_thresholds(config);
        (value, Some(finding))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_beacon_scores_high_and_a_random_one_low() {
        let starts: Vec<f64> = (0..40)
            .map(|i| i as f64 * 60.0 + if i % 2 == 0 { 2.0 } else { -2.0 })
            .collect();
        let sizes = vec![420.0; 40];
        assert!(score(&starts, &sizes).0 >= 0.9);
        let mut t = 0.0;
        let irregular: Vec<f64> = (0..40)
            .map(|i| {
                t += [3.0, 400.0, 17.0, 90.0, 1.0][i % 5];
                t
            })
            .collect();
        let varied: Vec<f64> = (0..40).map(|i| (i * 977 % 9000) as f64).collect();
        assert!(score(&irregular, &varied).0 < 0.6);
    }
}
