//! Byte offsets (what regexes give) to character offsets (what the contract reports).

use crate::Finding;

/// Detectors work in byte offsets; this converts them all in one pass over the text.
pub(crate) fn to_char_offsets(text: &str, mut findings: Vec<Finding>) -> Vec<Finding> {
    if text.is_ascii() {
        return findings;
    }
    let mut boundaries: Vec<usize> = findings.iter().flat_map(|f| [f.start, f.end]).collect();
    boundaries.sort_unstable();
    boundaries.dedup();
    // (byte offset, character offset) for each boundary, in order; the walk stops at the last.
    let mut map: Vec<(usize, usize)> = Vec::with_capacity(boundaries.len());
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
            map.push((b, chars));
            next.next();
        }
        if next.peek().is_none() {
            break;
        }
    }
    let char_at = |byte: usize| map[map.partition_point(|&(b, _)| b < byte)].1;
    for f in &mut findings {
        f.start = char_at(f.start);
        f.end = char_at(f.end);
    }
    findings
}
