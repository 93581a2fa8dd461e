//! The PERSON lexicons: first-name and surname gazetteers (INSEE and US Census data, public
//! domain; see scripts/gen-gazetteers), titles, name particles, and the capitalised words that
//! are usually something else in prompts (months, weekdays, places, languages, products).

use std::collections::HashSet;
use std::sync::OnceLock;

use super::words::base;

const FIRST_NAMES: &str = include_str!("../../../data/first_names.txt");
const SURNAMES: &str = include_str!("../../../data/surnames.txt");
const PLACES: &str = include_str!("../../../data/places.txt");

pub(super) const TITLES: [&str; 22] = [
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

/// Languages, nationalities and their adjectives, in English and French ("into Spanish",
/// "Traduis en Japonais"): never part of a name, even where a gazetteer lists them as a
/// surname ("English", "French", "German").
const LANGUAGES: &str = "english french spanish german italian portuguese dutch polish swedish danish \
    norwegian finnish greek russian ukrainian chinese mandarin cantonese japanese korean arabic hebrew \
    hindi turkish persian farsi vietnamese thai indonesian czech hungarian romanian bulgarian croatian \
    serbian slovak slovenian estonian latvian lithuanian irish welsh scottish british american canadian \
    australian european african asian latin catalan basque breton corsican flemish swiss belgian \
    anglais français francais espagnol espagnole allemand allemande italien italienne portugais portugaise \
    néerlandais polonais suédois danois norvégien finnois grec grecque russe ukrainien chinois japonais \
    japonaise coréen arabe hébreu turc vietnamien tchèque hongrois roumain bulgare croate serbe slovaque \
    estonien letton lituanien irlandais gallois écossais britannique américain américaine canadien \
    australien européen européenne africain asiatique catalan basque corse flamand suisse belge";

/// Words between a first name and a surname, or before a surname ("de la Fontaine",
/// "Van der Berg", "da Silva", "von Weber", "Le Goff" — "Le" only before a capitalised word).
pub(super) const PARTICLES: [&str; 25] = [
    "de", "du", "des", "la", "le", "van", "von", "der", "den", "ter", "ten", "vander", "da", "di",
    "del", "della", "dos", "das", "do", "zu", "af", "al", "el", "ben", "bin",
];

/// Words that make the next capitalised word part of a place ("Saint-Denis", "San Francisco",
/// "Lake Michael", "New Brett").
pub(super) const PLACE_PREFIXES: [&str; 20] = [
    "saint", "sainte", "st", "ste", "san", "santa", "santo", "são", "los", "las", "new", "fort",
    "port", "mount", "lake", "east", "west", "north", "south", "cape",
];

/// Verbs in the third person (and "et"/"and"), right after a sentence-initial word: what makes
/// "Jean-Baptiste arrive demain" or "Chloé a validé" a name, and "Traduis ce texte" not one.
const SUBJECT_VERBS: &str = "a est sera était etait va vient arrive part doit peut veut souhaite \
    demande travaille habite aime pense dit confirme propose prendra viendra rappellera revient \
    reviendra sait connaît connait cherche attend organise gère gere signe signera envoie enverra \
    vit habitait partira arrivera préfère prefere écrit ecrit appelle rejoint rejoindra \
    is was has had will would can could said says wants needs asked called sent told joined \
    lives works thinks knows prefers arrives arrived left leaves wrote writes emailed replied \
    signed approved confirmed reported mentioned shared booked paid owes";

pub(super) struct Lexicon {
    first: HashSet<&'static str>,
    last: HashSet<&'static str>,
    not_alone: HashSet<&'static str>,
    languages: HashSet<&'static str>,
    subject_verbs: HashSet<&'static str>,
}

pub(super) fn lexicon() -> &'static Lexicon {
    static CELL: OnceLock<Lexicon> = OnceLock::new();
    CELL.get_or_init(|| Lexicon {
        first: FIRST_NAMES.lines().filter(|l| !l.is_empty()).collect(),
        last: SURNAMES.lines().filter(|l| !l.is_empty()).collect(),
        not_alone: NOT_ALONE
            .split_whitespace()
            .chain(LANGUAGES.split_whitespace())
            .chain(
                PLACES
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .flat_map(str::split_whitespace),
            )
            .collect(),
        languages: LANGUAGES.split_whitespace().collect(),
        subject_verbs: SUBJECT_VERBS.split_whitespace().collect(),
    })
}

/// The form the lexicons are keyed by: lower case, without an English possessive.
pub(super) fn key(w: &str) -> String {
    base(w).to_lowercase()
}

/// Lookups take a word's `key`, computed once per word.
impl Lexicon {
    pub fn is_first(&self, key: &str) -> bool {
        self.first.contains(key) || self.is_compound_first(key)
    }

    /// Two known first names joined by a hyphen ("jean-baptiste", "anne-sophie").
    pub fn is_compound_first(&self, key: &str) -> bool {
        key.split('-').count() == 2
            && key
                .split('-')
                .all(|p| self.first.contains(p) && !self.not_alone.contains(p))
    }

    pub fn is_last(&self, key: &str) -> bool {
        self.last.contains(key) && !self.languages.contains(key)
    }

    /// Usually something else when it stands alone: a month, a place, a product, a language.
    pub fn not_alone(&self, key: &str) -> bool {
        self.not_alone.contains(key)
    }

    pub fn is_language(&self, key: &str) -> bool {
        self.languages.contains(key)
    }

    pub fn is_subject_verb(&self, key: &str) -> bool {
        self.subject_verbs.contains(key)
    }
}

/// "M", "Mme", "Dr", "Maître"…, written with a capital as titles are.
pub(super) fn is_title(w: &str) -> bool {
    w.len() <= 12
        && w.starts_with(char::is_uppercase)
        && TITLES.iter().any(|t| t.eq_ignore_ascii_case(w))
}

pub(super) fn is_particle(w: &str) -> bool {
    w.len() <= 6 && PARTICLES.iter().any(|p| p.eq_ignore_ascii_case(w))
}

pub(super) fn is_place_prefix(w: &str) -> bool {
    w.len() <= 6 && PLACE_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(w))
}
