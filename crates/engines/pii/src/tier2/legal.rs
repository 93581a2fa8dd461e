//! LEGAL_REF: references that tie a prompt to a legal matter — French code articles ("article
//! L. 1234-5 du Code du travail"), Cour de cassation appeal numbers ("pourvoi n° 19-12.345"),
//! court registry numbers ("RG n° 21/01234"), ECLI identifiers and CJEU case numbers (C-311/18).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;

use crate::{Finding, PiiType, Tier};

/// The codes of French law, as they follow "du Code …" (the name ends the match).
const CODES: &str = r"civil|pénal|penal|du travail|de commerce|de la sécurité sociale|de la securite sociale|de procédure civile|de procédure pénale|de la consommation|général des impôts|general des impots|de la santé publique|de l'environnement|monétaire et financier|des assurances|de la route|de l'urbanisme|de la propriété intellectuelle|de justice administrative|rural|de l'éducation|électoral|de la construction et de l'habitation|des relations entre le public et l'administration|de la défense";

/// Each pattern with the lower-case words that must all occur for it to be worth running.
fn patterns() -> &'static [(Regex, &'static [&'static str])] {
    static CELL: OnceLock<Vec<(Regex, &'static [&'static str])>> = OnceLock::new();
    CELL.get_or_init(|| {
        let number = r"(?:[LRDA]\s?\.?\s?\*?\s?)?\d+(?:[-.]\d+)*";
        [
            format!(r"(?i)(?-u:\b)articles?\s+{number}(?:\s*(?:,|à|et)\s*{number})*\s+(?:du|de la|des)\s+code\s+(?:{CODES})"),
            r"(?i)(?-u:\b)(?:pourvoi\s+)?n\s?°\s?\d{2}-\d{2}\.\d{3}(?-u:\b)".to_string(),
            r"(?i)(?-u:\b)RG\s*(?:n\s?[°o]\s?)?\d{2}/\d{4,5}(?-u:\b)".to_string(),
            r"\bECLI:[A-Z]{2}:[A-Z]+:\d{4}:[A-Z0-9.]+".to_string(),
            r"(?-u:\b)[CT]-\d{1,4}/\d{2}(?-u:\b)".to_string(),
        ]
        .iter()
        .zip(HINTS)
        .map(|(p, hints)| (Regex::new(p).expect("valid legal pattern"), hints))
        .collect()
    })
}

/// For each pattern, in the order of `patterns`, literals (ASCII case-insensitive) that must
/// all occur for it to be worth running: one scan of the text decides.
const HINTS: [&[&str]; 5] = [
    &["article", "code"],
    &["n°", "-"],
    &["rg", "/"],
    &["ecli:"],
    &["-", "/"],
];

fn hint_finder() -> &'static AhoCorasick {
    static CELL: OnceLock<AhoCorasick> = OnceLock::new();
    CELL.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(HINTS.iter().flat_map(|h| h.iter()))
            .expect("valid legal hints")
    })
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    let hint_count: usize = HINTS.iter().map(|h| h.len()).sum();
    let mut seen = vec![false; hint_count];
    for m in hint_finder().find_overlapping_iter(text) {
        seen[m.pattern().as_usize()] = true;
    }
    let mut offset = 0;
    for ((re, hints), _) in patterns().iter().zip(HINTS) {
        let all = seen[offset..offset + hints.len()].iter().all(|s| *s);
        offset += hints.len();
        if !all {
            continue;
        }
        for m in re.find_iter(text) {
            out.push(Finding {
                kind: PiiType::LegalRef,
                start: m.start(),
                end: m.end(),
                score: 0.85,
                tier: Tier::Two,
            });
        }
    }
}
