//! The training run behind model/model.json: replays every capture of a labelled set, takes each
//! source's window features every 5 s and at each detection (label 1: the capture's attacker in an
//! attack capture; 0: everyone else and every source of the benign captures), standardises the
//! transformed features, and fits an L2 logistic regression by Newton's method (IRLS) with
//! balanced class weights. Prints the metrics and writes the model.
//!
//!     scripts/train-netdetect            # = cargo run --release -p netdetect --example train -- captures/dev

#![allow(clippy::needless_range_loop)] // matrix code reads best with indices

use std::path::PathBuf;

use netdetect::replay::{read_labels, replay};
use netdetect::score::{FeatureWeight, Model, Transform};
use netdetect::source::FEATURES;
use netdetect::EngineConfig;
use serde_json::json;

/// L2 penalty on the standardised weights (not on the bias).
const LAMBDA: f64 = 1.0;
const SNAPSHOT_SECS: f64 = 5.0;

fn transform_of(name: &str) -> Transform {
    match name {
        "trw_llr"
        | "half_open_ratio"
        | "producer_consumer_ratio"
        | "beacon_score"
        | "off_hours" => Transform::Identity,
        _ => Transform::Log1p,
    }
}

fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .expect("rows");
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: train CAPTURE_DIR [OUT]"));
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/model/model.json")));
    let labels = read_labels(&dir).expect("labels.jsonl");
    let placeholder = Model {
        version: "untrained".into(),
        bias: 0.0,
        features: FEATURES
            .iter()
            .map(|n| FeatureWeight {
                name: (*n).into(),
                transform: transform_of(n),
                mean: 0.0,
                scale: 1.0,
                weight: 0.0,
            })
            .collect(),
        training: serde_json::Value::Null,
    };
    let (mut rows, mut ys): (Vec<Vec<f64>>, Vec<f64>) = (Vec::new(), Vec::new());
    for label in &labels {
        let run = replay(
            &dir,
            label,
            EngineConfig::default(),
            placeholder.clone(),
            SNAPSHOT_SECS,
            false,
        )
        .expect("replay");
        let attacker = label.attacker_ip();
        for s in run.snapshots {
            let y = f64::from(u8::from(
                !label.rules.is_empty() && Some(s.source) == attacker,
            ));
            rows.push(
                s.features
                    .iter()
                    .zip(FEATURES)
                    .map(|(v, n)| transform_of(n).apply(*v))
                    .collect(),
            );
            ys.push(y);
        }
    }
    let d = FEATURES.len();
    let n = rows.len() as f64;
    let means: Vec<f64> = (0..d)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n)
        .collect();
    let scales: Vec<f64> = (0..d)
        .map(|j| {
            let var = rows.iter().map(|r| (r[j] - means[j]).powi(2)).sum::<f64>() / n;
            if var > 1e-12 {
                var.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    let z: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| (0..d).map(|j| (r[j] - means[j]) / scales[j]).collect())
        .collect();
    let positives = ys.iter().filter(|&&y| y == 1.0).count() as f64;
    let negatives = n - positives;
    let weight_of = |y: f64| {
        if y == 1.0 {
            n / (2.0 * positives)
        } else {
            n / (2.0 * negatives)
        }
    };
    // Newton steps on the penalised, class-weighted log-loss; parameter 0 is the bias.
    let mut w = vec![0.0; d + 1];
    for _ in 0..50 {
        let mut grad = vec![0.0; d + 1];
        let mut hess = vec![vec![0.0; d + 1]; d + 1];
        for (x, &y) in z.iter().zip(&ys) {
            let logit = w[0] + (0..d).map(|j| w[j + 1] * x[j]).sum::<f64>();
            let p = 1.0 / (1.0 + (-logit).exp());
            let c = weight_of(y);
            let xs: Vec<f64> = std::iter::once(1.0).chain(x.iter().copied()).collect();
            for i in 0..=d {
                grad[i] += c * (p - y) * xs[i];
                for k in 0..=d {
                    hess[i][k] += c * p * (1.0 - p) * xs[i] * xs[k];
                }
            }
        }
        for i in 1..=d {
            grad[i] += LAMBDA * w[i];
            hess[i][i] += LAMBDA;
        }
        hess[0][0] += 1e-9;
        let step = solve(hess, grad.clone());
        for i in 0..=d {
            w[i] -= step[i];
        }
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-10 {
            break;
        }
    }
    let (mut correct, mut loss) = (0usize, 0.0);
    for (x, &y) in z.iter().zip(&ys) {
        let logit = w[0] + (0..d).map(|j| w[j + 1] * x[j]).sum::<f64>();
        let p = 1.0 / (1.0 + (-logit).exp());
        correct += usize::from((p >= 0.5) == (y == 1.0));
        loss -= y * p.max(1e-12).ln() + (1.0 - y) * (1.0 - p).max(1e-12).ln();
    }
    let model = Model {
        version: format!(
            "lr-{}-l2-{LAMBDA}",
            dir.file_name().and_then(|s| s.to_str()).unwrap_or("set")
        ),
        bias: w[0],
        features: FEATURES
            .iter()
            .enumerate()
            .map(|(j, name)| FeatureWeight {
                name: (*name).into(),
                transform: transform_of(name),
                mean: means[j],
                scale: scales[j],
                weight: w[j + 1],
            })
            .collect(),
        training: json!({
            "method": "L2 logistic regression, Newton/IRLS, balanced class weights",
            "lambda": LAMBDA, "snapshot_secs": SNAPSHOT_SECS,
            "captures": labels.iter().map(|l| l.capture.clone()).collect::<Vec<_>>(),
            "samples": n, "positives": positives, "negatives": negatives,
            "training_accuracy": correct as f64 / n, "training_log_loss": loss / n,
            "reproduce": "scripts/train-netdetect",
        }),
    };
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&model).expect("json") + "\n",
    )
    .expect("writing the model");
    println!(
        "{} samples ({} positive); training accuracy {:.3}, log-loss {:.3}",
        n,
        positives,
        correct as f64 / n,
        loss / n
    );
    for f in &model.features {
        println!(
            "{:<26} weight {:+.3}  mean {:.3}  scale {:.3}",
            f.name, f.weight, f.mean, f.scale
        );
    }
    println!("bias {:+.3}; written to {}", model.bias, out.display());
}
