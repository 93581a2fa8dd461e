//! CREDIT_CARD: Luhn plus the scheme's issuer range and length (Mastercard's 2221–2720 included).

use std::sync::OnceLock;

use super::{digits_of, finding, glued, lazy_regex};
use crate::checksum::luhn;
use crate::{Finding, PiiType};

/// The card scheme whose issuer range and length `digits` fits.
pub(crate) fn scheme(digits: &str) -> Option<&'static str> {
    let len = digits.len();
    let prefix = |n: usize| {
        digits
            .get(..n)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let in_range = |n: usize, lo: u32, hi: u32| (lo..=hi).contains(&prefix(n));
    if digits.starts_with('4') && matches!(len, 13 | 16 | 18 | 19) {
        return Some("visa");
    }
    if (in_range(2, 51, 55) || in_range(4, 2221, 2720)) && len == 16 {
        return Some("mastercard");
    }
    if (in_range(2, 34, 34) || in_range(2, 37, 37)) && len == 15 {
        return Some("amex");
    }
    if (in_range(3, 300, 305) || in_range(2, 36, 36) || in_range(2, 38, 39))
        && matches!(len, 14 | 16 | 19)
    {
        return Some("diners");
    }
    if (in_range(4, 6011, 6011) || in_range(3, 644, 649) || in_range(2, 65, 65))
        && matches!(len, 16 | 19)
    {
        return Some("discover");
    }
    if in_range(4, 3528, 3589) && (16..=19).contains(&len) {
        return Some("jcb");
    }
    if in_range(4, 2200, 2204) && (16..=19).contains(&len) {
        return Some("mir");
    }
    if in_range(2, 62, 62) && (14..=19).contains(&len) {
        return Some("unionpay");
    }
    if (in_range(2, 50, 50) || in_range(2, 56, 59) || in_range(2, 63, 63) || in_range(2, 67, 67))
        && (12..=19).contains(&len)
    {
        return Some("maestro");
    }
    None
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    // Digits in one run, or in groups joined by single spaces or dashes.
    let re = lazy_regex(&RE, r"(?-u:\b)\d(?:[ -]?\d){11,18}(?-u:\b)");
    for m in re.find_iter(text) {
        // After a '+' or a country code, digits are an international phone number.
        if glued(text, m.start(), m.end()) || super::after_country_code(text, m.start()) {
            continue;
        }
        let digits = digits_of(m.as_str());
        if luhn(&digits) && scheme(&digits).is_some() {
            out.push(finding(PiiType::CreditCard, m.start(), m.end(), 0.99));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scheme;

    #[test]
    fn issuer_ranges() {
        assert_eq!(scheme("4111111111111111"), Some("visa"));
        assert_eq!(scheme("5555555555554444"), Some("mastercard"));
        assert_eq!(scheme("2223003122003222"), Some("mastercard"));
        assert_eq!(scheme("2720990000000000"), Some("mastercard"));
        assert_eq!(scheme("378282246310005"), Some("amex"));
        assert_eq!(scheme("30569309025904"), Some("diners"));
        assert_eq!(scheme("6011111111111117"), Some("discover"));
        assert_eq!(scheme("3530111333300000"), Some("jcb"));
        assert_eq!(scheme("1234567890123456"), None);
        assert_eq!(scheme("2721000000000000"), None);
    }
}
