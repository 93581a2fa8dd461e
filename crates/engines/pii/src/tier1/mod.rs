//! Tier 1: validated identifiers. Each detector finds candidates with a regex and keeps only
//! those that pass the identifier's own rules (checksums, lengths, ranges, numbering plans).

mod card;
mod email;
mod iban;
mod ip;
mod nir;
mod phone;
mod siren;

use std::sync::OnceLock;

use regex::Regex;

use crate::{Finding, PiiType, Tier};

/// All Tier 1 candidates in byte offsets, overlapping ones included.
pub fn candidates(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    if text.contains('@') {
        email::find(text, &mut out);
    }
    if text.bytes().any(|b| b.is_ascii_digit()) {
        card::find(text, &mut out);
        iban::find(text, &mut out);
        nir::find(text, &mut out);
        siren::find(text, &mut out);
        ip::find(text, &mut out);
        phone::find(text, &mut out);
    }
    out
}

pub(crate) fn finding(kind: PiiType, start: usize, end: usize, score: f32) -> Finding {
    Finding {
        kind,
        start,
        end,
        score,
        tier: Tier::One,
    }
}

/// Compiles a pattern once per process.
pub(crate) fn lazy_regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid built-in pattern"))
}

/// The ASCII digits of `s`, separators dropped.
pub(crate) fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Up to `width` bytes before `start`, lower-cased, on a character boundary: where context
/// words ("siret", "carte", "version") are looked for.
pub(crate) fn context_before(text: &str, start: usize, width: usize) -> String {
    let mut from = start.saturating_sub(width);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    text[from..start].to_lowercase()
}

/// True when a `+` and a country code come right before `start` ("+385 802 657 081",
/// "+49 800 …"): the digits belong to an international phone number, not to a card or SIRET.
pub(crate) fn after_country_code(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '.', '-']);
    let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    before[..before.len() - digits].ends_with('+') && digits <= 3
}

/// True when the match is glued to more digits or letters than the pattern's own boundary
/// sees (e.g. a candidate inside `1.2.3.4.5` or `x12345`).
pub(crate) fn glued(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let glue = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    glue(before) || glue(after)
}
