//! PHONE: numbers of every EU/EEA country, the United Kingdom, Switzerland and North America,
//! in international (+CC, 00CC) and national forms, with an optional extension ("x1234",
//! "ext. 12", "poste 12"). One regex finds digit runs shaped like phone numbers; each is kept
//! only when libphonenumber's metadata calls it valid, for the country code it carries or, in
//! national form, for a region the prompt makes likely (see `regions`). Digit runs that read
//! as dates, versions, IPv4 addresses or reference numbers ("order #…", "n° …") are not phones.

mod numbering;
mod regions;

use std::sync::OnceLock;

use phonenumber::country::Id;

use super::{context_before, finding, lazy_regex};
use crate::{Finding, PiiType};

/// Words that make bare digits (no separator, no trunk prefix) a phone number when they come
/// shortly before.
const PHONE_WORDS: &[&str] = &[
    "call",
    "phone",
    "tel",
    "tél",
    "mobile",
    "cell",
    "reach",
    "contact",
    "text",
    "sms",
    "fax",
    "number",
    "appel",
    "numéro",
    "numero",
    "joindre",
    "joignable",
    "portable",
    "whatsapp",
    "ring",
    "dial",
    "office",
    "bureau",
    "standard",
    "ligne",
    "line",
    "hotline",
    "composer",
    "compose",
    "direct",
];

/// Words and signs just before a digit run that make it a reference, not a phone number.
const REFERENCE_WORDS: &[&str] = &[
    "#", "n°", "nº", "no.", "order", "commande", "ticket", "invoice", "facture", "ref", "réf",
    "tracking", "colis", "sku", "siret", "siren", "iban", "version", "build", "id:", "id ",
    "dossier", "contrat", "account", "claim", "sinistre",
];

/// A digit run with the separators phone numbers use (space, dot, dash, slash, parentheses,
/// "(0)"), 6 to 17 digits, optionally after `+` or `00`.
const SHAPE: &str = r"(?:\+|\()?\d(?:(?:[ .\-/]|\) ?|[ .\-]?\()?\d){5,16}";
const EXTENSION: &str = r"^\s*,?\s*(?i:ext\.?|extension|x|poste|p\.|#)\s*\d{1,6}(?-u:\b)";
const DATE: &str = r"^(?:\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2})$";

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    static SHAPE_RE: OnceLock<regex::Regex> = OnceLock::new();
    let mut named: Option<Vec<Id>> = None;
    let mut codes_seen: Vec<Id> = Vec::new();
    let mut national = Vec::new();
    for m in lazy_regex(&SHAPE_RE, SHAPE).find_iter(text) {
        let Some(candidate) = Candidate::read(text, m.start(), m.end()) else {
            continue;
        };
        if candidate.international {
            if let Some(code) = numbering::valid_international(&candidate.digits) {
                codes_seen.extend(numbering::regions_of_code(code).into_iter().take(1));
                out.push(finding(PiiType::Phone, candidate.start, candidate.end, 0.9));
            }
        } else {
            national.push(candidate);
        }
    }
    for candidate in national {
        if candidate.valid_in(text, &DEFAULT_SET, false) {
            // A trunk prefix is as strong a sign as a country code; bare North-American and
            // Luxembourg forms less so (the scores the risk bands were set with).
            let score = if candidate.digits.starts_with('0') {
                0.9
            } else {
                0.8
            };
            out.push(finding(
                PiiType::Phone,
                candidate.start,
                candidate.end,
                score,
            ));
            continue;
        }
        let named = named.get_or_insert_with(|| {
            let mut r = regions::named_in(text);
            for code in &codes_seen {
                if !r.contains(code) {
                    r.push(*code);
                }
            }
            r
        });
        if candidate.valid_in(text, named, true) {
            out.push(finding(PiiType::Phone, candidate.start, candidate.end, 0.8));
        }
    }
}

const DEFAULT_SET: [Id; 8] = regions::DEFAULT_REGIONS;

