//! PERSON: people's names in French and English, from first-name and surname gazetteers
//! (INSEE and US Census data, public domain; see data/README.md) plus context rules:
//!
//! 1. a title (M., Mme, Madame, Dr, Mr, Mrs, Maître…) followed by capitalised words;
//! 2. a known first name followed by one or two capitalised words ("Jean Dupont", "Marie-Claire
//!    LEFEBVRE", "John O'Brien");
//! 3. a known first name alone, capitalised, not at the start of a sentence (where imperatives
//!    such as "Traduis" or "Résume", and words like "Rose" or "Pierre", begin prompts) and not
//!    a word that is far more often something else (months, places, AI assistants such as Claude).

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::{Finding, PiiType, Tier};

const FIRST_NAMES: &str = include_str!("../../data/first_names.txt");
const SURNAMES: &str = include_str!("../../data/surnames.txt");
const PLACES: &str = include_str!("../../data/places.txt");

const TITLES: [&str; 22] = [
    "m",
    "mme",
    "mlle",
    "madame",
    "monsieur",
    "mademoiselle",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "docteur",
    "doctor",
    "pr",
    "professeur",
    "professor",
    "prof",
    "maître",
    "maitre",
    "me",
    "sir",
    "dame",
];

/// Capitalised words that are names in the gazetteers but usually something else in prompts.
const NOT_ALONE: &str = "claude gemini mistral grok copilot perplexity poe deepseek chatgpt siri alexa \
    janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre decembre \
    january february march april may june july august september october november december \
    lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday saturday sunday \
    france paris lyon nice marseille toulouse nantes lille europe london paris washington georgia virginia \
    carolina florida dakota india china jordan israel chad kenya georgia dallas austin houston phoenix \
    will can mark bill grant hope grace joy faith chance summer autumn winter spring major august pierre rose \
    noël noel pascal toussaint dieu god jesus christ marie-france amazon apple google microsoft orange \
    excel word teams office windows linux python java ruby rust swift dart scala julia go \
    bonjour merci salut hello dear cher chère bien bonne";

/// Words that make the next capitalised word part of a place ("Saint-Denis", "San Francisco",
/// "Lake Michael", "New Brett").
const PLACE_PREFIXES: [&str; 20] = [
    "saint", "sainte", "st", "ste", "san", "santa", "santo", "são", "los", "las", "new", "fort",
    "port", "mount", "lake", "east", "west", "north", "south", "cape",
];

const SENTENCE_BREAKS: [char; 7] = ['.', '!', '?', '\n', ':', ';', '•'];

struct Lexicon {
    first: HashSet<&'static str>,
    last: HashSet<&'static str>,
    not_alone: HashSet<&'static str>,
}

fn lexicon() -> &'static Lexicon {
    static CELL: OnceLock<Lexicon> = OnceLock::new();
    CELL.get_or_init(|| Lexicon {
        first: FIRST_NAMES.lines().filter(|l| !l.is_empty()).collect(),
        last: SURNAMES.lines().filter(|l| !l.is_empty()).collect(),
        not_alone: NOT_ALONE
            .split_whitespace()
            .chain(
                PLACES
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .flat_map(str::split_whitespace),
            )
            .collect(),
    })
}

/// A word: letters with inner hyphens or apostrophes ("Jean-Pierre", "O'Brien"), byte offsets.
#[derive(Debug, Clone)]
struct Word<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// Only spaces (no punctuation) separate it from the previous word.
    joined_to_previous: bool,
    sentence_start: bool,
    /// Touches a digit or underscore: part of a code or token, not a word.
    glued: bool,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let mut out: Vec<Word> = Vec::new();
    let mut gap_clean = true;
    let mut sentence_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphabetic() {
            let start = i;
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                let inner = (d == '-' || d == '\'' || d == '’')
                    && text[j + d.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic);
                if d.is_alphabetic() || inner {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let touches = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '_');
            let glued =
                touches(text[..start].chars().next_back()) || touches(text[end..].chars().next());
            out.push(Word {
                glued,
                text: &text[start..end],
                start,
                end,
                joined_to_previous: gap_clean && !out.is_empty(),
                sentence_start,
            });
            gap_clean = true;
            sentence_start = false;
        } else {
            if !c.is_whitespace() {
                gap_clean = false;
            }
            if SENTENCE_BREAKS.contains(&c) {
                sentence_start = true;
            }
            if c.is_ascii_digit() {
                sentence_start = false;
            }
        }
    }
    out
}

fn capitalised(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().count() >= 1
        && (chars.clone().all(|c| !c.is_uppercase() || c == '-')
            || w.chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
            || w.contains(['-', '\'', '’']))
}

/// The name part of a word, without an English possessive ("John's" → "John").
fn base(w: &str) -> &str {
    w.strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(w)
}

fn is_first(lex: &Lexicon, w: &str) -> bool {
    let lower = base(w).to_lowercase();
    lex.first.contains(lower.as_str())
        || lower.split('-').count() == 2
            && lower
                .split('-')
                .all(|p| lex.first.contains(p) && !lex.not_alone.contains(p))
}

fn is_last(lex: &Lexicon, w: &str) -> bool {
    lex.last.contains(base(w).to_lowercase().as_str())
}

