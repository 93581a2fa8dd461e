//! Engine latency: an 80-character and a 2 KB prompt (criterion), and a p50/p99 table over
//! single calls for 80 B, 1 KB and 2 KB prompts (issue 3's target: Tier 1+2 p99 ≤ 100 µs at 1 KB).
//!
//!     cargo bench -p pii --bench detect

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, Criterion};

const SHORT: &str = "Écris à alice@acme.fr et rappelle-moi au 06 12 34 56 78 avant midi."; // 68 chars

/// A realistic long prompt: French and English prose with a few identifiers and a secret.
fn long_prompt(target_bytes: usize) -> String {
    let paragraphs = [
        "Bonjour, peux-tu reformuler ce courriel pour le service client ? Le client dit ne pas avoir reçu sa commande et demande un remboursement rapide. ",
        "Please summarise the following meeting notes: the team agreed to migrate the billing service next quarter, pending the security review. ",
        "Voici ses coordonnées : jean.dupont@exemple.fr, téléphone +33 1 23 45 67 89, IBAN FR76 3000 6000 0112 3456 7890 189. ",
        "The deployment failed on host 10.12.4.7 with token 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 in the logs; explain the stack trace. ",
        "Traduis en anglais : « Nous avons bien reçu votre dossier et nous reviendrons vers vous sous huit jours ouvrés. » ",
    ];
    let mut text = String::new();
    let mut i = 0;
    while text.len() < target_bytes {
        text.push_str(paragraphs[i % paragraphs.len()]);
        i += 1;
    }
    let mut end = target_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

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
    percentiles(
        "80-char PII-free",
        "Résume l'article sur la réforme des retraites en trois points.",
    );
    println!();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
