//! IP_ADDRESS: dotted IPv4 with 0–255 octets (not version numbers), and IPv6 confirmed by the
//! standard library's parser.

use std::net::Ipv6Addr;
use std::str::FromStr;
use std::sync::OnceLock;

use super::{context_before, finding, lazy_regex};
use crate::{Finding, PiiType};

const VERSION_WORDS: &[&str] = &["version", "v", "build", "release", "rev", "ver"];

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static V4: OnceLock<regex::Regex> = OnceLock::new();
    static V6: OnceLock<regex::Regex> = OnceLock::new();
    let octet = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)";
    let v4 = lazy_regex(&V4, &format!(r"(?-u:\b){octet}(?:\.{octet}){{3}}(?-u:\b)"));
    for m in v4.find_iter(text) {
        let after = &text[m.end()..];
        let before = &text[..m.start()];
        // Part of a longer dotted run (1.2.3.4.5) or of a word.
        if after
            .starts_with(|c: char| c == '.' && after[1..].starts_with(|d: char| d.is_ascii_digit()))
            || before.ends_with(|c: char| c == '.' || c.is_alphanumeric())
        {
            continue;
        }
        let context = context_before(text, m.start(), 12);
        let last_word = context
            .split(|c: char| !c.is_alphanumeric())
            .rfind(|w| !w.is_empty());
        if last_word.is_some_and(|w| VERSION_WORDS.contains(&w)) {
            continue;
        }
        out.push(finding(PiiType::IpAddress, m.start(), m.end(), 0.9));
    }
    if !text.contains(':') {
        return;
    }
    let v6 = lazy_regex(
        &V6,
        r"(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%[0-9a-z]+)?",
    );
    for m in v6.find_iter(text) {
        let candidate = m.as_str().split('%').next().unwrap_or_default();
        let glued = text[..m.start()].ends_with(|c: char| c.is_alphanumeric())
            || text[m.end()..].starts_with(|c: char| c.is_alphanumeric());
        if candidate.matches(':').count() >= 2 && !glued && Ipv6Addr::from_str(candidate).is_ok() {
            out.push(finding(PiiType::IpAddress, m.start(), m.end(), 0.9));
        }
    }
}
