//! The PERSON lexicons: first-name and surname gazetteers (INSEE and US Census data, public
//! domain; see scripts/gen-gazetteers), titles, name particles, and the capitalised words that
//! are usually something else in prompts (months, weekdays, places, languages, products).

use std::sync::OnceLock;

// FxHash: the sets are fixed, built-in word lists, and lookups are most of PERSON's time.
use rustc_hash::FxHashSet as HashSet;

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

/// More words that a gazetteer lists as first names but that prompts mostly use otherwise:
/// function words, places, frameworks and products, acronyms, virtues.
const NOT_ALONE_MORE: &str = "my le la les an ma mon ne on ta un do so no yes real person \
    florence victoria regina chester chelsea eugene sofia mali lourdes nancy charlotte madison \
    savannah adelaide alexandria sydney cheyenne phoenix orlando aurora lorraine valence valencia \
    vienne lima quito santiago salvador vienna alma amber ivy iris jade olive violet lily \
    django flask rails laravel spring angular react vue ember svelte kotlin perl elixir jenkins \
    ansible terraform docker kubernetes jira slack notion figma zoom sage oracle tableau \
    iban siret siren rib bic tva api crm pdf \
    wisdom discipline patience prudence constance honor honour justice liberty harmony \
    states kingdom emirates nations republic league city lake river mountain valley island islands \
    bay beach county legal ltd inc llc gmbh group labs energy trust partners consulting solutions \
    systems services studio studios media capital bank digital conseil sas sarl technologies \
    software industries holding associates ventures agency road falls venise venice milan \
    adélaïde";

/// First names that are above all frequent words: the 8,000 most frequent English and French
/// words of wordfreq 3.1.1 that the gazetteers list as first names, those that are not mostly
/// names kept by hand ("just", "love", "rock"; "juste", "aime", "victoire").
const FREQUENT_WORDS: &str = "just see any said many love man long come ever done job line season young \
    court guy else soon art son song miss star king ok blue page mine rock miles numbers sun lady \
    brain luck rich gay carry channel royal lie winner till gift lucky patient iron lovely lies tea \
    victory prince forest moon ocean ray loan era golden tiny desire don hang bell mile ha heaven \
    lane severe constant marine princess semi roman junior santa cloud drew pa angel charity \
    innocent temple chase ny diamond islam na saint buddy crystal dean marry arab silly angle vital \
    honey hunter glory gene wolf deny precious manual romance favour jazz fortune mi candy clay dawn \
    isis aimed alpha mama marshall noble pat mercy divine ai pie raid destiny cherry earl chuck si \
    marvel ours rocky shade sunshine lean pearl rod miracle sterling delta easter ridge ally cliff \
    sang bee vi bud fairy reed sunny penny sue rob in ping \
    tu toi juste vu aime aura aide belle amour grâce beau avis esprit lien ami sol porter clair \
    signe parfait blanche lois bonheur lu mari sainte lance aimé su reine amie joie jolie pape lune \
    rares duc min monte parfaite conception papa gentil neige remise venus princesse automne \
    venant franc ange océan loup marge fleur promesse val gorge nu gloire mignon nan chante marin \
    argentine pacifique urbain aube néo pomme barbe cris urbaine anonyme germain moche modeste \
    plume bulle marquis azur espérance racine deja nana harmonie sublime colline merveille laine \
    bonnet cristal prudent brune lou sauveur ascension";

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
/// "Van der Berg", "da Silva", "von Weber", "Le Goff", "Ó Súilleabháin", "Mac Giolla Phádraig",
/// "ap Rhys", "Lo Bianco" — "Le" only before a capitalised word).
pub(super) const PARTICLES: &[&str] = &[
    "de", "du", "des", "la", "le", "los", "las", "y", "van", "von", "der", "den", "ter", "ten",
    "t", "vander", "da", "di", "del", "della", "dos", "das", "do", "zu", "af", "al", "el", "ben",
    "bin", "lo", "li", "ó", "o", "ní", "nic", "mac", "mc", "an", "ap", "ua", "uí", "st",
];

