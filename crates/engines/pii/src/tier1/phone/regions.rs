//! Which regions' national formats a prompt makes likely: the countries it names (in English,
//! French or the country's own language), their capitals and large cities, their demonyms and
//! languages, and the country codes of international numbers written elsewhere in it.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use phonenumber::country::Id;

/// Tried first for every national-form candidate: the regions of French- and English-speaking
/// users whose numbers start with a trunk prefix (or, for North America, have a fixed shape).
pub(super) const DEFAULT_REGIONS: [Id; 7] =
    [Id::FR, Id::BE, Id::CH, Id::GB, Id::IE, Id::US, Id::CA];

/// Lower-case words that point at a region. Words that are also everyday English or French
/// ("split", "nice", "us", "turkey") are left out: a wrong hint only costs a lookup, but a
/// hint is what lets bare digit groups of regions without a trunk prefix through.
const HINTS: &[(Id, &[&str])] = &[
    (
        Id::AT,
        &[
            "austria",
            "autriche",
            "österreich",
            "vienna",
            "vienne",
            "wien",
            "salzburg",
            "graz",
            "linz",
            "innsbruck",
            "austrian",
            "autrichien",
            "autrichienne",
        ],
    ),
    (
        Id::BE,
        &[
            "belgium",
            "belgique",
            "belgië",
            "brussels",
            "bruxelles",
            "brussel",
            "antwerp",
            "anvers",
            "antwerpen",
            "liège",
            "ghent",
            "gand",
            "namur",
            "charleroi",
            "belgian",
            "belge",
        ],
    ),
    (
        Id::BG,
        &[
            "bulgaria",
            "bulgarie",
            "sofia",
            "plovdiv",
            "varna",
            "bulgarian",
            "bulgare",
        ],
    ),
    (
        Id::HR,
        &[
            "croatia",
            "croatie",
            "hrvatska",
            "zagreb",
            "dubrovnik",
            "croatian",
            "croate",
        ],
    ),
    (
        Id::CY,
        &[
            "cyprus",
            "chypre",
            "nicosia",
            "nicosie",
            "limassol",
            "larnaca",
            "cypriot",
            "chypriote",
        ],
    ),
    (
        Id::CZ,
        &[
            "czech",
            "czechia",
            "tchèque",
            "tchéquie",
            "prague",
            "praha",
            "brno",
            "ostrava",
        ],
    ),
    (
        Id::DK,
        &[
            "denmark",
            "danemark",
            "danmark",
            "copenhagen",
            "copenhague",
            "københavn",
            "aarhus",
            "odense",
            "danish",
            "danois",
            "danoise",
        ],
    ),
    (
        Id::EE,
        &[
            "estonia",
            "estonie",
            "eesti",
            "tallinn",
            "tartu",
            "estonian",
            "estonien",
            "estonienne",
        ],
    ),
    (
        Id::FI,
        &[
            "finland",
            "finlande",
            "suomi",
            "helsinki",
            "espoo",
            "tampere",
            "turku",
            "finnish",
            "finlandais",
            "finlandaise",
        ],
    ),
    (
        Id::FR,
        &[
            "france",
            "french",
            "français",
            "française",
            "paris",
            "lyon",
            "marseille",
            "toulouse",
            "bordeaux",
            "lille",
            "nantes",
            "strasbourg",
        ],
    ),
    (
        Id::DE,
        &[
            "germany",
            "allemagne",
            "deutschland",
            "german",
            "allemand",
            "allemande",
            "berlin",
            "munich",
            "münchen",
            "hamburg",
            "hambourg",
            "frankfurt",
            "francfort",
            "köln",
            "cologne",
            "stuttgart",
            "düsseldorf",
            "dresden",
            "leipzig",
            "hannover",
            "nürnberg",
        ],
    ),
    (
        Id::GR,
        &[
            "greece",
            "grèce",
            "athens",
            "athènes",
            "thessaloniki",
            "thessalonique",
            "greek",
            "grec",
            "grecque",
        ],
    ),
    (
        Id::HU,
        &[
            "hungary",
            "hongrie",
            "magyarország",
            "budapest",
            "debrecen",
            "hungarian",
            "hongrois",
            "hongroise",
        ],
    ),
    (
        Id::IE,
        &[
            "ireland",
            "irlande",
            "éire",
            "dublin",
            "cork",
            "galway",
            "limerick",
            "irish",
            "irlandais",
            "irlandaise",
        ],
    ),
    (
        Id::IT,
        &[
            "italy",
            "italie",
            "italia",
            "rome",
            "roma",
            "milan",
            "milano",
            "turin",
            "torino",
            "naples",
            "napoli",
            "florence",
            "firenze",
            "bologna",
            "bologne",
            "venice",
            "venise",
            "venezia",
            "italian",
            "italien",
            "italienne",
        ],
    ),
    (
        Id::LV,
        &[
            "latvia", "lettonie", "latvija", "riga", "latvian", "letton", "lettone",
        ],
    ),
    (
        Id::LT,
        &[
            "lithuania",
            "lituanie",
            "lietuva",
            "vilnius",
            "kaunas",
            "lithuanian",
            "lituanien",
            "lituanienne",
        ],
    ),
    (
        Id::LU,
        &[
            "luxembourg",
            "luxemburg",
            "lëtzebuerg",
            "luxembourgeois",
            "luxembourgeoise",
        ],
    ),
    (
        Id::MT,
        &[
            "malta",
            "malte",
            "valletta",
            "la valette",
            "maltese",
            "maltais",
            "maltaise",
        ],
    ),
    (
        Id::NL,
        &[
            "netherlands",
            "pays-bas",
            "nederland",
            "holland",
            "hollande",
            "amsterdam",
            "rotterdam",
            "the hague",
            "la haye",
            "den haag",
            "utrecht",
            "eindhoven",
            "dutch",
            "néerlandais",
            "néerlandaise",
        ],
    ),
    (
        Id::PL,
        &[
            "poland",
            "pologne",
            "polska",
            "warsaw",
            "varsovie",
            "warszawa",
            "kraków",
            "krakow",
            "cracovie",
            "wrocław",
            "wroclaw",
            "gdańsk",
            "gdansk",
            "poznań",
            "poznan",
            "łódź",
            "polish",
            "polonais",
            "polonaise",
        ],
    ),
    (
        Id::PT,
        &[
            "portugal",
            "lisbon",
            "lisbonne",
            "lisboa",
            "porto",
            "braga",
            "coimbra",
            "portuguese",
            "portugais",
            "portugaise",
        ],
    ),
    (
        Id::RO,
        &[
            "romania",
            "roumanie",
            "românia",
            "bucharest",
            "bucarest",
            "bucurești",
            "cluj",
            "timișoara",
            "timisoara",
            "iași",
            "romanian",
            "roumain",
            "roumaine",
        ],
    ),
    (
        Id::SK,
        &[
            "slovakia",
            "slovaquie",
            "slovensko",
            "bratislava",
            "košice",
            "kosice",
            "slovak",
            "slovaque",
        ],
    ),
    (
        Id::SI,
        &[
            "slovenia",
            "slovénie",
            "slovenija",
            "ljubljana",
            "maribor",
            "slovenian",
            "slovène",
        ],
    ),
    (
        Id::ES,
        &[
            "spain",
            "espagne",
            "españa",
            "madrid",
            "barcelona",
            "barcelone",
            "valencia",
            "valence",
            "seville",
            "séville",
            "sevilla",
            "bilbao",
            "málaga",
            "malaga",
            "zaragoza",
            "saragosse",
            "spanish",
            "espagnol",
            "espagnole",
        ],
    ),
    (
        Id::SE,
        &[
            "sweden",
            "suède",
            "sverige",
            "stockholm",
            "gothenburg",
            "göteborg",
            "malmö",
            "malmo",
            "uppsala",
            "swedish",
            "suédois",
            "suédoise",
        ],
    ),
    (
        Id::IS,
        &[
            "iceland",
            "islande",
            "ísland",
            "reykjavik",
            "reykjavík",
            "icelandic",
            "islandais",
            "islandaise",
        ],
    ),
    (
        Id::LI,
        &[
            "liechtenstein",
            "vaduz",
            "schaan",
            "balzers",
            "triesen",
            "eschen",
        ],
    ),
    (
        Id::NO,
        &[
            "norway",
            "norvège",
            "norge",
            "oslo",
            "bergen",
            "trondheim",
            "stavanger",
            "norwegian",
            "norvégien",
            "norvégienne",
        ],
    ),
    (
        Id::GB,
        &[
            "uk",
            "united kingdom",
            "royaume-uni",
            "great britain",
            "grande-bretagne",
            "britain",
            "british",
            "britannique",
            "england",
            "angleterre",
            "scotland",
            "écosse",
            "wales",
            "pays de galles",
            "london",
            "londres",
            "manchester",
            "birmingham",
            "edinburgh",
            "édimbourg",
            "glasgow",
            "bristol",
            "leeds",
            "liverpool",
            "cardiff",
            "belfast",
        ],
    ),
    (
        Id::CH,
        &[
            "switzerland",
            "suisse",
            "schweiz",
            "svizzera",
            "geneva",
            "genève",
            "zurich",
            "zürich",
            "lausanne",
            "bern",
            "berne",
            "basel",
            "bâle",
            "lugano",
            "swiss",
        ],
    ),
    (
        Id::US,
        &[
            "usa",
            "u.s.",
            "united states",
            "états-unis",
            "etats-unis",
            "new york",
            "california",
            "texas",
            "chicago",
            "boston",
            "seattle",
            "san francisco",
        ],
    ),
    (
        Id::CA,
        &[
            "canada",
            "canadian",
            "canadien",
            "canadienne",
            "québec",
            "quebec",
            "montréal",
            "montreal",
            "toronto",
            "vancouver",
            "ottawa",
            "calgary",
        ],
    ),
];

fn automaton() -> &'static AhoCorasick {
    static CELL: OnceLock<AhoCorasick> = OnceLock::new();
    CELL.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(HINTS.iter().flat_map(|(_, words)| words.iter()))
            .expect("valid region hints")
    })
}

fn region_of_pattern(index: usize) -> Id {
    let mut left = index;
    for (region, words) in HINTS {
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
