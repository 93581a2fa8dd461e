//! Evaluation driver for scripts/bench-pii: reads one JSON string (a prompt) per stdin line,
//! writes one JSON line per prompt with the findings (character offsets) and the detection time
//! in nanoseconds (median of 5 runs after one warm-up, so the time is the engine's, not I/O).

use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

fn main() {
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        let text: String = parse_json_string(&line);
        let _ = pii::detect(&text);
        let mut times = [0u128; 5];
        let mut findings = Vec::new();
        for t in &mut times {
            let started = Instant::now();
            findings = pii::detect(std::hint::black_box(&text));
            *t = started.elapsed().as_nanos();
        }
        times.sort_unstable();
        let items: Vec<String> = findings
            .iter()
            .map(|f| {
                format!(
                    "[\"{}\",{},{},{}]",
                    f.kind.as_str(),
                    f.start,
                    f.end,
                    f.score
                )
            })
            .collect();
        writeln!(
            out,
            "{{\"ns\":{},\"findings\":[{}]}}",
            times[2],
            items.join(",")
        )
        .expect("stdout");
    }
}

/// Decodes a JSON string literal (the subset Python's json.dumps writes).
fn parse_json_string(line: &str) -> String {
    let inner = line.trim().trim_start_matches('"').trim_end_matches('"');
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('u') => {
                let code: String = chars.by_ref().take(4).collect();
                let mut cp = u32::from_str_radix(&code, 16).unwrap_or(0xFFFD);
                if (0xD800..0xDC00).contains(&cp) {
                    let _ = chars.next();
                    let _ = chars.next();
                    let low: String = chars.by_ref().take(4).collect();
                    let low = u32::from_str_radix(&low, 16).unwrap_or(0xDC00);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}
