//! Engine latency: an 80-character and a 2 KB prompt (criterion), and a p50/p99 table over
//! single calls for 80 B, 1 KB and 2 KB prompts (issue 3's target: Tier 1+2 p99 ≤ 100 µs at 1 KB).
//!
//!     cargo bench -p pii --bench detect

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, Criterion};

#[path = "support/prompts.rs"]
mod prompts;
use prompts::{long_prompt, SHORT, SHORT_CLEAN};

fn percentiles(label: &str, text: &str) {
    for _ in 0..200 {
        black_box(pii::detect(black_box(text)));
    }
    let mut samples: Vec<f64> = (0..10_000)
        .map(|_| {
            let t = Instant::now();
            black_box(pii::detect(black_box(text)));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    println!(
        "{label:<28} {:>8} {:>10.2} {:>10.2}",
        text.len(),
        at(0.5),
        at(0.99)
    );
}

fn bench(c: &mut Criterion) {
    let two_kb = long_prompt(2048);
    c.bench_function("detect 80-char prompt", |b| {
        b.iter(|| pii::detect(black_box(SHORT)))
    });
    c.bench_function("detect 2 KB prompt", |b| {
        b.iter(|| pii::detect(black_box(&two_kb)))
    });
}

criterion_group!(benches, bench);

fn main() {
    println!(
        "{:<28} {:>8} {:>10} {:>10}",
        "prompt", "bytes", "p50 µs", "p99 µs"
    );
    percentiles("80-char (email, phone)", SHORT);
    percentiles("1 KB mixed FR/EN", &long_prompt(1024));
    percentiles("2 KB mixed FR/EN", &long_prompt(2048));
    percentiles("80-char PII-free", SHORT_CLEAN);
    println!();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
