//! FR_NIR (French social-security number): 13-character body + key = 97 − (body mod 97),
//! with Corsica's 2A/2B counted as 19/18.

use std::sync::OnceLock;

use super::{context_before, finding, glued, lazy_regex};
use crate::checksum::luhn;
use crate::{Finding, PiiType};

/// The key of a 13-character NIR body (digits, or 2A/2B in the département).
pub(crate) fn key(body: &str) -> Option<u64> {
    if body.len() != 13 {
        return None;
    }
    let numeric = match &body[5..7] {
        "2A" => format!("{}19{}", &body[..5], &body[7..]),
        "2B" => format!("{}18{}", &body[..5], &body[7..]),
        _ => body.to_string(),
    };
    let n: u64 = numeric.parse().ok()?;
    Some(97 - n % 97)
}

const NIR_WORDS: &[&str] = &[
    "sécu",
    "secu",
    "sécurité sociale",
    "securite sociale",
    "nir",
    "insee",
    "social security",
    "ssn",
];

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = lazy_regex(
        &RE,
        r"(?-u:\b)[1-478] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}(?-u:\b)",
    );
    for m in re.find_iter(text) {
        if glued(text, m.start(), m.end()) {
            continue;
        }
        let compact: String = m
            .as_str()
            .chars()
            .filter(|c| *c != ' ')
            .collect::<String>()
            .to_uppercase();
        let (body, given) = compact.split_at(13);
        if key(body).is_none_or(|k| given.parse::<u64>().ok() != Some(k)) {
            continue;
        }
        // One valid card in 97 also passes the NIR key. Provisional NIRs (sex digit 3, 4, 7, 8)
        // are rare and Amex numbers start with 34/37: a number valid as both is a card unless
        // the text speaks of social security.
        let card_like = compact.starts_with(['3', '4', '7', '8'])
            && luhn(&compact)
            && super::card::scheme(&compact).is_some();
        if card_like
            && !NIR_WORDS
                .iter()
                .any(|w| context_before(text, m.start(), 48).contains(w))
        {
            continue;
        }
        out.push(finding(PiiType::FrNir, m.start(), m.end(), 0.99));
    }
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn keys_including_corsica() {
        // Cross-checked with python-stdnum (stdnum.fr.nir.calc_check_digits).
        assert_eq!(key("1850578006084"), Some(91));
        // Corsica: 2A counts as 19, 2B as 18.
        assert!(key("2690520A01234").is_none());
        assert_eq!(key("185052A006084"), Some(35));
        assert_eq!(key("185052B006084"), Some(62));
    }
}
