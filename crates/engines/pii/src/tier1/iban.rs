//! IBAN: ISO 13616, the country's own length, ISO 7064 MOD 97-10; spaced in groups or not.

use std::sync::OnceLock;

use super::{finding, glued, lazy_regex};
use crate::checksum::mod97;
use crate::{Finding, PiiType};

/// IBAN length per country (SWIFT IBAN registry).
pub(crate) fn country_length(country: &str) -> Option<usize> {
    const LENGTHS: &[(&str, usize)] = &[
        ("AD", 24),
        ("AE", 23),
        ("AL", 28),
        ("AT", 20),
        ("AZ", 28),
        ("BA", 20),
        ("BE", 16),
        ("BG", 22),
        ("BH", 22),
        ("BI", 27),
        ("BR", 29),
        ("BY", 28),
        ("CH", 21),
        ("CR", 22),
        ("CY", 28),
        ("CZ", 24),
        ("DE", 22),
        ("DJ", 27),
        ("DK", 18),
        ("DO", 28),
        ("EE", 20),
        ("EG", 29),
        ("ES", 24),
        ("FI", 18),
        ("FK", 18),
        ("FO", 18),
        ("FR", 27),
        ("GB", 22),
        ("GE", 22),
        ("GI", 23),
        ("GL", 18),
        ("GR", 27),
        ("GT", 28),
        ("HN", 28),
        ("HR", 21),
        ("HU", 28),
        ("IE", 22),
        ("IL", 23),
        ("IQ", 23),
        ("IS", 26),
        ("IT", 27),
        ("JO", 30),
        ("KW", 30),
        ("KZ", 20),
        ("LB", 28),
        ("LC", 32),
        ("LI", 21),
        ("LT", 20),
        ("LU", 20),
        ("LV", 21),
        ("LY", 25),
        ("MC", 27),
        ("MD", 24),
        ("ME", 22),
        ("MK", 19),
        ("MN", 20),
        ("MR", 27),
        ("MT", 31),
        ("MU", 30),
        ("NI", 28),
        ("NL", 18),
        ("NO", 15),
        ("OM", 23),
        ("PK", 24),
        ("PL", 28),
        ("PS", 29),
        ("PT", 25),
        ("QA", 29),
        ("RO", 24),
        ("RS", 22),
        ("RU", 33),
        ("SA", 24),
        ("SC", 31),
        ("SD", 18),
        ("SE", 24),
        ("SI", 19),
        ("SK", 24),
        ("SM", 27),
        ("SO", 23),
        ("ST", 25),
        ("SV", 28),
        ("TL", 23),
        ("TN", 24),
        ("TR", 26),
        ("UA", 29),
        ("VA", 22),
        ("VG", 24),
        ("XK", 20),
        ("YE", 30),
    ];
    LENGTHS.iter().find(|(c, _)| *c == country).map(|(_, n)| *n)
}

/// True when `iban` (no spaces, upper case) has its country's length and check digits.
pub(crate) fn valid(iban: &str) -> bool {
    let Some(len) = country_length(iban.get(..2).unwrap_or_default()) else {
        return false;
    };
    if iban.len() != len
        || !iban
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
    mod97(&rearranged) == Some(1)
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = lazy_regex(&RE, r"(?-u:\b)[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}");
    for m in re.find_iter(text) {
        let Some(len) = country_length(&m.as_str()[..2]) else {
            continue;
        };
        // The pattern may run on into a following word: take exactly the country's length.
        let mut compact = String::with_capacity(len);
        let mut end = m.start();
        for (i, c) in m.as_str().char_indices() {
            if c == ' ' {
                continue;
            }
            compact.push(c);
            end = m.start() + i + c.len_utf8();
            if compact.len() == len {
                break;
            }
        }
        if compact.len() == len && valid(&compact) && !glued(text, m.start(), end) {
            out.push(finding(PiiType::Iban, m.start(), end, 0.99));
        }
    }
}
