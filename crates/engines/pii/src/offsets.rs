//! Byte offsets (what regexes give) to character offsets (what the contract reports).

use std::collections::HashMap;

use crate::Finding;

/// Detectors work in byte offsets; this converts them all in one pass over the text.
pub(crate) fn to_char_offsets(text: &str, mut findings: Vec<Finding>) -> Vec<Finding> {
    if text.is_ascii() {
        return findings;
    }
    let mut boundaries: Vec<usize> = findings.iter().flat_map(|f| [f.start, f.end]).collect();
    boundaries.sort_unstable();
    boundaries.dedup();
    let mut map = HashMap::with_capacity(boundaries.len());
    let mut next = boundaries.iter().peekable();
    let positions = text
        .char_indices()
        .map(|(byte, _)| byte)
        .chain(std::iter::once(text.len()));
    for (chars, byte) in positions.enumerate() {
        while let Some(&&b) = next.peek() {
            if b > byte {
                break;
            }
            map.insert(b, chars);
            next.next();
        }
    }
    for f in &mut findings {
        f.start = map[&f.start];
        f.end = map[&f.end];
    }
    findings
}