/// A digit run that passed the shape checks, span extended over its extension.
struct Candidate {
    start: usize,
    end: usize,
    /// Digits only: country code first when `international`.
    digits: String,
    international: bool,
    /// Written without any separator ("0612345678").
    bare: bool,
    /// Followed by an extension ("x12", "poste 12"), itself a sign of a phone number.
    extended: bool,
}

impl Candidate {
    fn read(text: &str, start: usize, end: usize) -> Option<Self> {
        let written = &text[start..end];
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let plus = written.starts_with('+');
        // Glued to a word or a number ("FR76 3000…", "x12345", "1.2.3.4.5", "v2.14").
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !plus && (glued(before) || matches!(before, Some('.' | '-' | '/' | ':'))) {
            return None;
        }
        static EXTENSION_RE: OnceLock<regex::Regex> = OnceLock::new();
        let extension = lazy_regex(&EXTENSION_RE, EXTENSION)
            .find(&text[end..])
            .map_or(0, |e| e.end());
        if extension == 0
            && (glued(after)
                || matches!(after, Some('.' | ',' | '-'))
                    && text[end + 1..].starts_with(|c: char| c.is_ascii_digit()))
        {
            return None;
        }
        if !plus && not_a_phone_shape(written) {
            return None;
        }
        let cleaned = written.replacen("(0)", "", 1);
        let mut digits: String = cleaned.chars().filter(char::is_ascii_digit).collect();
        let international = plus || (written.starts_with("00") && !written.starts_with("000"));
        if written.starts_with("00") && international {
            digits.drain(..2);
        }
        if !(6..=15).contains(&digits.len()) {
            return None;
        }
        if !international && mentions_reference(text, start) {
            return None;
        }
        Some(Self {
            start,
            end: end + extension,
            bare: written.bytes().all(|b| b.is_ascii_digit()),
            extended: extension > 0,
            digits,
            international,
        })
    }

    /// Valid as a national number of one of `regions`. Regions without a trunk prefix, and bare
    /// runs without one, need a hint: the region named (`named`) or a phone word nearby.
    fn valid_in(&self, text: &str, regions: &[Id], named: bool) -> bool {
        let trunk = self.digits.starts_with('0');
        let north_american = !trunk && self.digits.len() >= 10;
        if self.bare && !trunk && !self.extended && !phone_word_before(text, self.start) {
            return false;
        }
        regions.iter().any(|&region| {
            if matches!(region, Id::US | Id::CA) {
                // One numbering plan for the whole +1 zone (the Caribbean's area codes too).
                return north_american && self.valid_in_north_america();
            }
            let Some(meta) = numbering::metadata(region) else {
                return false;
            };
            let allowed = numbering::has_trunk_prefix(meta)
                || named
                || region == Id::LU && phone_word_before(text, self.start);
            allowed && numbering::valid_national(meta, &self.digits, named)
        })
    }

    fn valid_in_north_america(&self) -> bool {
        let with_code = if self.digits.len() == 11 && self.digits.starts_with('1') {
            self.digits.clone()
        } else {
            format!("1{}", self.digits)
        };
        numbering::valid_international(&with_code) == Some(1)
    }
}

/// Dates, dotted versions and IPv4 addresses, and runs with 1-digit groups between dots.
fn not_a_phone_shape(written: &str) -> bool {
    static DATE_RE: OnceLock<regex::Regex> = OnceLock::new();
    if lazy_regex(&DATE_RE, DATE).is_match(written) {
        return true;
    }
    let dotted = written.contains('.');
    // "0.802.93.80.77": a lone trunk zero may lead dotted groups, as some write French numbers.
    let groups: Vec<&str> = written.split('.').collect();
    let short_group = groups
        .iter()
        .enumerate()
        .any(|(i, g)| g.trim().len() < 2 && !(i == 0 && *g == "0" && groups.len() >= 5));
    dotted && short_group
        || dotted && written.split('.').count() == 4 && written.split('.').all(|g| g.len() <= 3)
}

