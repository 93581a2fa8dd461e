//! PHONE: candidates in international (+CC / 00CC) and French national (0X XX XX XX XX) forms,
//! North-American national forms ((415) 555-0132, 415-555-0132, 415.555.0132; ten bare digits
//! only next to a phone word), kept only when libphonenumber's metadata (the `phonenumber`
//! crate) says the number is valid.

use std::sync::OnceLock;

use phonenumber::country::Id;

use super::{finding, glued, lazy_regex};
use crate::{Finding, PiiType};

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = lazy_regex(
        &RE,
        r"(?:\+|(?-u:\b)00)\d{1,3}(?:[ .-]?\(0\))?(?:[ .-]?\d){6,14}(?-u:\b)|(?-u:\b)0[1-9](?:[ .-]?\d{2}){4}(?-u:\b)",
    );
    for m in re.find_iter(text) {
        if glued(text, m.start(), m.end()) && !m.as_str().starts_with('+') {
            continue;
        }
        let candidate = m.as_str().replacen("(0)", "", 1);
        let candidate = match candidate.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => candidate,
        };
        let valid =
            phonenumber::parse(Some(Id::FR), &candidate).is_ok_and(|n| phonenumber::is_valid(&n));
        if valid {
            out.push(finding(PiiType::Phone, m.start(), m.end(), 0.9));
        }
    }
    find_north_american(text, out);
}

/// Words that make ten bare digits a phone number when they come shortly before.
const PHONE_WORDS: [&str; 16] = [
    "call", "phone", "tel", "mobile", "cell", "reach", "contact", "text", "sms", "fax", "number",
    "appel", "numéro", "joindre", "portable", "whatsapp",
];

fn find_north_american(text: &str, out: &mut Vec<Finding>) {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = lazy_regex(
        &RE,
        r"(?:\(\d{3}\)\s?|(?-u:\b)\d{3}[-. ])\d{3}[-. ]\d{4}(?-u:\b)|(?-u:\b)[2-9]\d{9}(?-u:\b)",
    );
    for m in re.find_iter(text) {
        if glued(text, m.start(), m.end()) {
            continue;
        }
        let bare = m.as_str().bytes().all(|b| b.is_ascii_digit());
        if bare {
            let window_start = text[..m.start()]
                .char_indices()
                .rev()
                .nth(60)
                .map_or(0, |(i, _)| i);
            let before = text[window_start..m.start()].to_lowercase();
            if !PHONE_WORDS.iter().any(|w| before.contains(w)) {
                continue;
            }
        }
        let valid =
            phonenumber::parse(Some(Id::US), m.as_str()).is_ok_and(|n| phonenumber::is_valid(&n));
        if valid {
            out.push(finding(PiiType::Phone, m.start(), m.end(), 0.8));
        }
    }
}
