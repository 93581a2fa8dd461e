//! FR_SIREN (9 digits) and FR_SIRET (14 digits = SIREN + NIC): Luhn, with La Poste's SIRET
//! exception (digit sum divisible by 5). A bare 9-digit SIREN needs a context word: one random
//! 9-digit number in ten passes Luhn.

use std::sync::OnceLock;

use super::{context_before, digits_of, finding, glued, lazy_regex};
use crate::checksum::luhn;
use crate::{Finding, PiiType};

const COMPANY_WORDS: &[&str] = &[
    "siren",
    "siret",
    "rcs",
    "société",
    "societe",
    "entreprise",
    "sas",
    "sarl",
    "company",
    "nic",
];
const CARD_WORDS: &[&str] = &[
    "carte", "card", "cb", "visa", "diners", "paiement", "payment", "declined", "refusée",
    "refusé", "débit", "charged", "paid", "payé", "billed", "facturé", "cc ",
];

pub(crate) fn valid_siret(digits: &str) -> bool {
    if digits.len() != 14 {
        return false;
    }
    if digits.starts_with("356000000") && digits != "35600000000048" {
        return digits.bytes().map(|b| (b - b'0') as u32).sum::<u32>() % 5 == 0;
    }
    luhn(digits)
}

/// Up to `width` bytes after `end`, lower-cased, on a character boundary.
fn context_after(text: &str, end: usize, width: usize) -> String {
    let mut to = (end + width).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    text[end..to].to_lowercase()
}

fn mentions(context: &str, words: &[&str]) -> bool {
    words.iter().any(|w| context.contains(w))
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static SIRET: OnceLock<regex::Regex> = OnceLock::new();
    static SIREN: OnceLock<regex::Regex> = OnceLock::new();
    let siret = lazy_regex(&SIRET, r"(?-u:\b)\d{3} ?\d{3} ?\d{3} ?\d{5}(?-u:\b)");
    for m in siret.find_iter(text) {
        let digits = digits_of(m.as_str());
        if glued(text, m.start(), m.end())
            || super::after_country_code(text, m.start())
            || !valid_siret(&digits)
        {
            continue;
        }
        let context = context_before(text, m.start(), 48);
        let company = mentions(&context, COMPANY_WORDS);
        // A 14-digit Luhn number in a Diners range, spoken of as a card, is a card.
        if !company
            && mentions(&context, CARD_WORDS)
            && super::card::scheme(&digits) == Some("diners")
        {
            continue;
        }
        out.push(finding(
            PiiType::FrSiret,
            m.start(),
            m.end(),
            if company { 0.99 } else { 0.85 },
        ));
    }
    let siren = lazy_regex(&SIREN, r"(?-u:\b)\d{3} ?\d{3} ?\d{3}(?-u:\b)");
    for m in siren.find_iter(text) {
        let digits = digits_of(m.as_str());
        if glued(text, m.start(), m.end())
            || super::after_country_code(text, m.start())
            || !luhn(&digits)
        {
            continue;
        }
        // The company word may come before ("SIREN 732 829 320") or just after ("vérifier que
        // 732 829 320 est un SIREN valide").
        if mentions(&context_before(text, m.start(), 48), COMPANY_WORDS)
            || mentions(&context_after(text, m.end(), 24), &["siren"])
        {
            out.push(finding(PiiType::FrSiren, m.start(), m.end(), 0.95));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_siret;

    #[test]
    fn la_poste_exception() {
        assert!(valid_siret("73282932000074"));
        assert!(valid_siret("35600000000048"));
        assert!(valid_siret("35600000049837")); // digit sum 45
        assert!(!valid_siret("35600000049838"));
    }
}