fn is_title(w: &str) -> bool {
    w.len() <= 12 && TITLES.iter().any(|t| t.eq_ignore_ascii_case(w))
}

fn is_place_prefix(w: &str) -> bool {
    w.len() <= 6 && PLACE_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(w))
}

fn push(out: &mut Vec<Finding>, start: usize, end: usize, score: f32) {
    out.push(Finding {
        kind: PiiType::Person,
        start,
        end,
        score,
        tier: Tier::Two,
    });
}

pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    let lex = lexicon();
    let ws = words(text);
    let mut i = 0;
    while i < ws.len() {
        let w = &ws[i];
        if !capitalised(w.text) && !is_title(w.text) {
            i += 1;
            continue;
        }
        let after_place_word = i > 0 && ws[i].joined_to_previous && is_place_prefix(ws[i - 1].text);
        let hyphen_place =
            w.text.contains('-') && is_place_prefix(w.text.split('-').next().unwrap_or(""));
        if w.glued || after_place_word || hyphen_place || text[..w.start].ends_with('-') {
            i += 1;
            continue;
        }
        let next_cap = |k: usize| {
            ws.get(k).filter(|n| {
                n.joined_to_previous
                    && capitalised(n.text)
                    && !n.glued
                    && !is_title(n.text)
                    && (is_last(lex, n.text)
                        || !lex.not_alone.contains(base(n.text).to_lowercase().as_str()))
            })
        };
        // Rule 1: a title, then up to three capitalised words.
        let titled = is_title(w.text)
            && ws.get(i + 1).is_some_and(|n| {
                text[w.end..n.start]
                    .trim_start_matches('.')
                    .trim()
                    .is_empty()
                    && capitalised(n.text)
            });
        if titled {
            let mut last = i + 1;
            while last < i + 3 && next_cap(last + 1).is_some() {
                last += 1;
            }
            push(out, ws[i + 1].start, end_of(&ws[last]), 0.9);
            i = last + 1;
            continue;
        }
        if capitalised(w.text) && is_first(lex, w.text) {
            // Rule 2: first name + one or two capitalised words.
            if let Some(second) = next_cap(i + 1) {
                let mut last = i + 1;
                if next_cap(i + 2)
                    .is_some_and(|third| is_last(lex, third.text) || is_first(lex, third.text))
                {
                    last = i + 2;
                }
                let score = if is_last(lex, second.text) { 0.95 } else { 0.8 };
                let sentence_verb =
                    w.sentence_start && !is_last(lex, second.text) && !is_first(lex, second.text);
                // "France Télévisions", "Claude Code": ambiguous first words need a real surname.
                let ambiguous = lex.not_alone.contains(base(w.text).to_lowercase().as_str())
                    && !is_last(lex, second.text);
                if !sentence_verb && !ambiguous {
                    push(out, w.start, end_of(&ws[last]), score);
                    i = last + 1;
                    continue;
                }
            }
            // Rule 3: a first name alone, inside a sentence.
            let lower = base(w.text).to_lowercase();
            let all_caps = w
                .text
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
            if !w.sentence_start && !all_caps && !lex.not_alone.contains(lower.as_str()) {
                push(out, w.start, end_of(w), 0.75);
            }
        }
        i += 1;
    }
}

/// End offset of a word without its possessive suffix.
fn end_of(w: &Word) -> usize {
    w.start + base(w.text).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn full_names_titles_and_single_first_names() {
        assert_eq!(
            names("Peux-tu écrire à Jean Dupont demain ?"),
            ["Jean Dupont"]
        );
        assert_eq!(names("Envoie le dossier à Mme Lefebvre."), ["Lefebvre"]);
        assert_eq!(
            names("Meeting with Dr. Sarah Connor at noon"),
            ["Sarah Connor"]
        );
        assert_eq!(names("Réponds à Sophie que c'est d'accord"), ["Sophie"]);
        assert_eq!(
            names("Ask John's manager, Emily Clarke, to sign"),
            ["John", "Emily Clarke"]
        );
        assert_eq!(
            names("Contrat de Marie-Claire LEFEBVRE"),
            ["Marie-Claire LEFEBVRE"]
        );
        assert_eq!(
            names("Write a reference letter for Robert Washington."),
            ["Robert Washington"]
        );
    }

    #[test]
    fn sentence_initial_verbs_places_and_assistants_are_not_names() {
        for text in [
            "Traduis ce texte en anglais.",
            "Résume ce document pour moi.",
            "Rose est ma couleur préférée. Pierre qui roule n'amasse pas mousse.",
            "Demande à Claude de relire le code.",
            "Je vais à Paris en Avril avec France Télévisions.",
            "Explique la différence entre Python et Rust.",
            "ALERTE SÉCURITÉ : mot de passe expiré",
            "Un billet pour San Francisco, Saint-Étienne ou Lake Michael ?",
            "Un aller-retour Paris-Annecy, puis un vol vers Denver.",
            "The key sk-proj-nD7M0AFA1chJI6h4Eun13e0E9D leaked",
        ] {
            assert!(names(text).is_empty(), "{text}: {:?}", names(text));
        }
    }
}
