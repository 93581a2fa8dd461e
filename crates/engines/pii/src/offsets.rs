//! Byte offsets (what regexes give) to character offsets (what the contract reports).

use crate::Finding;

/// Detectors work in byte offsets; this converts a sorted list in one pass over the text.
pub(crate) fn to_char_offsets(text: &str, mut findings: Vec<Finding>) -> Vec<Finding> {
    if text.is_ascii() {
        return findings;
    }
    let mut boundaries: Vec<usize> = findings.iter().flat_map(|f| [f.start, f.end]).collect();
    boundaries.sort_unstable();
    boundaries.dedup();
    let mut map = std::collections::HashMap::with_capacity(boundaries.len());
    let mut chars = 0;
    let mut next = boundaries.iter().peekable();
    for (byte, _) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        while let Some(&&b) = next.peek() {
            if b > byte {
                break;
            }
            map.insert(b, chars);
            next.next();
        }
        chars += 1;
    }
    for f in &mut findings {
        f.start = map[&f.start];
        f.end = map[&f.end];
    }
    findings
}
