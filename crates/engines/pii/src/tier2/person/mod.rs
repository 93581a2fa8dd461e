//! PERSON: people's names in French and English, from first-name and surname gazetteers plus
//! context rules (lexicons in `lexicon`, tokenisation in `words`):
//!
//! 1. a title (M., Mme, Madame, Dr, Mr, Mrs, Maître…) followed by a surname: capitalised words,
//!    particles included ("Mme de La Tour", "Dr. Anna van der Berg");
//! 2. a known first name followed by a surname: a known one, or any capitalised word that is
//!    not usually something else, with its particles ("Jean de la Fontaine", "Anne-Sophie Van
//!    der Berg", "Marie d'Alembert"), and a third part when it is a known name ("John Michael
//!    Smith");
//! 3. a known first name alone, capitalised: inside a sentence, or at its start when a verb in
//!    the third person follows ("Chloé a validé", "Liam said"), when it is a compound of two
//!    first names ("Jean-Baptiste"), when it is a possessive ("Emma's"), or a vocative
//!    ("Sophie, peux-tu…"). Sentence-initial imperatives ("Traduis", "Résume") and words such as
//!    "Rose" or "Pierre" stay out, as do months, weekdays, places, languages and AI assistants.

mod lexicon;
mod words;

use lexicon::{is_particle, is_place_prefix, is_title, key, lexicon, Lexicon};
use words::{base, capitalised, elided_surname, end_of, words, Word};

use crate::{Finding, PiiType, Tier};

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
    let ws = words(text);
    let names = Names {
        text,
        ws: &ws,
        lex: lexicon(),
    };
    let mut i = 0;
    while i < ws.len() {
        match names.at(i) {
            Some((first, last, score)) => {
                push(out, ws[first].start, end_of(&ws[last]), score);
                i = last + 1;
            }
            None => i += 1,
        }
    }
}

struct Names<'t> {
    text: &'t str,
    ws: &'t [Word<'t>],
    lex: &'static Lexicon,
}

