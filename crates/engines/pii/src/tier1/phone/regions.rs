//! Which regions' national formats a prompt makes likely: the countries it names (in English,
//! French or the country's own language), their capitals and large cities, their demonyms and
//! languages, and the country codes of international numbers written elsewhere in it.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use phonenumber::country::Id;

/// Tried first for every national-form candidate: the regions of French- and English-speaking
/// users, whose numbers start with a trunk prefix (North America's have a fixed shape).
/// Luxembourg's numbers have no trunk prefix: by default they are tried only when a phone word
/// announces them ("joignable au 26 94 87 78").
pub(super) const DEFAULT_REGIONS: [Id; 8] = [
    Id::FR,
    Id::BE,
    Id::CH,
    Id::LU,
    Id::GB,
    Id::IE,
    Id::US,
    Id::CA,
];

const HINTS: &str = include_str!("../../../data/region_hints.txt");

/// (region, words) per line of data/region_hints.txt.
fn hints() -> &'static [(Id, Vec<&'static str>)] {
    static CELL: OnceLock<Vec<(Id, Vec<&'static str>)>> = OnceLock::new();
    CELL.get_or_init(|| {
        HINTS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|line| {
                let mut parts = line.split(" | ");
                let region = parts
                    .next()
                    .and_then(|r| r.parse().ok())
                    .expect("region_hints.txt: an ISO region code first");
                (region, parts.map(str::trim).collect())
            })
            .collect()
    })
}

fn automaton() -> &'static AhoCorasick {
    static CELL: OnceLock<AhoCorasick> = OnceLock::new();
    CELL.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA: one table lookup per byte, which the default (an NFA at this size) is not.
            .kind(Some(AhoCorasickKind::DFA))
            .build(hints().iter().flat_map(|(_, words)| words.iter()))
            .expect("valid region hints")
    })
}

fn region_of_pattern(index: usize) -> Id {
    let mut left = index;
    for (region, words) in hints() {
        if left < words.len() {
            return *region;
        }
        left -= words.len();
    }
    unreachable!("pattern index within HINTS")
}

/// The regions the prompt names, in order of first mention, without repeats. Matches must be
/// whole words (so "uk" in "ukulele" and "rome" in "chromebook" do not count).
pub(super) fn named_in(text: &str) -> Vec<Id> {
    let mut out = Vec::new();
    for m in automaton().find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric) {
            continue;
        }
        let region = region_of_pattern(m.pattern().as_usize());
        if !out.contains(&region) {
            out.push(region);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_cities_and_languages_are_hints_in_whole_words() {
        assert_eq!(named_in("Our Munich office, then MADRID"), [Id::DE, Id::ES]);
        assert_eq!(named_in("rappelle le bureau de Varsovie"), [Id::PL]);
        assert_eq!(named_in("a ukulele on a chromebook"), []);
        assert_eq!(named_in("the UK team and the uk team"), [Id::GB]);
    }
}
