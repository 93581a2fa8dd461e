//! EMAIL: a practical address pattern (local part ≤ 64, labels ≤ 63, a letters-only TLD).

use std::sync::OnceLock;

use super::{finding, lazy_regex};
use crate::{Finding, PiiType};

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = lazy_regex(
        &RE,
        r"(?i)(?-u:\b)[a-z0-9][a-z0-9._%+-]{0,63}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?-u:\b)",
    );
    for m in re.find_iter(text) {
        let local = m.as_str().split('@').next().unwrap_or_default();
        if local.len() <= 64 && !local.ends_with('.') && !local.contains("..") {
            out.push(finding(PiiType::Email, m.start(), m.end(), 0.95));
        }
    }
}