impl Names<'_> {
    /// The name starting at word `i`, if any: (first word, last word, score).
    fn at(&self, i: usize) -> Option<(usize, usize, f32)> {
        let (ws, lex) = (self.ws, self.lex);
        let w = &ws[i];
        if w.glued || !w.text.starts_with(char::is_uppercase) || self.in_place_name(i) {
            return None;
        }
        if is_title(w.text) {
            return self.titled(i);
        }
        let first = key(w.text);
        if !capitalised(w.text) || !lex.is_first(&first) {
            return None;
        }
        // Rule 2: first name + surname.
        if let Some(mut last) = self.surname_from(i + 1, true) {
            let known = lex.is_last(&key(ws[last].text)) || lex.is_first(&key(ws[i + 1].text));
            // "France Télévisions", "Claude Code": ambiguous first words need a real surname.
            if !lex.not_alone(&first) || known {
                if let Some(third) = self.surname_from(last + 1, true) {
                    let third_key = key(ws[third].text);
                    if lex.is_last(&third_key) || lex.is_first(&third_key) {
                        last = third;
                    }
                }
                let score = if known { 0.95 } else { 0.8 };
                return Some((i, last, score));
            }
        }
        // Rule 3: a first name alone.
        let alone_ok = !lex.not_alone(&first) && !words::all_caps(w.text);
        (alone_ok && (!w.sentence_start || self.reads_as_subject(i, &first)))
            .then_some((i, i, 0.75))
    }

    /// Rule 1: a title, then a surname of up to three words.
    fn titled(&self, i: usize) -> Option<(usize, usize, f32)> {
        let next = self.ws.get(i + 1)?;
        let gap = &self.text[self.ws[i].end..next.start];
        if !gap.trim_start_matches('.').trim().is_empty() {
            return None;
        }
        let mut last = self.surname_from(i + 1, false)?;
        while last < i + 3 {
            match self.surname_from(last + 1, true) {
                Some(more) => last = more,
                None => break,
            }
        }
        Some((i + 1, last, 0.9))
    }

    /// A sentence-initial first name that is a subject, a compound, a possessive or a vocative.
    fn reads_as_subject(&self, i: usize, first: &str) -> bool {
        let w = &self.ws[i];
        let next_verb = self.ws.get(i + 1).is_some_and(|n| {
            n.joined_to_previous && self.lex.is_subject_verb(&n.text.to_lowercase())
        });
        let vocative = self.text[w.end..].starts_with(',');
        next_verb || vocative || base(w.text) != w.text || self.lex.is_compound_first(first)
    }

    /// The last word of a surname that starts at word `k`, particles included ("Dupont",
    /// "de la Fontaine", "Van der Berg", "d'Alembert"). `joined`: `k` must follow its
    /// predecessor with only spaces between.
    fn surname_from(&self, k: usize, joined: bool) -> Option<usize> {
        let attached = |j: usize, w: &Word| (j == k && !joined) || w.joined_to_previous;
        let mut j = k;
        while j < k + 3
            && self
                .ws
                .get(j)
                .is_some_and(|w| attached(j, w) && !w.glued && is_particle(w.text))
        {
            j += 1;
        }
        let surname = |j: usize| {
            self.ws.get(j).is_some_and(|n| {
                if !attached(j, n)
                    || n.glued
                    || !n.text.starts_with(char::is_uppercase) && !elided_surname(n.text)
                {
                    return false;
                }
                let k = key(n.text);
                !is_title(n.text)
                    && !self.lex.is_language(&k)
                    && (elided_surname(n.text)
                        || capitalised(n.text) && (self.lex.is_last(&k) || !self.lex.not_alone(&k)))
            })
        };
        if j > k && surname(j) {
            return Some(j);
        }
        // No particle, or particles not followed by a surname: the word itself ("Le", "Van"
        // can be surnames too).
        (surname(k) && (j == k || capitalised(self.ws[k].text))).then_some(k)
    }

    /// Part of a place name: after "Saint", "San", "New"…, or a hyphenated place ("Saint-Denis",
    /// "Paris-Annecy").
    fn in_place_name(&self, i: usize) -> bool {
        let w = &self.ws[i];
        let after_place_word =
            i > 0 && w.joined_to_previous && is_place_prefix(self.ws[i - 1].text);
        let hyphen_place =
            w.text.contains('-') && is_place_prefix(w.text.split('-').next().unwrap_or(""));
        after_place_word || hyphen_place || self.text[..w.start].ends_with('-')
    }
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
    fn particles_compounds_and_sentence_initial_subjects() {
        assert_eq!(
            names("Relis la fable de Jean de la Fontaine."),
            ["Jean de la Fontaine"]
        );
        assert_eq!(
            names("Invite Anne-Sophie Van der Berg et Luis da Silva"),
            ["Anne-Sophie Van der Berg", "Luis da Silva"]
        );
        assert_eq!(
            names("Écris à Marie d'Alembert et à Mme de La Tour"),
            ["Marie d'Alembert", "de La Tour"]
        );
        assert_eq!(names("Jean-Baptiste arrive demain."), ["Jean-Baptiste"]);
        assert_eq!(
            names("Chloé a validé le devis. Liam said he'd call."),
            ["Chloé", "Liam"]
        );
        assert_eq!(names("Emma's report is late"), ["Emma"]);
        assert_eq!(names("Sophie, peux-tu relire ?"), ["Sophie"]);
        assert_eq!(
            names("Merci à Camille Rivière et Paul Deschamps"),
            ["Camille Rivière", "Paul Deschamps"]
        );
    }

    #[test]
    fn languages_are_not_names() {
        for text in [
            "Translate Paul's notes into Spanish",
            "Traduis ce texte en Japonais.",
        ] {
            assert!(
                names(text)
                    .iter()
                    .all(|n| !n.contains("Spanish") && !n.contains("Japonais")),
                "{text}: {:?}",
                names(text)
            );
        }
        assert!(names("Allemand ou Anglais ? Choisis.").is_empty());
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