/// Nouns that start the names of streets, buildings and institutions ("Rue de la Paix",
/// "Banque de France", "Musée du Louvre"): never the first word of a person's name.
const INSTITUTION_WORDS: &str = "rue avenue boulevard bd place quai allée allee chemin impasse route \
    cours square château chateau hôtel hotel musée musee université universite banque ministère \
    ministere palais parc pont port gare lycée lycee collège college école ecole église eglise \
    cathédrale institut centre société societe groupe maison mairie préfecture prefecture tribunal \
    cour conseil agence caisse crédit credit assurance clinique hôpital hopital résidence residence \
    domaine bureau service direction fondation association syndicat street road lane drive bank \
    university museum hospital school church house hall court tower bridge park square \
    head senior junior project account finance customer manager director lead engineer officer \
    assistant chief vice sales marketing support team office responsable directeur directrice \
    chef chargé chargée";

/// Short upper-case words of forms and prompts ("NOM", "IBAN", "URGENT"): not a surname written
/// before a first name.
const FORM_WORDS: &str = "iban siret siren rib bic nir tva ssn pdf api crm cv rh hr it ceo cto cfo \
    coo vp pm ok faq url sms rgpd gdpr nb ps re fw tr urgent important nom name prénom prenom \
    contact client objet subject de from to cc fax tel tél mobile email mail note info attn ref réf";

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
    signed approved confirmed reported mentioned shared booked paid owes \
    ne n'a n'est n'arrive n'a-t-il starts start can't cannot won't shouted isn't doesn't didn't \
    hasn't wasn't and et";

pub(super) struct Lexicon {
    first: HashSet<&'static str>,
    last: HashSet<&'static str>,
    not_alone: HashSet<&'static str>,
    languages: HashSet<&'static str>,
    subject_verbs: HashSet<&'static str>,
    institutions: HashSet<&'static str>,
    form_words: HashSet<&'static str>,
}

pub(super) fn lexicon() -> &'static Lexicon {
    static CELL: OnceLock<Lexicon> = OnceLock::new();
    CELL.get_or_init(|| Lexicon {
        first: FIRST_NAMES.lines().filter(|l| !l.is_empty()).collect(),
        last: SURNAMES.lines().filter(|l| !l.is_empty()).collect(),
        not_alone: NOT_ALONE
            .split_whitespace()
            .chain(NOT_ALONE_MORE.split_whitespace())
            .chain(FREQUENT_WORDS.split_whitespace())
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
        institutions: INSTITUTION_WORDS.split_whitespace().collect(),
        form_words: FORM_WORDS.split_whitespace().collect(),
    })
}

/// The form the lexicons are keyed by: lower case, without an English possessive.
pub(super) fn key(w: &str) -> String {
    let w = base(w);
    if w.is_ascii() {
        w.to_ascii_lowercase()
    } else {
        w.to_lowercase()
    }
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

    pub fn is_institution(&self, key: &str) -> bool {
        self.institutions.contains(key)
    }

    pub fn is_form_word(&self, key: &str) -> bool {
        self.form_words.contains(key)
    }
}

/// "M", "Mme", "Dr", "Maître"…; in lower case too ("ms. Lena", "madame Dupont"), except the
/// abbreviations that are everyday words or units in lower case ("me", "m", "pr", "prof").
pub(super) fn is_title(w: &str) -> bool {
    // Every title starts with d, m, p or s: most words stop at the first letter.
    let initial = w.as_bytes().first().map(u8::to_ascii_lowercase);
    w.len() <= 12
        && matches!(initial, Some(b'd' | b'm' | b'p' | b's'))
        && TITLES.iter().any(|t| t.eq_ignore_ascii_case(w))
        && (w.starts_with(char::is_uppercase) || !matches!(w, "me" | "m" | "pr" | "prof" | "dame"))
}

pub(super) fn is_particle(w: &str) -> bool {
    w.len() <= 6 && PARTICLES.contains(&w.to_lowercase().as_str())
}

pub(super) fn is_place_prefix(w: &str) -> bool {
    w.len() <= 6 && PLACE_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(w))
}
