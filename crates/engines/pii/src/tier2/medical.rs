//! MEDICAL: health information — conditions, treatments, tests and care words in French and
//! English — from a lexicon matched on whole words, case-insensitively (aho-corasick).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::{Finding, PiiType, Tier};

const TERMS: &str = include_str!("../../data/medical_terms.txt");

fn matcher() -> &'static AhoCorasick {
    static CELL: OnceLock<AhoCorasick> = OnceLock::new();
    CELL.get_or_init(|| {
        let terms: Vec<&str> = TERMS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA: one table lookup per byte, which the default (an NFA at this size) is not.
            .kind(Some(AhoCorasickKind::DFA))
            .build(terms)
            .expect("valid medical lexicon")
    })
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    for m in matcher().find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if !is_word_char(before) && !is_word_char(after) {
            out.push(Finding {
                kind: PiiType::Medical,
                start: m.start(),
                end: m.end(),
                score: 0.7,
                tier: Tier::Two,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn conditions_and_treatments_on_word_boundaries() {
        assert_eq!(
            terms("Mon fils a un diabète de type 1 et prend de l'insuline."),
            ["diabète de type 1", "insuline"]
        );
        assert_eq!(
            terms("Patient diagnosed with HIV, on chemotherapy"),
            ["HIV", "chemotherapy"]
        );
        assert!(terms("Le cancer de la prostate").contains(&"cancer de la prostate"));
        assert!(terms("Écris une introduction sur la chimie organique").is_empty());
        assert!(terms("the vihuela is an instrument").is_empty());
    }
}