/// A reference word shortly before, starting a word ("id " in "Madrid " does not count).
fn mentions_reference(text: &str, start: usize) -> bool {
    let before = context_before(text, start, 14);
    REFERENCE_WORDS.iter().any(|w| {
        before.match_indices(w).any(|(i, _)| {
            !before[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        })
    })
}

/// A phone word shortly before, with no other number between it and the candidate (in "call
/// back on 01880 611175 about claim 844812620", "call" announces the first number only).
fn phone_word_before(text: &str, start: usize) -> bool {
    let before = context_before(text, start, 60);
    PHONE_WORDS.iter().any(|w| {
        before
            .rfind(w)
            .is_some_and(|i| !before[i..].bytes().any(|b| b.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn uk_numbers_in_every_national_form() {
        for n in [
            "020 7946 0958",
            "02079460958",
            "07400 123456",
            "0800 123 4567",
            "0808 157 0192",
            "0300 123 1234",
            "0161 496 0000",
        ] {
            assert_eq!(phones(&format!("Ring me on {n} today")), [n], "{n}");
        }
    }

    #[test]
    fn international_forms_and_extensions() {
        assert_eq!(
            phones("Call +44 (0)20 7946 0958 ext. 12 now"),
            ["+44 (0)20 7946 0958 ext. 12"]
        );
        assert_eq!(phones("Appelez le 0049 30 12345678."), ["0049 30 12345678"]);
        assert_eq!(
            phones("tel: (415) 555-2671 x1234"),
            ["(415) 555-2671 x1234"]
        );
        assert_eq!(
            phones("standard : 01 23 45 67 89 poste 12"),
            ["01 23 45 67 89 poste 12"]
        );
        assert_eq!(phones("+1 415 555 2671"), ["+1 415 555 2671"]);
        // The +1 zone is one plan: Caribbean area codes in North-American form.
        assert_eq!(
            phones("Call (658)253-3040 or 809.743.5935"),
            ["(658)253-3040", "809.743.5935"]
        );
    }

    #[test]
    fn national_forms_of_named_regions() {
        assert_eq!(phones("Our Madrid office: 912 34 56 78"), ["912 34 56 78"]);
        assert_eq!(phones("Bureau de Munich : 089 12345678"), ["089 12345678"]);
        assert_eq!(phones("Warsaw desk 22 123 45 67"), ["22 123 45 67"]);
        // Without a hint, Spanish bare groups are not tried.
        assert!(phones("Le lot 912 34 56 78 est arrivé").is_empty());
    }

    #[test]
    fn numbers_written_as_their_region_writes_them() {
        assert_eq!(
            phones("Luxembourg : joignable au 26 94 87 78."),
            ["26 94 87 78"]
        );
        assert_eq!(
            phones("Call the surgery on 1800084060 today"),
            ["1800084060"]
        );
        assert_eq!(
            phones("notre bureau de Schaan : 234 69 18 x4903."),
            ["234 69 18 x4903"]
        );
        assert_eq!(
            phones("row: \"Hazel,h@x.co.uk,+352 24 56 77 13\""),
            ["+352 24 56 77 13"]
        );
        assert_eq!(
            phones("Please call back on 01880 611175 about claim 844812620."),
            ["01880 611175"]
        );
        assert_eq!(
            phones("Laisse un message sur son portable, le 628315506."),
            ["628315506"]
        );
        assert!(phones("Le lot 628315506 est parti.").is_empty());
    }

    #[test]
    fn dates_versions_references_and_identifiers_are_not_phones() {
        for text in [
            "Le 15/03/2024 à 10h",
            "Build 10.0.19045.3803 is out",
            "order #4481-2290-11 shipped",
            "commande n° 2024-118734",
            "SIRET 362 521 879 00034",
            "IBAN FR76 3000 6000 0112 3456 7890 189",
            "server 192.168.10.12 is down",
            "timestamp 20240315143000",
            "Card 4111 1111 1111 1111",
        ] {
            assert!(phones(text).is_empty(), "{text}: {:?}", phones(text));
        }
    }
}
