//! PHONE: candidates in international (+CC / 00CC) and French national (0X XX XX XX XX) forms,
//! kept only when libphonenumber's metadata (the `phonenumber` crate) says the number is valid.

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
}
