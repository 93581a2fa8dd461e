"""Independent, labeled FR/EN evaluation set for the pii engine (scripts/bench_pii/independent.jsonl).

Purpose: measure how the engine generalises. generate.py builds the engine's own benchmark from
Faker fr_FR / en_US names, fake.phone_number() FR/US numbers and one set of templates; the
engine's gazetteers come from INSEE and the US Census. This set is built from OTHER sources and
OTHER templates, written independently of the engine:

* PERSON: Faker locales fr_CA, fr_CH, fr_BE, en_GB, en_IE, en_NZ, ga_IE, nl_NL, nl_BE, de_DE,
  de_AT, it_IT, es_ES, pt_PT (Faker has no person provider of its own for en_AU / en_CA, so those
  are not used); the first-name dictionary shipped by the `gender-guesser` package (Jörg Michael's
  nam_dict.txt, per-country frequencies for France, Belgium, Switzerland, Luxembourg, Great
  Britain, Ireland); hand-written lists of rare / accented surnames and particle names below.
* PHONE: `phonenumbers` per-region metadata (example_number_for_type), digits varied and kept only
  when phonenumbers.is_valid_number accepts them with the intended number type, for every EU/EEA
  country, GB, CH, US and CA.
* IBAN: BBAN structures from python-stdnum's IBAN registry (stdnum/iban.dat), ISO 7064 check digits
  computed here (French BBANs also carry a correct RIB key); python-stdnum validates each one.
* API_KEY: formats follow the rules of gitleaks (config/gitleaks.toml, github.com/gitleaks/gitleaks,
  read at commit b58d3f102cf3); the rule id is cited next to each generator.
* Templates: written for this file (FR and EN), plus EN templates adapted from Microsoft
  presidio-research (presidio_evaluator/data_generator/raw_data/templates.txt at commit
  7622dec1e5f7, MIT License, Copyright (c) Microsoft Corporation); those are marked "presidio-research"
  below. Their placeholders were renamed to this file's slots; address / organisation-only
  templates were left out.

Output: one JSON object per line, {"text", "lang": "fr"|"en", "split": "independent",
"entities": [[TYPE, start, end], ...]}, character offsets, end exclusive. Types: PERSON, EMAIL,
PHONE, CREDIT_CARD, IBAN, IP_ADDRESS, FR_NIR, FR_SIREN, FR_SIRET, API_KEY. MEDICAL and LEGAL_REF
are not labelled, and no prompt contains a health term or a legal reference (self-checked), so
that the engine's findings of those types are not scored against unlabeled text.

Label conventions: PERSON spans the full name without the title ("Mme Rivière" -> "Rivière",
"Dr. Anna van der Berg" -> "Anna van der Berg"), particles included, possessive "'s" excluded,
"NOM Prénom" / "Prénom NOM" as one span. PHONE spans the number with its extension ("x1234",
"ext. 12", "poste 12"). API_KEY spans the secret only (not "Bearer ", not the variable name;
a PEM private key from -----BEGIN to the closing -----; a Slack webhook as the whole URL).
IP_ADDRESS spans the address without any port. Every prompt with a national-format phone number
of a region that is not usual for the prompt's language (fr: FR BE CH LU CA; en: GB IE US CA)
names that region (country or city) or also carries an international number of that region.

Reproducible: fixed seed; runs offline once the venv has its packages. Run as a script to write
independent.jsonl and print the summary; bench code can `from independent import generate`.

Package versions used to build independent.jsonl (Python 3.11):
  Faker 40.63.0, phonenumbers 9.0.43, python-stdnum 2.2, gender-guesser 0.4.0
"""
import base64
import datetime
import ipaddress
import json
import os
import re
import string
import sys
import unicodedata
import uuid
import random
from collections import Counter

import phonenumbers as pn
from faker import Faker
from phonenumbers import PhoneNumberFormat as PNF
from phonenumbers import PhoneNumberType as PNT
from stdnum import iban as std_iban
from stdnum import luhn, numdb
from stdnum.fr import nir as std_nir
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

SEED = 20270405
N_PROMPTS = 2400
CLEAN_SHARE = 0.40
LONG_SHARE = 0.105  # prompts built from a long (700-1,200 character) template
SPLIT = "independent"
HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"


def rs(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def fold(s):
    """ASCII lower-case form of a name, for e-mail local parts."""
    s = s.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe").replace("ø", "o").replace("Ø", "o")
    s = s.replace("ł", "l").replace("Ł", "l").replace("đ", "d").replace("Đ", "d").replace("ı", "i")
    s = s.replace("þ", "th").replace("Þ", "th").replace("ð", "d").replace("Ð", "d")
    s = unicodedata.normalize("NFKD", s)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in s if not unicodedata.combining(c)).lower())


def luhn_ok(digits):
    return luhn.is_valid(digits)


def non_luhn_digits(rng, n):
    """n random digits that fail Luhn (so they cannot be read as SIREN / SIRET / card numbers)."""
    while True:
        d = rng.choice("123456789") + rs(rng, DIGITS, n - 1)
        if not luhn_ok(d):
            return d


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]


# ---------------------------------------------------------------------------------------------
# PERSON: name sources
# ---------------------------------------------------------------------------------------------
FAKER_FR = ["fr_CA", "fr_CH", "fr_BE"]
FAKER_EN = ["en_GB", "en_IE", "en_NZ", "ga_IE"]
FAKER_INTL = ["nl_NL", "nl_BE", "de_DE", "de_AT", "it_IT", "es_ES", "pt_PT"]
GG_COUNTRIES = {"fr": ["france", "belgium", "swiss", "luxembourg"], "en": ["great_britain", "ireland"]}

# Words that are first names elsewhere but also months, places, products, common words or
# programming languages: never used as a LONE first name (they appear in clean prompts instead).
LONE_STOP = {
    "May", "June", "April", "August", "Will", "Mark", "Bill", "Rich", "Frank", "Grace", "Hope", "Faith",
    "Joy", "Summer", "Autumn", "Amber", "Olive", "Ivy", "Holly", "Daisy", "Iris", "Rose", "Jade", "Ruby",
    "Crystal", "Dawn", "Page", "Chase", "Guy", "Art", "Sky", "Storm", "Rain", "River", "Brook", "Cliff",
    "Dale", "Glen", "Wood", "Lane", "Chance", "Destiny", "Melody", "Harmony", "Precious", "Sunny",
    "Pearl", "Misty", "Cherry", "Candy", "Honey", "Mercedes", "Paris", "London", "Florence", "Victoria",
    "Georgia", "Jordan", "Chelsea", "Sydney", "Austin", "Dallas", "Savannah", "Madison", "Phoenix",
    "Charlotte", "Lourdes", "Nancy", "Regina", "Adelaide", "Sofia", "Claude", "Alexa", "Siri", "Ada",
    "Julia", "Noël", "Noel", "Reine", "Fleur", "Violette", "Ambre", "Prudence", "Constance", "Victoire",
    "Aurore", "Capucine", "Marguerite", "Clémentine", "Mélodie", "Colombe", "Patience", "Espérance",
    "Aimé", "Aimée", "Désiré", "Désirée", "Céleste", "Blanche", "France", "Lorraine", "Valence",
    "Basil", "Sage", "Jasmine", "Justice", "Sterling", "Lily", "Eugene", "Santiago", "Hazel", "Heather",
    "Lavender", "Poppy", "Scarlett", "Sable", "Tempest", "Urban", "Royal", "Prince", "Major", "Baker",
    "Carter", "Mason", "Cooper", "Hunter", "Ray", "Max", "Pat", "Sue", "Don", "Ben", "Bob", "Dot", "Eve",
    "Gene", "Jack", "Jean", "Martin", "Vincent", "Laurent", "Léon", "Gaston", "Gemini", "Copilot",
}

# Hyphenated French first names (common in France, Belgium, Québec).
HYPHEN_FIRST_FR = [
    "Jean-Baptiste", "Anne-Sophie", "Marie-Claire", "Pierre-Louis", "Jean-Marc", "Marie-Ève", "Louis-Philippe",
    "Anne-Laure", "Paul-Henri", "Marie-Hélène", "Jean-François", "Marie-Noëlle", "Charles-Édouard",
    "Anne-Charlotte", "Jean-Sébastien", "Marie-Josée", "Pierre-Yves", "Marie-Laure", "Jean-Philippe",
    "Marie-Christine", "Louis-Marie", "Anne-Cécile", "Jean-Rémi", "Marie-Lou",
]
EN_MIDDLE = ["Jane", "Louise", "Marie", "James", "Elizabeth", "Anne", "Thomas", "Rose", "Patrick", "Edward", "Claire", "Michael"]

# Rare, accented or otherwise unusual surnames (hand-written).
RARE_SURNAMES_FR = [
    "Rivière", "Deschamps", "Lefèvre-Dubois", "Delacroix", "Desrosiers", "Lévesque", "Théberge", "Kerjean",
    "Le Goff", "Le Bihan", "Kervella", "Abgrall", "Quéré", "Guivarc'h", "Trémolières", "Ducrocq", "Vanhoutte",
    "Delvaux", "Bézard", "Chênevert", "Doucet-Ménard", "Thériault", "Bellefleur", "Béliveau", "Pâquet",
    "Saint-Amand", "Aubéry", "Lamothe-Fénelon", "Nguyen-Thanh", "Benali", "Haddad", "Belkacem", "Diallo",
    "Traoré", "Ndiaye", "Kowalczyk", "Wiśniewska", "Ferreira", "Öztürk", "Yılmaz", "Papadopoulos",
    "Lemaître", "Cœurdevey", "Vergès", "Çelik", "Desjardins-Lévêque", "Ouellet", "Bouchard-Hébert",
    "Mbemba", "Rakotomalala", "Ferrández", "Gaëtan-Roux", "Høeg", "Brönnimann", "Zürcher",
]
RARE_SURNAMES_EN = [
    "Ó Súilleabháin", "Ní Bhriain", "O'Donoghue", "Featherstonehaugh", "Cholmondeley", "Worthington-Smythe",
    "Pryce-Jones", "Llewellyn", "Ní Dhomhnaill", "Mac Cárthaigh", "MacAllister", "Fitzwilliam", "Auchinleck",
    "Menzies", "Urquhart", "Farquharson", "Ó Briain", "Nic Aodha", "Ó Dálaigh", "Okonkwo", "Adeyemi",
    "Chaudhry", "Sandhu", "Kaur-Bains", "Nakamura", "Zieliński", "Nørgaard", "Åberg", "Sigurðsson",
    "Jónsdóttir", "Kovačević", "Đorđević", "Van Rensburg", "Ó Ceallaigh", "Mac Giolla Phádraig",
    "Tremayne", "Trelawney", "Pengelly", "Ffrench", "Ffoulkes", "Vaughan-Thomas", "Oyelaran", "Mahmoud",
]
# Surnames with particles, with the Faker locale their first name is drawn from ("fr" = the
# francophone pool).
PARTICLE_NAMES = [
    ("de la Fontaine", "fr"), ("d'Alembert", "fr"), ("de Lattre", "fr"), ("du Pont", "fr"), ("de Villiers", "fr"),
    ("de la Tour", "fr"), ("des Forges", "fr"), ("du Bellay", "fr"), ("de Saint-Aubin", "fr"), ("Le Du", "fr"),
    ("de Montfort", "fr"), ("d'Arcy", "fr"), ("de Kerguelen", "fr"), ("de La Rochère", "fr"),
    ("van der Berg", "nl_NL"), ("Van der Berg", "nl_BE"), ("van den Broek", "nl_NL"), ("Van den Bossche", "nl_BE"),
    ("van Dijk", "nl_NL"), ("van 't Hof", "nl_NL"), ("de Vries", "nl_NL"), ("de Groot", "nl_NL"),
    ("ter Horst", "nl_NL"), ("Vanden Eynde", "nl_BE"), ("De Smet", "nl_BE"), ("Van Acker", "nl_BE"),
    ("von Weber", "de_DE"), ("von der Heide", "de_DE"), ("von Hohenberg", "de_AT"), ("zu Salm", "de_DE"),
    ("da Silva", "pt_PT"), ("dos Santos", "pt_PT"), ("de Souza", "pt_PT"), ("da Costa", "pt_PT"), ("das Neves", "pt_PT"),
    ("di Lorenzo", "it_IT"), ("De Luca", "it_IT"), ("Dell'Acqua", "it_IT"), ("Lo Bianco", "it_IT"), ("D'Angelo", "it_IT"),
    ("de la Cruz", "es_ES"), ("del Río", "es_ES"), ("de los Santos", "es_ES"),
    ("Mac an tSaoi", "ga_IE"), ("Ó Súilleabháin", "ga_IE"), ("Ní Bhriain", "ga_IE"), ("ap Rhys", "en_GB"),
    ("St Clair", "en_GB"),
]

TITLES_FR = ["M.", "Mme", "Madame", "Monsieur", "Me", "Maître", "Pr", "Mlle"]
TITLES_MED_FR = ["Dr", "Dr.", "docteur"]
TITLES_EN = ["Mr", "Mr.", "Mrs", "Ms", "Ms.", "Dr", "Dr.", "Prof.", "Miss"]


def _gender_guesser_pools():
    """First names per language from gender-guesser's nam_dict.txt: name -> best frequency (1-13)."""
    import gender_guesser.detector as gd

    countries = gd.Detector.COUNTRIES
    path = os.path.join(os.path.dirname(gd.__file__), "data", "nam_dict.txt")
    pools = {"fr": {}, "en": {}}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line[0] in "#=":
                continue
            name = line.split()[1].replace("+", "-")
            if len(name) < 3 or not name[0].isupper() or not re.fullmatch(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", name):
                continue
            for lang, cs in GG_COUNTRIES.items():
                for c in cs:
                    ch = line[30 + countries.index(c)]
                    if ch != " ":
                        pools[lang][name] = max(pools[lang].get(name, 0), int(ch, 16))
    return pools


class Names:
    def __init__(self, rng):
        self.rng = rng
        self.first, self.last = {}, {}
        for i, loc in enumerate(FAKER_FR + FAKER_EN + FAKER_INTL):
            fk = Faker(loc)
            fk.seed_instance(SEED + 100 + i)
            self.first[loc] = sorted({fk.first_name() for _ in range(1500)})
            self.last[loc] = sorted({fk.last_name() for _ in range(1500)})
        gg = _gender_guesser_pools()
        self.gg_full = {lang: sorted(n for n, f in p.items() if f >= 3) for lang, p in gg.items()}
        lone = {}
        for lang, locs in (("fr", FAKER_FR), ("en", FAKER_EN)):
            pool = {n for n, f in gg[lang].items() if f >= 5}
            for loc in locs:
                pool.update(self.first[loc])
            if lang == "fr":
                pool.update(HYPHEN_FIRST_FR)
            lone[lang] = sorted(n for n in pool if n not in LONE_STOP and " " not in n)
        self.lone = lone

    def first_of(self, loc):
        if loc == "fr":
            if self.rng.random() < 0.15:
                return self.rng.choice(HYPHEN_FIRST_FR)
            loc = self.rng.choice(FAKER_FR)
        return self.rng.choice(self.first[loc])

    def person(self, lang, kind=None):
        """Returns (first, last) of a full name."""
        rng = self.rng
        if kind is None:
            if lang == "fr":
                kind = weighted(rng, [("faker", 30), ("gg", 20), ("rare", 15), ("particle", 15), ("hyphen", 8),
                                      ("intl", 7), ("initial", 5)])
            else:
                kind = weighted(rng, [("faker", 32), ("gg", 18), ("rare", 15), ("particle", 12), ("intl", 10),
                                      ("middle", 8), ("initial", 5)])
        locs = FAKER_FR if lang == "fr" else FAKER_EN
        if kind == "faker":
            loc = rng.choice(locs)
            return rng.choice(self.first[loc]), rng.choice(self.last[loc])
        if kind == "gg":
            return rng.choice(self.gg_full[lang]), rng.choice(self.last[rng.choice(locs)])
        if kind == "rare":
            first = self.first_of("fr") if lang == "fr" else rng.choice(self.first[rng.choice(FAKER_EN)])
            return first, rng.choice(RARE_SURNAMES_FR if lang == "fr" else RARE_SURNAMES_EN)
        if kind == "particle":
            last, loc = rng.choice(PARTICLE_NAMES)
            return self.first_of(loc), last
        if kind == "hyphen":
            return rng.choice(HYPHEN_FIRST_FR), rng.choice(self.last[rng.choice(locs)])
        if kind == "intl":
            loc = rng.choice(FAKER_INTL)
            return rng.choice(self.first[loc]), rng.choice(self.last[loc])
        if kind == "middle":
            loc = rng.choice(locs)
            return rng.choice(self.first[loc]) + " " + rng.choice(EN_MIDDLE), rng.choice(self.last[loc])
        if kind == "initial":
            first, last = self.person(lang, "faker")
            return first[0] + ".", last
        raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# EMAIL
# ---------------------------------------------------------------------------------------------
EMAIL_DOMAINS_FR = ["orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "gmail.com", "outlook.fr",
                    "protonmail.com", "icloud.com", "yahoo.fr", "bluewin.ch", "skynet.be", "videotron.ca",
                    "sympatico.ca", "hotmail.be", "pt.lu", "gmx.fr", "netcourrier.com", "hispeed.ch", "telenet.be"]
EMAIL_DOMAINS_EN = ["btinternet.com", "sky.com", "virginmedia.com", "eircom.net", "bigpond.com", "shaw.ca",
                    "rogers.com", "gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "proton.me",
                    "icloud.com", "fastmail.fm", "talktalk.net", "live.ie", "optusnet.com.au", "telus.net"]
ORG_DOMAINS_FR = ["boreal-logistique.fr", "atelier-cobalt.com", "nexora.eu", "vertigo-conseil.fr", "hexagone-energie.fr",
                  "opaline.digital", "cap-horizon.fr", "granit-immobilier.be", "lumen-assurances.ch", "mairie-saint-brevin.fr",
                  "etu.univ-nantes.fr", "ac-grenoble.fr", "cabinet-alize.fr", "transports-mercier.ca",
                  "cooperative-lait.qc.ca", "edu.ge.ch", "studio-pivoine.fr", "ville-annecy.fr"]
ORG_DOMAINS_EN = ["kestrel-analytics.co.uk", "harbourline.ie", "quillfeather.com", "bramblewood.co.uk", "tidewater-labs.io",
                  "northgate-legal.com", "bluefin-robotics.com.au", "copperleaf.studio", "student.ucl.ac.uk", "nhs.net",
                  "tcd.ie", "leeds.gov.uk", "mail.utoronto.ca", "greenhollow.org",
                  "arden-partners.co.nz", "silverline-energy.ca", "foxglove.dev", "peakdistrict-tours.co.uk"]
ROLE_FR = ["contact", "facturation", "compta", "rh", "support", "accueil", "direction", "commandes", "sav", "recrutement"]
ROLE_EN = ["billing", "accounts", "hr", "helpdesk", "sales", "info", "support", "payroll", "careers", "ops-alerts"]
HANDLE_WORDS = ["kiwi", "tempo", "nordic", "blue", "pixel", "atlas", "otter", "maple", "lynx", "cedar", "orbit", "velo",
                "moka", "sable", "zeste", "brume", "falcon", "ember", "harbor", "quartz"]


def email(rng, lang, person=None):
    doms = EMAIL_DOMAINS_FR if lang == "fr" else EMAIL_DOMAINS_EN
    orgs = ORG_DOMAINS_FR if lang == "fr" else ORG_DOMAINS_EN
    if person is not None and rng.random() < 0.9:
        first, last = fold(person[0].split()[0]) or "x", fold(person[1]) or "y"
        local = weighted(rng, [(f"{first}.{last}", 40), (f"{first[0]}{last}", 15), (f"{first}_{last}", 8),
                               (f"{last}.{first[0]}", 8), (f"{first}{last}{rng.randint(1, 99)}", 10),
                               (f"{first}.{last}+{rng.choice(['factures', 'pro', 'news', 'work', 'asso'])}", 6),
                               (f"{first[0]}.{last}", 13)])
        domain = rng.choice(orgs) if rng.random() < 0.5 else rng.choice(doms)
    else:
        kind = rng.random()
        if kind < 0.45:
            local, domain = rng.choice(ROLE_FR if lang == "fr" else ROLE_EN), rng.choice(orgs)
        else:
            local = rng.choice(HANDLE_WORDS) + rng.choice(["", ".", "_", "-"]) + rng.choice(HANDLE_WORDS) + (
                str(rng.randint(1, 999)) if rng.random() < 0.6 else "")
            domain = rng.choice(doms)
    if rng.random() < 0.04:
        local = local.capitalize()
    return f"{local}@{domain}"


# ---------------------------------------------------------------------------------------------
# PHONE: phonenumbers metadata, every EU/EEA country + GB, CH, US, CA
# ---------------------------------------------------------------------------------------------
EU_EEA = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
PHONE_REGIONS = EU_EEA + ["GB", "CH", "US", "CA"]
LOCAL_REGIONS = {"fr": ["FR", "BE", "CH", "LU", "CA"], "en": ["GB", "IE", "US", "CA"]}
LOCAL_WEIGHTS = {"fr": [60, 14, 12, 6, 8], "en": [40, 13, 34, 13]}
NANP = {"US", "CA"}
TRUNK0 = {"FR", "BE", "CH", "DE", "AT", "GB", "NL", "IE"}  # "+33 (0)6 ..." style is common there

# region -> (FR "in", FR name, EN "in", EN name, FR city names, EN city names): the hints that
# make a national-format foreign number readable.
REGIONS = {
    "AT": ("en Autriche", "l'Autriche", "in Austria", "Austria", ["Vienne", "Graz", "Linz", "Salzbourg", "Innsbruck"], ["Vienna", "Graz", "Linz", "Salzburg", "Innsbruck"]),
    "BE": ("en Belgique", "la Belgique", "in Belgium", "Belgium", ["Bruxelles", "Liège", "Namur", "Anvers", "Gand", "Charleroi"], ["Brussels", "Antwerp", "Ghent", "Liège", "Leuven"]),
    "BG": ("en Bulgarie", "la Bulgarie", "in Bulgaria", "Bulgaria", ["Sofia", "Plovdiv", "Varna"], ["Sofia", "Plovdiv", "Varna", "Burgas"]),
    "HR": ("en Croatie", "la Croatie", "in Croatia", "Croatia", ["Zagreb", "Split", "Rijeka"], ["Zagreb", "Split", "Rijeka", "Dubrovnik"]),
    "CY": ("à Chypre", "Chypre", "in Cyprus", "Cyprus", ["Nicosie", "Limassol", "Larnaca"], ["Nicosia", "Limassol", "Larnaca"]),
    "CZ": ("en Tchéquie", "la Tchéquie", "in the Czech Republic", "the Czech Republic", ["Prague", "Brno", "Ostrava"], ["Prague", "Brno", "Ostrava"]),
    "DK": ("au Danemark", "le Danemark", "in Denmark", "Denmark", ["Copenhague", "Aarhus", "Odense"], ["Copenhagen", "Aarhus", "Odense"]),
    "EE": ("en Estonie", "l'Estonie", "in Estonia", "Estonia", ["Tallinn", "Tartu"], ["Tallinn", "Tartu"]),
    "FI": ("en Finlande", "la Finlande", "in Finland", "Finland", ["Helsinki", "Tampere", "Turku", "Espoo"], ["Helsinki", "Tampere", "Turku", "Espoo"]),
    "FR": ("en France", "la France", "in France", "France", ["Clermont-Ferrand", "Limoges", "Metz", "Poitiers", "Caen", "Besançon"], ["Paris", "Lyon", "Toulouse", "Bordeaux", "Lille", "Marseille"]),
    "DE": ("en Allemagne", "l'Allemagne", "in Germany", "Germany", ["Munich", "Berlin", "Hambourg", "Francfort", "Cologne", "Stuttgart"], ["Munich", "Berlin", "Hamburg", "Frankfurt", "Cologne", "Stuttgart"]),
    "GR": ("en Grèce", "la Grèce", "in Greece", "Greece", ["Athènes", "Thessalonique", "Patras"], ["Athens", "Thessaloniki", "Patras"]),
    "HU": ("en Hongrie", "la Hongrie", "in Hungary", "Hungary", ["Budapest", "Debrecen", "Szeged"], ["Budapest", "Debrecen", "Szeged"]),
    "IE": ("en Irlande", "l'Irlande", "in Ireland", "Ireland", ["Dublin", "Cork", "Galway", "Limerick"], ["Dublin", "Cork", "Galway", "Limerick"]),
    "IT": ("en Italie", "l'Italie", "in Italy", "Italy", ["Milan", "Rome", "Turin", "Naples", "Bologne", "Florence"], ["Milan", "Rome", "Turin", "Naples", "Bologna", "Florence"]),
    "LV": ("en Lettonie", "la Lettonie", "in Latvia", "Latvia", ["Riga", "Daugavpils"], ["Riga", "Daugavpils"]),
    "LT": ("en Lituanie", "la Lituanie", "in Lithuania", "Lithuania", ["Vilnius", "Kaunas", "Klaipėda"], ["Vilnius", "Kaunas", "Klaipėda"]),
    "LU": ("au Luxembourg", "le Luxembourg", "in Luxembourg", "Luxembourg", ["Luxembourg", "Esch-sur-Alzette", "Differdange"], ["Luxembourg City", "Esch-sur-Alzette"]),
    "MT": ("à Malte", "Malte", "in Malta", "Malta", ["La Valette", "Sliema", "Birkirkara"], ["Valletta", "Sliema", "Birkirkara"]),
    "NL": ("aux Pays-Bas", "les Pays-Bas", "in the Netherlands", "the Netherlands", ["Amsterdam", "Rotterdam", "La Haye", "Utrecht", "Eindhoven"], ["Amsterdam", "Rotterdam", "The Hague", "Utrecht", "Eindhoven"]),
    "PL": ("en Pologne", "la Pologne", "in Poland", "Poland", ["Varsovie", "Cracovie", "Gdańsk", "Wrocław", "Poznań"], ["Warsaw", "Kraków", "Gdańsk", "Wrocław", "Poznań"]),
    "PT": ("au Portugal", "le Portugal", "in Portugal", "Portugal", ["Lisbonne", "Porto", "Braga", "Coimbra"], ["Lisbon", "Porto", "Braga", "Coimbra"]),
    "RO": ("en Roumanie", "la Roumanie", "in Romania", "Romania", ["Bucarest", "Cluj-Napoca", "Timișoara", "Iași"], ["Bucharest", "Cluj-Napoca", "Timișoara", "Iași"]),
    "SK": ("en Slovaquie", "la Slovaquie", "in Slovakia", "Slovakia", ["Bratislava", "Košice"], ["Bratislava", "Košice"]),
    "SI": ("en Slovénie", "la Slovénie", "in Slovenia", "Slovenia", ["Ljubljana", "Maribor"], ["Ljubljana", "Maribor"]),
    "ES": ("en Espagne", "l'Espagne", "in Spain", "Spain", ["Madrid", "Barcelone", "Valence", "Séville", "Bilbao"], ["Madrid", "Barcelona", "Valencia", "Seville", "Bilbao"]),
    "SE": ("en Suède", "la Suède", "in Sweden", "Sweden", ["Stockholm", "Göteborg", "Malmö", "Uppsala"], ["Stockholm", "Gothenburg", "Malmö", "Uppsala"]),
    "IS": ("en Islande", "l'Islande", "in Iceland", "Iceland", ["Reykjavik", "Akureyri"], ["Reykjavík", "Akureyri"]),
    "LI": ("au Liechtenstein", "le Liechtenstein", "in Liechtenstein", "Liechtenstein", ["Vaduz", "Schaan"], ["Vaduz", "Schaan"]),
    "NO": ("en Norvège", "la Norvège", "in Norway", "Norway", ["Oslo", "Bergen", "Trondheim", "Stavanger"], ["Oslo", "Bergen", "Trondheim", "Stavanger"]),
    "GB": ("au Royaume-Uni", "le Royaume-Uni", "in the UK", "the UK", ["Londres", "Manchester", "Édimbourg", "Birmingham", "Bristol", "Leeds"], ["London", "Manchester", "Edinburgh", "Birmingham", "Bristol", "Leeds", "Glasgow", "Cardiff"]),
    "CH": ("en Suisse", "la Suisse", "in Switzerland", "Switzerland", ["Genève", "Lausanne", "Zurich", "Berne", "Bâle", "Neuchâtel"], ["Geneva", "Zurich", "Bern", "Basel", "Lausanne"]),
    "US": ("aux États-Unis", "les États-Unis", "in the US", "the US", ["New York", "Chicago", "Boston", "San Francisco", "Austin", "Seattle"], ["New York", "Chicago", "Boston", "San Francisco", "Austin", "Seattle", "Denver"]),
    "CA": ("au Canada", "le Canada", "in Canada", "Canada", ["Montréal", "Québec", "Toronto", "Ottawa", "Vancouver", "Gatineau"], ["Montreal", "Toronto", "Vancouver", "Ottawa", "Calgary", "Halifax"]),
}
assert sorted(REGIONS) == sorted(PHONE_REGIONS)

PHONE_TYPES = [(PNT.FIXED_LINE, 45), (PNT.MOBILE, 40), (PNT.TOLL_FREE, 10), (PNT.UAN, 3), (PNT.VOIP, 2)]
ACCEPT = {PNT.FIXED_LINE: {PNT.FIXED_LINE, PNT.FIXED_LINE_OR_MOBILE}, PNT.MOBILE: {PNT.MOBILE, PNT.FIXED_LINE_OR_MOBILE},
          PNT.TOLL_FREE: {PNT.TOLL_FREE}, PNT.UAN: {PNT.UAN}, PNT.VOIP: {PNT.VOIP}}
NATIONAL_FORMS = {"nat", "nat_compact", "nat_dots", "nat_dash", "na_paren", "na_dash", "na_dots", "na_1dash"}


def phone_number(rng, region, ptype=None):
    """A phonenumbers PhoneNumber for region: the metadata's example number of a random type with
    its digits varied, kept only if valid and of the intended type."""
    types = [(t, w) for t, w in PHONE_TYPES if pn.example_number_for_type(region, t) is not None]
    ptype = ptype or weighted(rng, types)
    if region == "GB" and ptype == PNT.VOIP:
        ptype = PNT.UAN
    nsn = pn.national_significant_number(pn.example_number_for_type(region, ptype))
    cc = str(pn.country_code_for_region(region))
    forced = ""
    if region == "GB" and ptype == PNT.UAN:  # non-geographic 03xx
        forced = "3" + rng.choice(["00", "03", "30", "33", "34", "45", "70"])
    elif region == "GB" and ptype == PNT.TOLL_FREE:  # freephone 0800 / 0808
        forced = rng.choice(["800", "808"])
    for attempt in range(600):
        if forced:
            keep = len(forced)
        elif attempt >= 400:
            keep = len(nsn) - 3
        else:
            keep = 0 if region in NANP else rng.choice([0, 1, 1, 2, 2, 3])
        length = len(nsn) + (rng.choice([-1, 0, 1]) if region in ("DE", "AT") and attempt % 3 == 0 else 0)
        head = forced or nsn[:keep]
        cand = head + rs(rng, DIGITS, max(0, length - len(head)))
        num = pn.parse("+" + cc + cand)
        if (pn.is_valid_number(num) and pn.number_type(num) in ACCEPT[ptype]
                and pn.is_valid_number_for_region(num, region)):
            return num, ptype
    raise RuntimeError(f"no valid number for {region} {ptype}")


def format_phone(rng, num, region, form):
    intl = pn.format_number(num, PNF.INTERNATIONAL)
    nat = pn.format_number(num, PNF.NATIONAL)
    nsn = pn.national_significant_number(num)
    if form == "intl":
        return intl
    if form == "e164":
        return pn.format_number(num, PNF.E164)
    if form == "00":
        return "00" + intl[1:]
    if form == "intl0":  # "+44 (0)20 7946 0958"
        cc, rest = intl.split(" ", 1)
        return f"{cc} (0){rest}"
    if form == "nat":
        return nat
    if form == "nat_compact":
        return re.sub(r"[\s\-().]", "", nat)
    if form == "nat_dots":
        return nat.replace(" ", ".")
    if form == "nat_dash":
        return nat.replace(" ", "-")
    a, b, c = nsn[:3], nsn[3:6], nsn[6:]
    return {"na_paren": f"({a}) {b}-{c}", "na_dash": f"{a}-{b}-{c}", "na_dots": f"{a}.{b}.{c}",
            "na_1dash": f"1-{a}-{b}-{c}", "na_plus_space": f"+1 {a} {b} {c}", "na_plus_paren": f"+1 ({a}) {b}-{c}",
            "na_plus_dash": f"+1-{a}-{b}-{c}"}[form]


def pick_form(rng, region, national_ok):
    if region in NANP:
        forms = [("intl", 8), ("e164", 8), ("na_plus_space", 10), ("na_plus_paren", 5), ("na_plus_dash", 4)]
        if national_ok:
            forms += [("na_paren", 22), ("na_dash", 18), ("na_dots", 10), ("na_1dash", 5), ("nat_compact", 5)]
    else:
        forms = [("intl", 30), ("e164", 10), ("00", 8)] + ([("intl0", 5)] if region in TRUNK0 else [])
        if national_ok:
            forms += [("nat", 40), ("nat_compact", 12)] + ([("nat_dots", 6), ("nat_dash", 2)] if region == "FR" else [])
    return weighted(rng, forms)


def extension(rng, lang):
    n = str(rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 9999)]))
    if lang == "fr":
        return weighted(rng, [(f" poste {n}", 70), (f" ext. {n}", 15), (f" x{n}", 15)])
    return weighted(rng, [(f" x{n}", 35), (f" ext. {n}", 40), (f" ext {n}", 25)])


EXT_SHARE = 0.15


def phone(rng, lang, region=None, form_kind=None, mobile=False, quota=None):
    """Returns (text, meta). form_kind: None (any allowed), "intl" or "nat". quota ({"n", "ext"},
    shared across the set) keeps the share of numbers with an extension near EXT_SHARE."""
    if region is None:
        if rng.random() < 0.55:
            region = weighted(rng, list(zip(LOCAL_REGIONS[lang], LOCAL_WEIGHTS[lang])))
        else:
            region = rng.choice(PHONE_REGIONS)
            form_kind = form_kind or "intl"
    num, ptype = phone_number(rng, region, PNT.MOBILE if mobile else None)
    if form_kind == "nat":
        form = pick_form(rng, region, True)
        while form not in NATIONAL_FORMS:
            form = pick_form(rng, region, True)
    else:
        form = pick_form(rng, region, form_kind != "intl")
    text = format_phone(rng, num, region, form)
    ext = ""
    quota = quota if quota is not None else {"n": 0, "ext": 0}
    quota["n"] += 1
    if ptype != PNT.MOBILE and form != "e164" and quota["ext"] < EXT_SHARE * quota["n"] and rng.random() < 0.7:
        ext = extension(rng, lang)
        quota["ext"] += 1
    return text + ext, {"region": region, "form": form, "ext": ext, "national": form in NATIONAL_FORMS}


# ---------------------------------------------------------------------------------------------
# CREDIT_CARD: Luhn-valid numbers of each brand's IIN ranges and lengths
# ---------------------------------------------------------------------------------------------
def _card_prefix(rng, brand):
    if brand == "visa":
        return "4", 16
    if brand == "mastercard":
        return (str(rng.randint(51, 55)) if rng.random() < 0.6 else str(rng.randint(2221, 2720))), 16
    if brand == "amex":
        return rng.choice(["34", "37"]), 15
    if brand == "discover":
        return rng.choice(["6011", str(rng.randint(644, 649)), "65"]), 16
    if brand == "jcb":
        return str(rng.randint(3528, 3589)), 16
    if brand == "diners":
        return rng.choice(["36", "38", str(rng.randint(300, 305))]), 14
    raise ValueError(brand)


def credit_card(rng):
    brand = weighted(rng, [("visa", 32), ("mastercard", 28), ("amex", 13), ("discover", 9), ("jcb", 9), ("diners", 9)])
    prefix, length = _card_prefix(rng, brand)
    body = prefix + rs(rng, DIGITS, length - len(prefix) - 1)
    number = body + luhn.calc_check_digit(body)
    sep = weighted(rng, [(" ", 45), ("-", 20), ("", 35)])
    if not sep:
        return number
    groups = {15: (4, 6, 5), 14: (4, 6, 4), 16: (4, 4, 4, 4)}[length]
    out, i = [], 0
    for g in groups:
        out.append(number[i:i + g])
        i += g
    return sep.join(out)


# ---------------------------------------------------------------------------------------------
# IBAN: BBAN structures from python-stdnum's registry, ISO 7064 mod 97-10 check digits
# ---------------------------------------------------------------------------------------------
_IBAN_DB = numdb.get("iban")
IBAN_STRUCT = {}
for _cc in ["AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE",
            "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM",
            "MA", "TN", "TR", "GI", "RS", "UA", "IL", "AE", "SA", "BR", "MU", "QA"]:
    _info = _IBAN_DB.info(_cc + "00")[0][1]
    if _info.get("bban"):
        IBAN_STRUCT[_cc] = _info["bban"]
GB_BANKS = ["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA", "SRLG", "MONZ", "REVO", "CPBK", "ABBY", "TSBS"]
IE_BANKS = ["AIBK", "BOFI", "IPBS", "ULSB", "PTSB"]
FR_BANKS = ["30004", "30003", "20041", "10278", "30002", "11315", "18206", "10107", "30066", "14505", "16958",
            "13335", "17515", "12506", "30076", "42559"]
IBAN_WEIGHTS = {"fr": [("FR", 40), ("BE", 8), ("CH", 7), ("LU", 5), ("MC", 3), ("DE", 5), ("ES", 4), ("IT", 4),
                       ("PT", 4), ("NL", 3)],
                "en": [("GB", 30), ("IE", 14), ("DE", 6), ("NL", 5), ("FR", 5), ("ES", 4), ("IT", 3), ("MT", 2),
                       ("GI", 2)]}


def _fr_rib_key(bank, branch, account):
    return "%02d" % (97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97)


def _bban(rng, cc):
    if cc == "FR" or cc == "MC":
        bank, branch, account = rng.choice(FR_BANKS), rs(rng, DIGITS, 5), rs(rng, DIGITS, 11)
        return bank + branch + account + _fr_rib_key(bank, branch, account)
    out = []
    for n, kind in re.findall(r"(\d+)!([nac])", IBAN_STRUCT[cc]):
        n = int(n)
        if kind == "a" and cc == "GB" and n == 4:
            out.append(rng.choice(GB_BANKS))
        elif kind == "a" and cc == "IE" and n == 4:
            out.append(rng.choice(IE_BANKS))
        elif kind == "a":
            out.append(rs(rng, UPPER, n))
        elif kind == "n":
            out.append(rs(rng, DIGITS, n))
        else:
            out.append(rs(rng, DIGITS, n) if rng.random() < 0.95 else rs(rng, UPPER, 1) + rs(rng, DIGITS, n - 1))
    return "".join(out)


def iban(rng, lang, country=None):
    pairs = IBAN_WEIGHTS[lang]
    if country is None:
        country = weighted(rng, pairs) if rng.random() < 0.8 else rng.choice(sorted(IBAN_STRUCT))
    while True:
        bban = _bban(rng, country)
        value = country + std_iban.calc_check_digits(country + "00" + bban) + bban
        if std_iban.is_valid(value):
            break
    return std_iban.format(value) if rng.random() < 0.55 else value


# ---------------------------------------------------------------------------------------------
# IP_ADDRESS: public IPv4, global IPv6 (full and compressed)
# ---------------------------------------------------------------------------------------------
def ipv4(rng):
    while True:
        a = ipaddress.IPv4Address(rng.getrandbits(32))
        if a.is_global and not a.is_multicast and str(a).split(".")[0] not in ("0", "255"):
            return str(a)


def ipv6(rng):
    prefix = rng.choice([0x2001, 0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2a05, 0x2600, 0x2604, 0x2620, 0x2c0f, 0x2400, 0x2003])
    groups = [prefix, rng.randint(0x0100, 0xffff)] + [rng.randint(0, 0xffff) for _ in range(6)]
    style = weighted(rng, [("compressed", 50), ("exploded", 25), ("full_short", 25)])
    if style == "compressed":
        start = rng.randint(2, 5)
        for i in range(start, min(8, start + rng.randint(2, 4))):
            groups[i] = 0
        if rng.random() < 0.3:
            groups[7] = rng.randint(1, 0xff)
    addr = ipaddress.IPv6Address(":".join("%x" % g for g in groups))
    if not addr.is_global:
        return ipv6(rng)
    if style == "compressed":
        return addr.compressed
    if style == "exploded":
        return addr.exploded
    return ":".join("%x" % g for g in groups)


# ---------------------------------------------------------------------------------------------
# FR_NIR, FR_SIREN, FR_SIRET
# ---------------------------------------------------------------------------------------------
def nir(rng):
    sex = rng.choice("12")
    yy = "%02d" % rng.randint(0, 99)
    mm = "%02d" % rng.randint(1, 12)
    dept = weighted(rng, [("%02d" % rng.choice([d for d in range(1, 96) if d != 20]), 88), ("2A", 3), ("2B", 3),
                          ("99", 4), (str(rng.randint(971, 976)), 2)])
    if len(dept) == 3:  # overseas: 3-digit department, 2-digit commune
        commune = "%02d" % rng.randint(1, 34)
    elif dept == "99":  # born abroad: INSEE country code
        commune = str(rng.choice([109, 127, 131, 134, 139, 350, 351, 352, 401, 404, 216]))
    else:
        commune = "%03d" % rng.randint(1, 900)
    order = "%03d" % rng.randint(1, 999)
    body = sex + yy + mm + dept + commune + order
    value = body + std_nir.calc_check_digits(body + "00")
    assert std_nir.is_valid(value), value
    style = weighted(rng, [("spaced", 55), ("compact", 35), ("key_apart", 10)])
    if style == "spaced":
        return std_nir.format(value)
    if style == "key_apart":
        return value[:13] + " " + value[13:]
    return value


def siren(rng):
    while True:
        body = rng.choice("123456789") + rs(rng, DIGITS, 7)
        value = body + luhn.calc_check_digit(body)
        if not value.startswith("356000") and std_siren.is_valid(value):
            return value


def siren_text(rng):
    v = siren(rng)
    return f"{v[:3]} {v[3:6]} {v[6:]}" if rng.random() < 0.6 else v


def siret_text(rng):
    body = siren(rng) + "000" + rng.choice("123456789")
    value = body + luhn.calc_check_digit(body)
    assert std_siret.is_valid(value)
    style = weighted(rng, [("spaced", 55), ("compact", 30), ("siren_nic", 15)])
    if style == "spaced":
        return f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}"
    if style == "siren_nic":
        return f"{value[:9]} {value[9:]}"
    return value


# ---------------------------------------------------------------------------------------------
# API_KEY: formats of gitleaks rules (config/gitleaks.toml); rule id in each comment. RULES holds
# the rule's pattern (Python syntax) for the self-check.
# ---------------------------------------------------------------------------------------------
def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(rng):
    alg = rng.choice(["HS256", "HS256", "ES256", "RS256"])
    header = {"alg": alg, "typ": "JWT"}
    if rng.random() < 0.4:
        header["kid"] = rs(rng, HEX, 16)
    iat = rng.randint(1_700_000_000, 1_790_000_000)
    payload = {"sub": rng.choice(["usr_", "acct_", "svc-", ""]) + str(rng.randint(10_000, 9_999_999)), "iat": iat,
               "exp": iat + rng.choice([900, 3600, 86400]), "scope": rng.choice(["read", "read write", "admin", "billing:read"])}
    if rng.random() < 0.5:
        payload["iss"] = rng.choice(["https://auth.example-idp.com/", "api-gateway", "urn:svc:orders"])
    sig_len = {"HS256": 32, "ES256": 64, "RS256": 256}[alg]
    return ".".join([_b64url(json.dumps(header, separators=(",", ":")).encode()),
                     _b64url(json.dumps(payload, separators=(",", ":")).encode()),
                     _b64url(bytes(rng.getrandbits(8) for _ in range(sig_len)))])


def _pem(rng):
    kind, lead = rng.choice([("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA"), ("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
                             ("EC PRIVATE KEY", "MHcCAQEEI"), ("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAA")])
    b64 = ALNUM + "+/"
    body = lead + rs(rng, b64, rng.choice([3, 4, 5]) * 64 + rng.randint(10, 60) - len(lead))
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    if len(lines[-1]) % 4:
        lines[-1] += "=" * (4 - len(lines[-1]) % 4)
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----"


def _aws(rng):
    # gitleaks' rule and real AWS key ids use base32 [A-Z2-7]; half of ours use the full [A-Z0-9]
    # alphabet (0, 1, 8, 9 included) as the brief for this set asked.
    alphabet = UPPER + "234567" if rng.random() < 0.5 else UPPER + DIGITS
    return rng.choice(["AKIA", "AKIA", "AKIA", "ASIA", "ABIA", "ACCA"]) + rs(rng, alphabet, 16)


API_KEYS = {
    # kind: (gitleaks rule id, generator, pattern, weight for a generic {{API_KEY}} slot)
    "aws": ("aws-access-token", _aws, r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}", 10),
    "github": ("github-pat", lambda r: "ghp_" + rs(r, ALNUM, 36), r"ghp_[0-9a-zA-Z]{36}", 8),
    "github_oauth": ("github-oauth", lambda r: "gho_" + rs(r, ALNUM, 36), r"gho_[0-9a-zA-Z]{36}", 3),
    "github_app": ("github-app-token", lambda r: r.choice(["ghu_", "ghs_"]) + rs(r, ALNUM, 36), r"(?:ghu|ghs)_[0-9a-zA-Z]{36}", 3),
    "github_fine": ("github-fine-grained-pat", lambda r: "github_pat_" + rs(r, ALNUM, 22) + "_" + rs(r, ALNUM, 59), r"github_pat_\w{82}", 4),
    "github_refresh": ("github-refresh-token", lambda r: "ghr_" + rs(r, ALNUM, 36), r"ghr_[0-9a-zA-Z]{36}", 2),
    "gitlab": ("gitlab-pat", lambda r: "glpat-" + rs(r, ALNUM + "_-", 20), r"glpat-[\w-]{20}", 5),
    "gitlab_ptt": ("gitlab-ptt", lambda r: "glptt-" + rs(r, HEX, 40), r"glptt-[0-9a-f]{40}", 2),
    "slack_bot": ("slack-bot-token", lambda r: f"xoxb-{rs(r, DIGITS, r.randint(10, 13))}-{rs(r, DIGITS, r.randint(10, 13))}-{rs(r, ALNUM, 24)}",
                  r"xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*", 4),
    "slack_user": ("slack-user-token", lambda r: "xoxp-" + "-".join(rs(r, DIGITS, r.randint(10, 13)) for _ in range(3)) + "-" + rs(r, HEX, 32),
                   r"xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}", 2),
    "slack_app": ("slack-app-token", lambda r: f"xapp-1-A{rs(r, UPPER + DIGITS, 10)}-{rs(r, DIGITS, 13)}-{rs(r, HEX, 64)}",
                  r"(?i)xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+", 2),
    "slack_webhook": ("slack-webhook-url", lambda r: f"https://hooks.slack.com/services/T{rs(r, UPPER + DIGITS, r.randint(8, 10))}/B{rs(r, UPPER + DIGITS, r.randint(8, 10))}/{rs(r, ALNUM, 24)}",
                      r"(?:https?://)?hooks.slack.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}", 0),
    "stripe": ("stripe-access-token", lambda r: r.choice(["sk_live_", "sk_live_", "rk_live_", "sk_test_"]) + rs(r, ALNUM, r.choice([24, 34, 99])),
               r"(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}", 8),
    "gcp": ("gcp-api-key", lambda r: "AIzaSy" + rs(r, ALNUM + "_-", 33), r"AIza[\w-]{35}", 6),
    "openai": ("openai-api-key", lambda r: (r.choice(["sk-proj-", "sk-proj-", "sk-svcacct-", "sk-admin-"]) + rs(r, B64URL, 74) + "T3BlbkFJ" + rs(r, B64URL, 74))
               if r.random() < 0.75 else "sk-" + rs(r, ALNUM, 20) + "T3BlbkFJ" + rs(r, ALNUM, 20),
               r"sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}", 7),
    "anthropic": ("anthropic-api-key", lambda r: "sk-ant-api03-" + rs(r, B64URL, 93) + "AA", r"sk-ant-api03-[a-zA-Z0-9_\-]{93}AA", 6),
    "anthropic_admin": ("anthropic-admin-api-key", lambda r: "sk-ant-admin01-" + rs(r, B64URL, 93) + "AA", r"sk-ant-admin01-[a-zA-Z0-9_\-]{93}AA", 2),
    "huggingface": ("huggingface-access-token", lambda r: "hf_" + rs(r, string.ascii_letters, 34), r"hf_[a-zA-Z]{34}", 4),
    "sendgrid": ("sendgrid-api-token", lambda r: "SG." + rs(r, B64URL, 22) + "." + rs(r, B64URL, 43), r"SG\.[a-zA-Z0-9=_\-\.]{66}", 4),
    "twilio": ("twilio-api-key", lambda r: "SK" + rs(r, HEX, 32), r"SK[0-9a-fA-F]{32}", 3),
    "npm": ("npm-access-token", lambda r: "npm_" + rs(r, ALNUM, 36), r"(?i)npm_[a-z0-9]{36}", 3),
    "pypi": ("pypi-upload-token", lambda r: "pypi-AgEIcHlwaS5vcmc" + rs(r, B64URL, r.randint(60, 150)), r"pypi-AgEIcHlwaS5vcmc[\w-]{50,1000}", 3),
    "digitalocean": ("digitalocean-pat", lambda r: "dop_v1_" + rs(r, HEX, 64), r"dop_v1_[a-f0-9]{64}", 3),
    "shopify": ("shopify-access-token", lambda r: "shpat_" + rs(r, HEX, 32), r"shpat_[a-fA-F0-9]{32}", 3),
    "pem": ("private-key", _pem, r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----", 0),
    "jwt": ("jwt", _jwt, r"ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9\/\\_-]{17,}\.(?:[a-zA-Z0-9\/\\_-]{10,}={0,2})?", 4),
    "mailgun": ("mailgun-private-api-token", lambda r: "key-" + rs(r, HEX, 32), r"key-[a-f0-9]{32}", 0),
    "postman": ("postman-api-token", lambda r: "PMAK-" + rs(r, HEX, 24) + "-" + rs(r, HEX, 34), r"PMAK-(?i:[a-f0-9]{24}\-[a-f0-9]{34})", 2),
    "databricks": ("databricks-api-token", lambda r: "dapi" + rs(r, HEX, 32), r"dapi[a-f0-9]{32}(?:-\d)?", 2),
    "doppler": ("doppler-api-token", lambda r: "dp.pt." + rs(r, ALNUM, 43), r"dp\.pt\.(?i:[a-z0-9]{43})", 2),
    "linear": ("linear-api-key", lambda r: "lin_api_" + rs(r, ALNUM, 40), r"lin_api_(?i:[a-z0-9]{40})", 2),
    "newrelic": ("new-relic-user-api-key", lambda r: "NRAK-" + rs(r, UPPER + DIGITS, 27), r"NRAK-(?i:[a-z0-9]{27})", 0),
    "grafana": ("grafana-service-account-token", lambda r: "glsa_" + rs(r, ALNUM, 32) + "_" + rs(r, HEX, 8), r"(?i)glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}", 3),
    "sentry": ("sentry-user-token", lambda r: "sntryu_" + rs(r, HEX, 64), r"sntryu_[a-f0-9]{64}", 2),
    "pulumi": ("pulumi-api-token", lambda r: "pul-" + rs(r, HEX, 40), r"pul-[a-f0-9]{40}", 2),
    "age": ("age-secret-key", lambda r: "AGE-SECRET-KEY-1" + rs(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58), r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}", 2),
    "perplexity": ("perplexity-api-key", lambda r: "pplx-" + rs(r, ALNUM, 48), r"pplx-[a-zA-Z0-9]{48}", 1),
    "notion": ("notion-api-token", lambda r: "ntn_" + rs(r, DIGITS, 11) + rs(r, ALNUM, 35), r"ntn_[0-9]{11}[A-Za-z0-9]{32}[A-Za-z0-9]{3}", 2),
    "vault": ("vault-service-token", lambda r: "hvs." + rs(r, ALNUM + "_-", r.randint(90, 110)), r"hvs\.[\w-]{90,120}", 2),
    "rubygems": ("rubygems-api-token", lambda r: "rubygems_" + rs(r, HEX, 48), r"rubygems_[a-f0-9]{48}", 2),
}
KEY_RULES = {kind: (rule, re.compile(pattern)) for kind, (rule, _, pattern, _) in API_KEYS.items()}
GENERIC_KEYS = [(kind, w) for kind, (_, _, _, w) in API_KEYS.items() if w]


def api_key(rng, kind=None):
    if kind == "bearer":  # what goes after "Authorization: Bearer"
        kind = weighted(rng, [("jwt", 40), ("openai", 15), ("anthropic", 10), ("github", 10), ("huggingface", 10),
                              ("github_fine", 5), ("linear", 5), ("digitalocean", 5)])
    if kind is None:
        kind = weighted(rng, GENERIC_KEYS)
    return API_KEYS[kind][1](rng), kind


# ---------------------------------------------------------------------------------------------
# Non-entity fillers: hard negatives (places, products, versions, dates, identifiers that are
# not PII). Every generated number here avoids Luhn-valid 9 / 13-19 digit runs.
# ---------------------------------------------------------------------------------------------
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
LANGS_FR = ["anglais", "espagnol", "japonais", "allemand", "italien", "portugais", "néerlandais", "polonais", "coréen",
            "chinois", "arabe", "suédois", "grec", "turc", "russe", "roumain", "tchèque", "hongrois", "finnois"]
LANGS_EN = ["Spanish", "Japanese", "German", "Portuguese", "Dutch", "Polish", "Korean", "Mandarin", "Arabic", "Hindi",
            "Swedish", "Italian", "French", "Greek", "Turkish", "Czech", "Danish", "Norwegian", "Finnish", "Irish"]
NATIONALITIES_EN = ["Japanese", "Brazilian", "Danish", "Canadian", "Portuguese", "Swiss", "Belgian", "Irish", "Norwegian", "Mexican"]
NATIONALITIES_FR = ["japonaise", "brésilienne", "danoise", "canadienne", "portugaise", "suisse", "belge", "irlandaise"]
PRODUCTS = ["Claude", "Gemini", "Copilot", "Excel", "Jira", "Windows 11", "iPhone 15", "Salesforce", "Notion", "Figma",
            "Outlook", "Teams", "SAP S/4HANA", "Alexa", "Siri", "Ubuntu 22.04", "macOS Sonoma", "Kubernetes", "Terraform",
            "Grafana", "Tableau", "Zoom", "Confluence", "PowerPoint", "Google Sheets", "Android 14", "PostgreSQL 16",
            "Visual Studio Code", "Docker Desktop", "Power BI", "ChatGPT", "Mistral", "Llama 3", "Pixel 8", "Galaxy S24"]
PLACES_NEG_FR = ["Nancy", "Orléans", "Lourdes", "Florence", "Valence", "Sofia", "Victoria (Colombie-Britannique)",
                 "Charlotte, en Caroline du Nord", "Adélaïde", "Sydney", "Savannah", "Tbilissi", "Amman",
                 "Chelsea, à Londres", "Santiago du Chili", "Agen", "Lorient", "Albi", "Montauban", "Colmar"]
PLACES_NEG_EN = ["Florence", "Victoria", "Jordan", "Georgia", "Chelsea", "Lourdes", "Nancy", "Orléans", "Sydney",
                 "Adelaide", "Charlotte, North Carolina", "Savannah", "Regina", "Austin", "Madison, Wisconsin", "Sofia",
                 "Eugene, Oregon", "Victoria Falls", "Florence, Alabama", "Chester", "Bath", "Reading", "Nice"]
COUNTRIES_NEG_EN = ["Jordan", "Georgia", "Chad", "Niger", "Japan", "Portugal", "Iceland", "Chile", "Peru", "Mali", "Togo"]
COMPANIES_FR = ["Boréal Logistique", "Atelier Cobalt", "Nexora", "Vertigo Conseil", "Hexagone Énergie", "Opaline Digital",
                "Cap Horizon SAS", "Maison Granit", "Les Ateliers du Rhône", "Transports Quatre-Vents", "Studio Pivoine"]
COMPANIES_EN = ["Kestrel Analytics", "Harbourline", "Quillfeather Ltd", "Bramblewood Foods", "Tidewater Labs",
                "Northgate Legal", "Bluefin Robotics", "Copperleaf Studio", "Greenhollow Trust", "Silverline Energy"]
JOBS_FR = ["direction commerciale", "responsable achats", "chef de projet", "juriste", "comptable", "office manager",
           "responsable RH", "support technique", "service clientèle"]
JOBS_EN = ["Head of Procurement", "Account Manager", "Project Lead", "Office Manager", "Senior Engineer",
           "Finance Director", "HR Business Partner", "Customer Success Manager"]
SERVICES = ["api-gateway", "billing-svc", "auth", "orders", "inventory", "notifier", "search-indexer", "payments", "scheduler"]


def filler_date(rng, lang, style=None):
    y, m, d = rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28)
    if lang == "fr":
        style = style or rng.choice(["slash", "long", "iso", "day"])
        return {"slash": f"{d:02d}/{m:02d}/{y}", "long": f"{d} {MONTHS_FR[m - 1]} {y}", "iso": f"{y}-{m:02d}-{d:02d}",
                "day": f"{rng.choice(DAYS_FR)} {d} {MONTHS_FR[m - 1]}"}[style]
    style = style or rng.choice(["us", "uk", "iso", "dots", "ord"])
    suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return {"us": f"{MONTHS_EN[m - 1]} {d}, {y}", "uk": f"{d} {MONTHS_EN[m - 1]} {y}", "iso": f"{y}-{m:02d}-{d:02d}",
            "dots": f"{m:02d}.{d:02d}.{y}", "ord": f"{MONTHS_EN[m - 1]} {d}{suffix}"}[style]


def filler_time(rng, lang):
    h, mi = rng.randint(7, 19), rng.choice([0, 15, 30, 45])
    if lang == "fr":
        return rng.choice([f"{h} h {mi:02d}" if mi else f"{h} h", f"{h}h{mi:02d}" if mi else f"{h}h", f"{h:02d}:{mi:02d}"])
    h12 = h - 12 if h > 12 else h
    return rng.choice([f"{h12}:{mi:02d} {'pm' if h >= 12 else 'am'}", f"{h:02d}:{mi:02d}", f"{h12} {'pm' if h >= 12 else 'am'}"])


def filler_amount(rng, lang):
    n = rng.choice([rng.randint(12, 99), rng.randint(100, 999), rng.randint(1000, 48000)])
    c = rng.randint(0, 99)
    if lang == "fr":
        whole = f"{n:,}".replace(",", " ")
        return rng.choice([f"{whole},{c:02d} €", f"{whole} €", f"{whole} € HT", f"CHF {n:,}.–".replace(",", "'"), f"{whole} $ CA"])
    return rng.choice([f"€{n:,}.{c:02d}", f"${n:,}", f"£{n:,}.{c:02d}", f"{n:,} EUR", f"USD {n:,}.{c:02d}"])


def filler_version(rng):
    return rng.choice([f"v{rng.randint(1, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}", f"10.0.{rng.randint(19041, 22631)}",
                       f"Python 3.{rng.randint(9, 13)}.{rng.randint(0, 9)}", f"Node {rng.choice([18, 20, 22])}.{rng.randint(0, 19)}.{rng.randint(0, 5)}",
                       f"{rng.randint(1, 3)}.{rng.randint(60, 90)}.{rng.randint(0, 3)}", f"v0.{rng.randint(1, 9)}.{rng.randint(0, 9)}-rc.{rng.randint(1, 4)}",
                       f"{rng.randint(14, 18)}.{rng.randint(0, 6)}.{rng.randint(0, 3)}", f"build {rng.randint(22000, 26100)}.{rng.randint(1000, 4999)}"])


def filler_order(rng, lang):
    y = rng.randint(2023, 2026)
    return rng.choice([f"#{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}",
                       (f"n° {y}-{rng.randint(100000, 999999)}" if lang == "fr" else f"#{y}-{rng.randint(100000, 999999)}"),
                       non_luhn_digits(rng, 12), f"CMD-{y}-{rng.randint(10000, 99999)}", f"PO-{rng.randint(10000, 99999)}",
                       f"{rng.choice(UPPER)}{rng.choice(UPPER)}-{rng.randint(100000, 999999)}"])


def filler_ticket(rng):
    return rng.choice([f"INC{rng.randint(10000, 99999):07d}", f"OPS-{rng.randint(100, 9999)}", f"SUP-{rng.randint(10000, 99999)}",
                       f"REQ{rng.randint(10000, 999999):07d}", f"CS-{rng.randint(2023, 2026)}-{rng.randint(1000, 9999)}",
                       f"#{rng.randint(10000, 99999)}", f"PLAT-{rng.randint(100, 4999)}"])


def filler_invoice(rng):
    y = rng.randint(2023, 2026)
    return rng.choice([f"FAC-{y}-{rng.randint(1, 99999):05d}", f"F{y}-{rng.randint(1, 9999):04d}", f"INV-{rng.randint(10000, 99999)}",
                       f"INV/{y}/{rng.randint(1, 9999):04d}", f"AV-{y}-{rng.randint(100, 999)}"])


def filler_tracking(rng):
    kind = rng.choice(["ups", "s10", "colis"])
    if kind == "ups":
        return "1Z" + rs(rng, UPPER + DIGITS, 6) + rs(rng, DIGITS, 10)
    if kind == "s10":  # UPU S10 with its mod-11 check digit
        body = non_luhn_digits(rng, 8)
        s = sum(int(a) * w for a, w in zip(body, [8, 6, 4, 2, 3, 5, 9, 7]))
        check = 11 - s % 11
        check = {10: 0, 11: 5}.get(check, check)
        return rng.choice(["LX", "RR", "CP", "EE"]) + body + str(check) + rng.choice(["FR", "DE", "GB", "CH", "BE"])
    return rng.choice(["6A", "8L", "5S"]) + non_luhn_digits(rng, 11)


def filler_sku(rng):
    return rng.choice([f"SKU-{rs(rng, UPPER, 2)}-{rng.randint(1000, 9999)}-{rng.choice(['XS', 'S', 'M', 'L', 'XL'])}",
                       f"REF {rng.randint(1000, 9999)}-{rng.choice(['BLK', 'WHT', 'NVY', 'RED'])}-{rng.randint(36, 46)}",
                       f"EAN {_ean13(rng)}", f"ART-{rng.randint(100000, 999999)}"])


def _ean13(rng):
    while True:
        body = rng.choice(["30", "31", "40", "50", "54", "76", "80"]) + rs(rng, DIGITS, 10)
        check = (10 - sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) % 10) % 10
        value = body + str(check)
        if not luhn_ok(value):
            return value


def filler_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def filler_iban_slice(rng):
    return rng.choice([f"FR76 {rng.randint(1000, 3999)}", f"DE{rng.randint(10, 99)} {rng.randint(1000, 9999)}",
                       f"GB{rng.randint(10, 99)} NWBK", f"BE{rng.randint(10, 99)}", "FR76"])


def filler(slot, ctx):
    rng, lang = ctx.rng, ctx.lang
    fr = lang == "fr"
    if slot == "DATE":
        return filler_date(rng, lang)
    if slot == "DATE_ISO":
        return filler_date(rng, lang, "iso")
    if slot == "TIME":
        return filler_time(rng, lang)
    if slot == "AMOUNT":
        return filler_amount(rng, lang)
    if slot == "ORDER":
        return filler_order(rng, lang)
    if slot == "TICKET":
        return filler_ticket(rng)
    if slot == "INVOICE":
        return filler_invoice(rng)
    if slot == "VERSION":
        return filler_version(rng)
    if slot == "PRODUCT":
        return rng.choice(PRODUCTS)
    if slot == "LANG":
        return rng.choice(LANGS_FR if fr else LANGS_EN)
    if slot == "NATIONALITY":
        return rng.choice(NATIONALITIES_FR if fr else NATIONALITIES_EN)
    if slot == "MONTH":
        return rng.choice(MONTHS_FR if fr else MONTHS_EN)
    if slot == "WEEKDAY":
        return rng.choice(DAYS_FR if fr else DAYS_EN)
    if slot == "N":
        return str(rng.randint(2, 40))
    if slot == "PCT":
        return f"{rng.randint(2, 95)} %" if fr else f"{rng.randint(2, 95)}%"
    if slot == "SHA":
        return rs(rng, HEX, 40)
    if slot == "SHORTSHA":
        return rs(rng, HEX, rng.choice([7, 8, 10, 12]))
    if slot == "SHA256":
        return rs(rng, HEX, 64)
    if slot == "UUID":
        return filler_uuid(rng)
    if slot == "TRACKING":
        return filler_tracking(rng)
    if slot == "SKU":
        return filler_sku(rng)
    if slot == "TS14":
        return f"{rng.randint(2023, 2026)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
    if slot == "TS":  # log timestamps move forward within a prompt
        if ctx.clock is None:
            ctx.clock = datetime.datetime(rng.randint(2024, 2026), rng.randint(1, 12), rng.randint(1, 28),
                                          rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        ctx.clock += datetime.timedelta(seconds=rng.randint(0, 40), milliseconds=rng.randint(0, 999))
        return ctx.clock.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ctx.clock.microsecond // 1000:03d}Z"
    if slot == "NUM9":
        return non_luhn_digits(rng, 9)
    if slot == "NUM14":
        return non_luhn_digits(rng, 14)
    if slot == "NUM16":
        return non_luhn_digits(rng, 16)
    if slot == "IBAN_SLICE":
        return filler_iban_slice(rng)
    if slot == "PLACE":
        return rng.choice(PLACES_NEG_FR if fr else PLACES_NEG_EN)
    if slot == "COUNTRY":
        return rng.choice(COUNTRIES_NEG_EN)
    if slot == "COMPANY":
        return rng.choice(COMPANIES_FR if fr else COMPANIES_EN)
    if slot == "JOB":
        return rng.choice(JOBS_FR if fr else JOBS_EN)
    if slot == "SERVICE":
        return rng.choice(SERVICES)
    if slot == "PORT":
        return str(rng.choice([22, 443, 8080, 8443, 5432, 6379, 3306, 9200, 3000]))
    if slot == "MS":
        return str(rng.randint(3, 30000))
    if slot == "TITLE":
        return rng.choice(TITLES_FR if fr else TITLES_EN)
    if slot == "TITLE_MED":
        return rng.choice(TITLES_MED_FR) if fr else rng.choice(["Dr", "Dr."])
    if slot == "EXP":
        return f"{rng.randint(1, 12):02d}/{rng.randint(26, 31)}"
    if slot == "CITY":  # a city of this prompt's language area (not a region hint)
        return rng.choice(["Lyon", "Rennes", "Genève", "Liège", "Québec", "Tours", "Annecy"] if fr else
                          ["Leeds", "Cork", "Toronto", "Seattle", "Bristol", "Denver", "Galway"])
    raise KeyError(slot)


# ---------------------------------------------------------------------------------------------
# Padding for long prompts (log excerpts, e-mail bodies, .env files): all PII-free
# ---------------------------------------------------------------------------------------------
MAIL_FR = [
    "Comme convenu lors de notre point de mardi, je vous transmets le récapitulatif des actions.",
    "Le comité de pilotage se réunira le premier jeudi de chaque mois jusqu'à la fin du projet.",
    "Nous avons bien reçu votre bon de commande et la livraison est prévue sous dix jours ouvrés.",
    "La migration vers Windows 11 des postes du service comptable est terminée à 80 %.",
    "Merci de noter que nos bureaux seront fermés du 24 décembre au 2 janvier inclus.",
    "Le devis révisé tient compte de la remise de 7 % accordée sur le volume annuel.",
    "Pour rappel, les notes de frais doivent être saisies dans l'outil avant le 5 du mois suivant.",
    "Le prestataire propose de décaler l'intervention à la semaine 42, ce qui nous convient.",
    "Les chiffres du troisième trimestre sont en hausse par rapport à l'an dernier, surtout à l'export.",
    "Je joins le tableau Excel mis à jour avec les quantités validées par l'entrepôt de Valence.",
    "Nous attendons encore le retour du service juridique sur les conditions générales.",
    "La formation Jira est maintenue, mais elle aura lieu en visioconférence sur Teams.",
    "Le contrat de maintenance arrive à échéance fin juin et doit être renouvelé ou dénoncé.",
    "N'hésitez pas à revenir vers moi si certains points vous semblent flous.",
    "Le fichier contient 1 248 lignes ; les doublons ont été supprimés hier soir.",
    "Suite à la mise à jour de juillet, plusieurs utilisateurs signalent des lenteurs au démarrage.",
    "Nous proposons une réunion de lancement en présentiel, idéalement un mercredi matin.",
    "Les tarifs indiqués s'entendent hors taxes et hors frais de port.",
    "Le stock de l'article SKU-TR-4410-M sera réapprovisionné début septembre.",
    "Une copie de ce message a été archivée dans l'espace Confluence de l'équipe.",
]
MAIL_EN = [
    "As discussed on Tuesday's call, here is a summary of the agreed next steps.",
    "The steering group will meet on the first Thursday of every month until go-live.",
    "We have received your purchase order and delivery is scheduled within ten business days.",
    "The Windows 11 rollout for the finance team is about 80% complete.",
    "Please note that our offices will be closed from December 24 to January 2.",
    "The revised quote includes the 7% volume discount agreed for the annual contract.",
    "As a reminder, expense claims must be submitted before the 5th of the following month.",
    "The contractor suggested moving the site visit to week 42, which works for us.",
    "Q3 figures are up compared with last year, driven mainly by exports.",
    "I have attached the updated spreadsheet with the quantities confirmed by the warehouse.",
    "We are still waiting for legal to come back on the terms and conditions.",
    "The Jira training is still on, but it will now be held remotely on Teams.",
    "The maintenance contract expires at the end of June and needs to be renewed or cancelled.",
    "Let me know if anything is unclear and I will be happy to walk you through it.",
    "The file has 1,248 rows; duplicates were removed last night.",
    "Since the July update, several users report slow start-up times on their laptops.",
    "We would suggest an in-person kick-off meeting, ideally on a Wednesday morning.",
    "All prices are quoted excluding VAT and shipping.",
    "Item SKU-TR-4410-M will be back in stock in early September.",
    "A copy of this message has been saved to the team's Confluence space.",
]
ENV_LINES = ["APP_ENV=production", "APP_DEBUG=false", "LOG_LEVEL=info", "DB_HOST=db-primary.internal", "DB_PORT=5432",
             "DB_NAME=orders", "REDIS_URL=redis://cache:6379/0", "TZ=Europe/Paris", "FEATURE_NEW_CHECKOUT=true",
             "MAX_UPLOAD_MB=25", "SENTRY_ENVIRONMENT=prod", "QUEUE_CONCURRENCY=8", "CORS_ORIGINS=https://app.example.com",
             "SESSION_TTL=3600", "S3_BUCKET=invoices-archive-eu", "AWS_REGION=eu-west-3", "SMTP_HOST=smtp.internal",
             "SMTP_PORT=587", "CACHE_TTL_SECONDS=300", "HTTP_TIMEOUT_MS=5000", "WORKERS=4", "LOCALE=fr_FR", "CURRENCY=EUR",
             "RATE_LIMIT_PER_MIN=120", "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4317", "NODE_ENV=production",
             "PORT=8080", "PUBLIC_BASE_URL=https://shop.example.org", "IMAGE_CDN=https://cdn.example.org", "RETRY_MAX=5"]


def log_line(ctx):
    rng = ctx.rng
    ts = filler("TS", ctx)
    level = weighted(rng, [("INFO", 55), ("DEBUG", 20), ("WARN", 15), ("ERROR", 10)])
    status = rng.choice([200, 200, 200, 201, 204, 304, 400, 404, 409, 429, 500, 502, 503])
    ms = rng.randint(2, 4800)
    msg = rng.choice([
        f"GET /api/v{rng.randint(1, 3)}/orders/{rng.randint(10000, 999999)} {status} {ms}ms",
        f"POST /v2/invoices {status} {ms}ms req_id={filler_uuid(rng)}",
        f"cache hit ratio={rng.random():.2f} keys={rng.randint(100, 90000)}",
        f"retrying job {filler_uuid(rng)} (attempt {rng.randint(1, 4)}/5)",
        f"deployed build {rs(rng, HEX, 7)} ({filler_version(rng)})",
        f"timeout after {ms}ms calling {rng.choice(SERVICES)}",
        f"pool stats active={rng.randint(0, 40)} idle={rng.randint(0, 20)} waiting={rng.randint(0, 9)}",
        f"gc pause {rng.randint(1, 300)}ms heap={rng.randint(128, 4096)}MB",
        f"processed batch {rng.randint(1, 50)} of 50 in {rng.uniform(0.2, 30):.1f}s",
        f"feature flag 'new-checkout' evaluated to {rng.choice(['true', 'false'])}",
        f"healthcheck ok ({rng.randint(1, 90)}ms)",
        f"scheduled task reindex-{rs(rng, HEX, 4)} finished status=ok",
        f"queue depth={rng.randint(0, 5000)} consumers={rng.randint(1, 16)}",
        f"TLS handshake completed cipher=TLS_AES_128_GCM_SHA256 in {rng.randint(1, 80)}ms",
    ])
    return f"{ts} {level:<5} [{rng.choice(SERVICES)}] {msg}"


def pad(kind, ctx, budget):
    rng, out, size = ctx.rng, [], 0
    if kind == "PAD_LOG":
        while size < budget:
            line = log_line(ctx)
            out.append(line)
            size += len(line) + 1
        return "\n".join(out)
    if kind == "PAD_ENV":
        lines = rng.sample(ENV_LINES, len(ENV_LINES))
        while size < budget and lines:
            out.append(lines.pop())
            size += len(out[-1]) + 1
        return "\n".join(out)
    if kind == "PAD_MAIL":
        pool = rng.sample(MAIL_FR if ctx.lang == "fr" else MAIL_EN, len(MAIL_FR))
        para = []
        while size < budget and pool:
            para.append(pool.pop())
            size += len(para[-1]) + 1
            if len(para) == 3:
                out.append(" ".join(para))
                para = []
        if para:
            out.append(" ".join(para))
        return "\n\n".join(out)
    raise KeyError(kind)


# ---------------------------------------------------------------------------------------------
# Templates. Slots: {{NAME}} or {{NAME:arg}}.
#   entities: PERSON (mixed sources), PERSON_P (particle), PERSON_R (rare / accented surname),
#     FIRST (lone first name), LAST (surname alone, after a title written in the template or
#     {{TITLE}}), PERSON_CAPS ("Paul MARTIN"), CAPS_FIRST ("MARTIN Paul"), PERSON_AGAIN / FIRST_AGAIN
#     (the previous person again), EMAIL, EMAIL_OF (e-mail built from the previous person's name),
#     PHONE (usual region of the language in any format, or any region in international format),
#     PHONE_M (mobile), PHONE_INTL, RPHONE / RPHONE_INTL / RPHONE_NAT (the prompt's hinted region), CREDIT_CARD, IBAN,
#     IBAN_FR, IP_ADDRESS, IPV4, IPV6, FR_NIR, FR_SIREN, FR_SIRET, API_KEY[:kind]
#   region hints for RPHONE: R_IN ("en Pologne" / "in Poland"), R_NAME, R_CITY, DE_R_CITY ("de Varsovie")
#   fillers (not PII): see filler(); PAD_LOG / PAD_MAIL / PAD_ENV grow long prompts.
# ---------------------------------------------------------------------------------------------
PII_FR = [
    "Peux-tu reformuler ce message pour {{PERSON}} ? Je veux qu'il soit plus chaleureux mais toujours pro.",
    "{{FIRST}} arrive demain à {{TIME}} : prépare un badge et un accès au wiki, s'il te plaît.",
    "{{FIRST}} a validé le devis ce matin, rédige un mail de confirmation pour le client.",
    "{{FIRST}} ne pourra pas venir {{WEEKDAY}}, décale la réunion d'équipe et préviens tout le monde.",
    "Selon {{FIRST}}, la livraison de la commande {{ORDER}} aura trois jours de retard. Préviens le client.",
    "Rédige une réponse polie à {{TITLE}} {{LAST}}, qui conteste la facture {{INVOICE}}.",
    "Écris à Mme {{LAST}} que son dossier de prêt est accepté et qu'elle recevra l'offre sous huit jours.",
    "Dans le compte rendu, remplace « la cheffe de projet » par {{PERSON}} partout.",
    "Prépare un planning d'astreinte pour {{FIRST}}, {{FIRST}} et {{FIRST}} sur les trois week-ends de {{MONTH}}.",
    "Le dossier de candidature de {{PERSON_R}} est incomplet : il manque le diplôme. Écris un mail de relance.",
    "Traduis en {{LANG}} la carte de visite : {{PERSON}}, {{JOB}}, {{EMAIL_OF}}, {{PHONE}}.",
    "Fiche contact à mettre au propre : Nom : {{CAPS_FIRST}} / Tél. : {{PHONE}} / Courriel : {{EMAIL_OF}}",
    "Écris une note de service pour annoncer l'arrivée de {{TITLE}} {{PERSON_P}} à la direction juridique.",
    "Mon adresse perso a changé, c'est désormais {{EMAIL}} ; mets à jour la liste de diffusion.",
    "Le formulaire renvoie « adresse invalide » pour {{EMAIL}}, pourtant elle existe. Une idée ?",
    "Peux-tu vérifier ma regex ? Elle doit accepter {{EMAIL}} mais refuser « contact@@exemple ».",
    "Merci de transférer les pièces jointes à {{EMAIL}} et de mettre {{EMAIL}} en copie.",
    "Le standard de notre bureau {{DE_R_CITY}} est le {{RPHONE}}, ajoute-le à la signature des mails.",
    "Notre fournisseur {{R_IN}} ne répond plus depuis {{WEEKDAY}} : leur numéro est le {{RPHONE}}. Rédige une relance.",
    "Pour la hotline {{R_IN}}, composez le {{RPHONE}} du lundi au vendredi. Reformule cette phrase pour le site.",
    "Standard international : {{RPHONE_INTL}} ; depuis {{R_NAME}}, on peut aussi composer le {{RPHONE_NAT}}. Mets ça en forme pour la page Contact.",
    "Le technicien de l'agence {{DE_R_CITY}} est joignable au {{RPHONE}}, organise une intervention pour jeudi.",
    "J'ai noté le numéro de l'hôtel à {{R_CITY}} : {{RPHONE}}. Rédige une demande de late check-out.",
    "Laisse un message à {{FIRST}} sur son portable, le {{PHONE_M}}, pour décaler la visite à {{WEEKDAY}}.",
    "Le numéro {{PHONE}} apparaît en double dans le CRM, comment fusionner les deux fiches ?",
    "Appelle le cabinet du {{TITLE_MED}} {{LAST}} au {{PHONE}} pour avancer le rendez-vous de {{FIRST}}.",
    "Client mécontent : {{PERSON}}, joignable au {{PHONE}}, attend un geste commercial sur la commande {{ORDER}}.",
    "Quelle est la meilleure façon de stocker {{PHONE}} au format E.164 dans PostgreSQL ?",
    "Écris un SMS de rappel pour le rendez-vous de demain ; le portable du patient est le {{PHONE_M}}.",
    "Mets à jour l'IBAN du fournisseur : l'ancien était {{IBAN}}, le nouveau est {{IBAN}}.",
    "Le virement SEPA vers {{IBAN}} a été rejeté avec le motif AC01, qu'est-ce que ça signifie ?",
    "Rédige un mail pour demander à {{PERSON}} de confirmer son RIB ({{IBAN}}) avant le paiement du {{DATE}}.",
    "Ajoute sous le total de la facture : « Règlement par virement sur le compte {{IBAN}} ».",
    "Mon locataire veut payer le loyer depuis {{IBAN}}, est-ce un compte de la zone SEPA ?",
    "Un client m'a dicté sa carte au téléphone : {{CREDIT_CARD}}, exp. {{EXP}}. Comment lui expliquer qu'on ne prend pas les paiements ainsi ?",
    "Le paiement avec la carte {{CREDIT_CARD}} est refusé (code 05) alors que le plafond n'est pas atteint.",
    "Rembourse la commande {{ORDER}} sur la carte {{CREDIT_CARD}} utilisée lors de l'achat.",
    "Test d'intégration : la carte {{CREDIT_CARD}} doit passer le contrôle de Luhn, écris le test en pytest.",
    "Ma carte {{CREDIT_CARD}} a été débitée deux fois pour l'abonnement {{PRODUCT}}, aide-moi à écrire la réclamation.",
    "Attestation à compléter pour l'assuré {{PERSON}}, NIR {{FR_NIR}}, pour la période du {{DATE}}.",
    "Sur la feuille de soins, le numéro de sécu {{FR_NIR}} est refusé par le logiciel, pourquoi ?",
    "Vérifie la clé de ce numéro de sécurité sociale : {{FR_NIR}}.",
    "La mutuelle me demande mon numéro INSEE ({{FR_NIR}}) par mail, est-ce normal ?",
    "Cherche ce que fait l'entreprise au SIREN {{FR_SIREN}} et résume son activité en deux phrases.",
    "Le fournisseur (SIREN {{FR_SIREN}}) nous facture sans TVA, comment vérifier son régime ?",
    "Ajoute le SIRET {{FR_SIRET}} dans le pied de page des devis, à côté du capital social.",
    "L'URSSAF signale une erreur sur l'établissement {{FR_SIRET}} : rédige une réponse courte.",
    "Compare les établissements {{FR_SIRET}} et {{FR_SIRET}} : lequel est le siège social ?",
    "Donne-moi le numéro de TVA intracommunautaire correspondant au SIREN {{FR_SIREN}}.",
    "Le serveur {{IP_ADDRESS}} renvoie des 502 depuis la mise à jour {{VERSION}} ; par où commencer ?",
    "Ajoute une règle iptables pour bloquer {{IPV4}} et journaliser les tentatives.",
    "On voit des scans de ports depuis {{IPV4}} et {{IPV6}} dans les journaux du pare-feu, que faire ?",
    "Configure Nginx pour n'autoriser l'interface d'admin que depuis {{IPV4}}.",
    "Ping vers {{IPV6}} : « Destination unreachable ». Explique comment diagnostiquer le routage.",
    "Mon .env contient STRIPE_SECRET_KEY={{API_KEY:stripe}} ; est-ce grave si je l'ai poussé sur GitHub ?",
    "J'ai collé par erreur la clé {{API_KEY}} dans un ticket Jira public, que dois-je faire en premier ?",
    "Pourquoi cette commande échoue-t-elle ?\ncurl -H \"Authorization: Bearer {{API_KEY:bearer}}\" https://api.exemple.fr/v1/factures",
    "Relis ce fichier de config :\n[default]\naws_access_key_id = {{API_KEY:aws}}\nregion = eu-west-3",
    "Le webhook {{API_KEY:slack_webhook}} n'envoie plus rien dans le canal #alertes depuis {{WEEKDAY}}.",
    "Voici la clé privée du serveur de recette, explique-moi son format :\n{{API_KEY:pem}}",
    "Décode ce JWT et dis-moi quand il expire : {{API_KEY:jwt}}",
    "GitLab refuse mon push avec le jeton {{API_KEY:gitlab}}, il a peut-être expiré ?",
    "export OPENAI_API_KEY={{API_KEY:openai}} — pourquoi mon script Python ne voit pas la variable ?",
    "Dans la config mailgun, api_key: {{API_KEY:mailgun}} — est-ce le bon format de clé privée ?",
    "Envoie la facture {{INVOICE}} à {{PERSON}} ({{EMAIL_OF}}) et indique le règlement par virement sur {{IBAN}}.",
    "Nouvelle recrue : {{PERSON}}, NIR {{FR_NIR}}, IBAN {{IBAN_FR}}, tél. {{PHONE_M}}. Prépare la fiche de paie.",
    "Réunion avec {{PERSON}} et {{PERSON}} {{WEEKDAY}} à {{TIME}} : rédige l'invitation.",
    "Félicite {{FIRST}} pour sa promotion et mets {{PERSON}} en copie du message.",
    "Inclus {{PERSON_CAPS}} dans la liste des intervenants du séminaire de {{MONTH}}.",
    "Corrige l'orthographe du nom dans le contrat : c'est {{PERSON_R}}, avec les accents.",
    "Écris un discours de départ à la retraite pour {{PERSON_P}}, trente-deux ans dans la maison.",
    "Dossier {{CAPS_FIRST}} : rendez-vous en radiologie le {{DATE}}, envoie le rappel par SMS au {{PHONE_M}}.",
    "Ajoute {{TITLE}} {{PERSON_P}} à la liste des invités du conseil d'administration.",
    "Peux-tu résumer l'échange de mails entre {{FIRST}} et le service achats ?",
    "Le compte {{EMAIL}} est bloqué après trois essais depuis l'adresse {{IPV4}}, que faut-il vérifier ?",
    "Mon SIRET est {{FR_SIRET}} et mon IBAN {{IBAN_FR}} : génère une facture pour trois jours de conseil à {{AMOUNT}}.",
    "En tant qu'auto-entrepreneur (SIREN {{FR_SIREN}}), dois-je facturer la TVA à un client {{R_IN}} ?",
    "Fais une fiche sur le fournisseur {{COMPANY}} : SIRET {{FR_SIRET}}, contact {{PERSON}}, {{EMAIL_OF}}.",
    "Le jeton GitHub {{API_KEY:github}} a été commité dans le dépôt public, liste les étapes pour le révoquer.",
    "D'après le ticket {{TICKET}}, {{FIRST}} n'arrive plus à se connecter au VPN depuis {{IPV4}}.",
    "Dans Excel, comment extraire le nom de famille de « {{PERSON}} » avec une formule ?",
    "Demande à {{FIRST}} si le rapport de {{FIRST}} est prêt pour la revue de {{WEEKDAY}}.",
    "Les avis clients citent souvent {{FIRST}}, notre conseillère de l'agence de Tours : propose un message de remerciement.",
    "Bonjour, je suis {{PERSON}} et j'aimerais modifier l'adresse mail de mon compte pour {{EMAIL_OF}}.",
    "{{PERSON}} et {{PERSON_P}} co-animeront l'atelier ; rédige une courte bio pour chacun.",
    "Écris un mot d'accueil pour {{FIRST}}, qui rejoint l'équipe data lundi prochain.",
    "La vendeuse, {{FIRST}}, a été très aimable : aide-moi à rédiger un avis positif.",
    "Voici la signature à corriger :\n{{PERSON}}\n{{JOB}} – {{COMPANY}}\nLigne directe : {{PHONE}}\n{{EMAIL_OF}}",
    "Merci de rappeler {{TITLE}} {{LAST}} au {{PHONE}} au sujet du sinistre n° {{NUM9}}.",
    "Le prélèvement sur {{IBAN}} a échoué ; envoie un courrier à {{PERSON}} avec un nouveau mandat.",
    "Dans le CSV, la ligne « {{PERSON_CAPS}};{{EMAIL_OF}};{{PHONE}} » casse l'import, pourquoi ?",
    "Un client {{R_IN}} nous a laissé son numéro, le {{RPHONE}} ; propose trois créneaux de rappel.",
    "Explique pourquoi mon script rejette l'IP {{IPV6}} alors qu'elle semble valide.",
    "Voici le token Hugging Face de la CI : {{API_KEY:huggingface}}. Comment le stocker proprement dans GitHub Actions ?",
    "Quelqu'un a publié SENDGRID_API_KEY={{API_KEY:sendgrid}} sur un forum, c'est notre clé : que faire ?",
    "Formulaire d'inscription : faut-il écrire le numéro {{FR_NIR}} avec ou sans espaces ?",
    "Mon numéro de sécu, {{FR_NIR}}, comporte une erreur sur ma carte Vitale : comment le faire corriger ?",
    "Dans le fichier de paie, la colonne NIR contient {{FR_NIR}} pour {{PERSON}} : vérifie le format.",
    "Pour l'inscription à la crèche, on me demande le NIR du parent ({{FR_NIR}}), est-ce obligatoire ?",
    "L'employeur a saisi {{FR_NIR}} dans la DSN mais le retour indique « NIR inconnu », que faire ?",
    "L'annuaire des entreprises affiche le SIREN {{FR_SIREN}} : comment savoir si la société est toujours active ?",
    "Ajoute « SIREN {{FR_SIREN}} – RCS Lyon » en bas de ce courrier, en petits caractères.",
    "Le client a indiqué le SIREN {{FR_SIREN}} sur le bon de commande, mais le nom ne correspond pas à {{COMPANY}}.",
    "Script Python : vérifier que {{FR_SIREN}} est un SIREN valide avec l'algorithme de Luhn.",
    "Chorus Pro rejette notre facture : SIRET destinataire {{FR_SIRET}}. Quelles causes possibles ?",
    "Notre nouvel établissement de Nantes a le SIRET {{FR_SIRET}}, mets à jour les mentions légales du site.",
    "Le SIRET {{FR_SIRET}} est-il au bon endroit sur ce devis ? Sinon, où le placer ?",
    "Demande d'ouverture de compte pro : SIRET {{FR_SIRET}}, gérant {{PERSON}}, contact {{EMAIL_OF}}.",
    "La carte {{CREDIT_CARD}} a été refusée au péage, est-ce un problème de plafond ?",
    "Dans les journaux de paiement, je vois le numéro {{CREDIT_CARD}} en clair : comment le masquer pour PCI DSS ?",
    "Remplace la carte enregistrée pour l'abonnement : nouvelle carte {{CREDIT_CARD}}, expiration {{EXP}}.",
    "Opposition sur ma carte {{CREDIT_CARD}} : rédige le courrier pour la banque.",
    "Mon employeur a besoin de mon IBAN pour le salaire : {{IBAN}}. Rédige le mail.",
    "Vérifie que {{IBAN}} est un IBAN valide et dis-moi de quel pays il vient.",
    "Le remboursement de la caution doit être versé sur {{IBAN}} : rédige le courrier au propriétaire.",
    "Le mandat SEPA indique {{IBAN}} mais le fournisseur prélève sur un autre compte, que faire ?",
    "Mon fichier ~/.npmrc contient //registry.npmjs.org/:_authToken={{API_KEY:npm}}, est-ce risqué ?",
    "Dans .pypirc j'ai password = {{API_KEY:pypi}} ; comment passer à un trusted publisher ?",
    "J'ai mis do_token = \"{{API_KEY:digitalocean}}\" dans main.tf. Mauvaise idée ?",
    "L'appli envoie X-Shopify-Access-Token: {{API_KEY:shopify}} ; comment renouveler ce jeton ?",
    "Le token Postman {{API_KEY:postman}} est dans la collection partagée, comment le retirer de l'historique ?",
    "DATABRICKS_TOKEN={{API_KEY:databricks}} apparaît dans les logs du job, comment le masquer ?",
    "DOPPLER_TOKEN={{API_KEY:doppler}} s'affiche dans la sortie de build, que faire ?",
    "Ajoute un test qui vérifie que la clé {{API_KEY}} n'est jamais écrite dans les logs.",
    "Cette clé traîne dans un vieux README : {{API_KEY}}. Comment savoir si elle est encore active ?",
    "Quelle est la portée de ce jeton : {{API_KEY}} ? Je l'ai trouvé sur le wiki de l'équipe.",
    "Revue de code : j'ai trouvé const key = \"{{API_KEY}}\"; dans le front. Explique le risque.",
    "gcloud répond « API key not valid » avec la clé {{API_KEY:gcp}}. Pourquoi ?",
    "Le bot Slack (token {{API_KEY:slack_bot}}) ne répond plus aux commandes, que vérifier ?",
    "Fais tourner la clé LINEAR_API_KEY={{API_KEY:linear}} et mets à jour le secret de la CI.",
]
PII_FR_LONG = [
    "Peux-tu résumer ce fil de mails en trois points et proposer une réponse ?\n\n---\nDe : {{PERSON}} <{{EMAIL_OF}}>\nÀ : équipe achats\nObjet : Renouvellement du contrat de maintenance\n\nBonjour à tous,\n\n{{PAD_MAIL}}\n\nBien cordialement,\n{{PERSON_AGAIN}}\n{{JOB}}\nTél. {{PHONE}}",
    "Analyse ces journaux et dis-moi pourquoi l'authentification échoue :\n\n{{PAD_LOG}}\n{{TS}} WARN  [auth] échec de connexion pour {{EMAIL}} depuis {{IPV4}} (mot de passe incorrect)\n{{TS}} WARN  [auth] compte verrouillé après 5 tentatives",
    "Voici mon fichier .env de production. Dis-moi ce qui ne devrait pas s'y trouver et comment le corriger :\n\n{{PAD_ENV}}\nSTRIPE_SECRET_KEY={{API_KEY:stripe}}\nGITHUB_TOKEN={{API_KEY:github_fine}}",
    "Ticket support {{TICKET}} — à reformuler pour l'équipe N2 :\n\nLe client {{PERSON}} ({{EMAIL_OF}}) signale que sa carte {{CREDIT_CARD}} a été débitée deux fois.\n\n{{PAD_MAIL}}\n\nRappel souhaité au {{PHONE}} avant {{TIME}}.",
    "Prépare le dossier d'embauche à partir de ces notes :\n\nNom : {{CAPS_FIRST}}\nNuméro de sécurité sociale : {{FR_NIR}}\nIBAN : {{IBAN_FR}}\nPortable : {{PHONE_M}}\n\n{{PAD_MAIL}}",
    "Résume ce compte rendu de visite client pour le CRM :\n\nVisite chez {{COMPANY}} (SIRET {{FR_SIRET}}), reçue par {{TITLE}} {{PERSON_P}}.\n\n{{PAD_MAIL}}\n\nProchain contact : {{FIRST}} relancera le {{DATE}}.",
    "Les journaux du pare-feu montrent ceci, est-ce une attaque ?\n\n{{PAD_LOG}}\n{{TS}} WARN  [edge] 4821 requêtes/min depuis {{IPV6}}\n{{TS}} ERROR [edge] rate limit dépassé pour {{IPV4}}",
    "Relis ce mail avant envoi et corrige le ton :\n\nBonjour {{FIRST}},\n\n{{PAD_MAIL}}\n\nPour toute question, notre bureau {{DE_R_CITY}} reste joignable au {{RPHONE}}.\n\nÀ bientôt,\n{{PERSON}}",
    "Ce script de déploiement a fuité sur un wiki public. Liste les secrets à révoquer :\n\n#!/bin/sh\nset -eu\nexport AWS_ACCESS_KEY_ID={{API_KEY:aws}}\nexport SLACK_TOKEN={{API_KEY:slack_bot}}\n{{PAD_ENV}}\n./deploy.sh --env prod",
]
CLEAN_FR = [
    "Traduis ce paragraphe en {{LANG}} en gardant le vouvoiement.",
    "Allemand ou anglais : quelle langue apprendre en premier pour travailler dans la logistique ?",
    "Japonais, coréen ou mandarin : lequel est le plus simple à l'écrit pour un francophone ?",
    "Mardi prochain, nous présentons la feuille de route {{MONTH}} : propose un plan en cinq parties.",
    "Lundi matin, rappelle-moi de relancer la commande {{ORDER}} auprès du transporteur.",
    "Juillet et août sont nos mois les plus calmes ; suggère des actions marketing pour l'été.",
    "Je cherche un hôtel calme à Nancy pour le week-end du 14 juillet, des idées de quartiers ?",
    "Quels trains relient Orléans à Lourdes en moins de six heures ?",
    "Florence ou Venise pour trois jours en octobre : compare les deux villes pour un couple.",
    "Rédige une annonce de location saisonnière pour un studio à {{PLACE}}.",
    "Propose un itinéraire de cinq jours au Portugal en train, avec un budget de {{AMOUNT}}.",
    "Ma collègue est {{NATIONALITY}} et cherche des cours de français le soir : où chercher à Lyon ?",
    "Compare Claude, Gemini et Copilot pour résumer des contrats de vingt pages.",
    "Dans Excel, comment convertir 15/03/2024 au format 2024-03-15 sans macro ?",
    "Explique la différence entre Python 3.12.1 et Python 3.13 pour un projet Django.",
    "La build 10.0.19045 de Windows est-elle encore supportée ? La moitié des postes est déjà en 10.0.22631.",
    "Mon colis {{TRACKING}} est bloqué au centre de tri depuis {{WEEKDAY}}, rédige une réclamation.",
    "La commande n° 2024-118734 est arrivée incomplète : écris un mail au service client.",
    "Ticket {{TICKET}} : l'imprimante du 3e étage n'imprime plus en couleur. Propose une procédure de dépannage.",
    "La facture {{INVOICE}} affiche un total de {{AMOUNT}} au lieu de {{AMOUNT}}, comment formuler la contestation ?",
    "Que signifie le code {{SKU}} sur l'étiquette du carton ?",
    "Le champ horodatage contient 20240315143000 : comment le convertir en date lisible en SQL ?",
    "Ce numéro de dossier, {{NUM9}}, doit-il être stocké en entier ou en texte dans la base ?",
    "L'identifiant d'export {{NUM14}} dépasse la taille d'un INT, quel type de colonne choisir ?",
    "Mon IBAN commence par {{IBAN_SLICE}}, est-ce que ça veut dire que la banque est française ?",
    "Que veulent dire les codes ISO 3166 FR, BE et CH, et le code devise EUR ?",
    "Le commit {{SHA}} a cassé la CI : comment retrouver la PR associée ?",
    "Génère un UUID v4 en Rust et explique pourquoi {{UUID}} n'est pas séquentiel.",
    "Rose poudré ou vieux rose : quelle couleur choisir pour le logo d'une boulangerie ?",
    "Pierre, bois ou béton : quel matériau pour une terrasse exposée plein sud ?",
    "Victoire 3-1 hier soir ! Écris un message pour les réseaux sociaux du club.",
    "Prudence sur les routes ce week-end : rédige une alerte météo pour l'intranet.",
    "Ambre, vanille et santal : propose une description pour ce parfum d'intérieur.",
    "Olive ou tournesol : quelle huile choisir pour une friture ?",
    "Avec constance et patience, tout finit par s'améliorer : reformule ce conseil de façon moins banale.",
    "Aurore boréale : explique le phénomène à un enfant de huit ans.",
    "Marguerite, coquelicot et bleuet : quelles fleurs semer en avril sur un balcon ?",
    "Clémentine ou mandarine, quelle différence ? Réponds en trois lignes.",
    "Pâques tombe tard cette année ; propose un planning de congés pour l'équipe support.",
    "Combien de temps faut-il pour aller de Valence à Montpellier en voiture ?",
    "Écris un poème sur la Loire au mois de novembre.",
    "Quelle est la capitale de la Géorgie, et faut-il un visa pour y aller ?",
    "Propose trois slogans pour la nouvelle gamme iPhone 15 de notre boutique.",
    "Salesforce ou HubSpot pour une PME de {{N}} commerciaux ? Fais un tableau comparatif.",
    "Rédige la procédure pour réinitialiser un mot de passe Windows 11 sans perdre les données.",
    "Jira ou Notion pour suivre les tickets d'une petite équipe produit ?",
    "Quelle est la différence entre un SIREN et un SIRET ? Explique simplement.",
    "Comment fonctionne la clé de contrôle d'un numéro de sécurité sociale français ?",
    "À quoi sert le code BIC dans un virement international ?",
    "Explique le contrôle de Luhn avec un exemple inventé de quatre chiffres.",
    "Fais un résumé de la réunion : budget validé à {{AMOUNT}}, lancement prévu le {{DATE}}, point d'étape à {{TIME}}.",
    "Le taux de conversion est passé de 2,1 % à {{PCT}} entre mars et mai : rédige un commentaire pour le rapport.",
    "Écris une requête SQL qui compte les commandes par mois pour l'année 2024.",
    "Propose un menu de Noël végétarien pour huit personnes.",
    "Quels sont les jours fériés en France en mai 2025 ?",
    "Reformule : « Suite à votre demande du 03.15.2024, nous vous confirmons l'expédition. »",
    "Mercredi 12 juin, la salle Jupiter est réservée de 9 h à 12 h : rédige l'annonce interne.",
    "Le fuseau Europe/Paris passe à l'heure d'été fin mars : comment gérer ça dans un cron ?",
    "Quelle est la différence entre HTTP 502 et 504 derrière un load balancer ?",
    "Le port 8443 est-il un bon choix pour une API interne ? Explique les conventions.",
    "Grenoble, Annecy ou Chambéry pour installer un bureau de vingt personnes ?",
    "Comment dit-on « facture pro forma » en {{LANG}} ?",
    "Rédige une FAQ sur le télétravail : jours autorisés, matériel fourni, horaires.",
    "Rédige un guide de démarrage rapide de {{PRODUCT}} pour les nouveaux arrivants.",
    "Siri ou Alexa : lequel comprend le mieux les commandes en français ?",
]
CLEAN_FR_LONG = [
    "Voici un extrait de journaux applicatifs. Identifie la cause probable des erreurs 502 :\n\n{{PAD_LOG}}",
    "Résume ce mail interne en trois puces et propose une réponse courte :\n\nObjet : Point d'avancement du projet Atlas\n\nBonjour à tous,\n\n{{PAD_MAIL}}\n\nBonne journée,\nL'équipe projet",
    "Relis ce fichier de configuration et signale les valeurs risquées pour la production :\n\n{{PAD_ENV}}",
    "Corrige les fautes et améliore le style de ce message :\n\n{{PAD_MAIL}}\n\nMerci d'avance pour vos retours.",
    "Traduis ce mail en {{LANG}} sans changer la mise en forme :\n\n{{PAD_MAIL}}",
    "Ces journaux montrent des timeouts depuis la mise à jour {{VERSION}}. Propose un plan d'investigation :\n\n{{PAD_LOG}}",
]

PII_EN = [
    "Can you make this message to {{PERSON}} sound warmer without losing the professional tone?",
    "{{FIRST}} starts on Monday at {{TIME}}: set up a laptop, a badge and wiki access, please.",
    "{{FIRST}} signed off the quote this morning, so draft a confirmation email to the client.",
    "{{FIRST}} said the shipment for order {{ORDER}} is running three days late. Let the customer know.",
    "{{FIRST}} can't make {{WEEKDAY}}'s stand-up; move it and tell the team.",
    "Reply politely to {{TITLE}} {{LAST}}, who is disputing invoice {{INVOICE}}.",
    "Write to Mrs {{LAST}} to say her loan application was approved and the offer follows within a week.",
    "In the minutes, replace \"the project lead\" with {{PERSON}} everywhere.",
    "Build an on-call rota for {{FIRST}}, {{FIRST}} and {{FIRST}} across the three weekends in {{MONTH}}.",
    "{{PERSON_R}}'s application is missing the degree certificate. Draft a short follow-up email.",
    "Translate this business card into {{LANG}}: {{PERSON}}, {{JOB}}, {{EMAIL_OF}}, {{PHONE}}.",
    "Clean up this contact record: Name: {{PERSON_CAPS}} | Tel: {{PHONE}} | Email: {{EMAIL_OF}}",
    "Write an internal announcement welcoming {{TITLE}} {{PERSON_P}} to the legal team.",
    "My personal address is now {{EMAIL}}; please update the mailing list.",
    "The sign-up form says \"invalid address\" for {{EMAIL}}, but it definitely exists. Any idea why?",
    "Check my regex: it should accept {{EMAIL}} but reject \"sales@@example\".",
    "Forward the attachments to {{EMAIL}} and cc {{EMAIL}}.",
    "Our {{R_CITY}} office switchboard is {{RPHONE}}; add it to the email signature template.",
    "Our supplier {{R_IN}} hasn't answered since {{WEEKDAY}}. Their number is {{RPHONE}}. Draft a chaser.",
    "For support {{R_IN}}, call {{RPHONE}} Monday to Friday. Rewrite that line for the website.",
    "International: {{RPHONE_INTL}}; from within {{R_NAME}} you can also dial {{RPHONE_NAT}}. Format this for the Contact page.",
    "The engineer at our {{R_CITY}} site is on {{RPHONE}}; book a visit for Thursday.",
    "I wrote down the hotel's number in {{R_CITY}}: {{RPHONE}}. Write a late check-out request.",
    "Text {{FIRST}} on {{PHONE_M}} to push the viewing to {{WEEKDAY}}.",
    "The number {{PHONE}} appears twice in the CRM; how do I merge the two records?",
    "Call {{TITLE_MED}} {{LAST}}'s surgery on {{PHONE}} to bring {{FIRST}}'s appointment forward.",
    "Unhappy customer: {{PERSON}}, reachable on {{PHONE}}, expects a goodwill gesture on order {{ORDER}}.",
    "What's the cleanest way to store {{PHONE}} in E.164 in a Postgres column?",
    "Update the supplier's bank details: old IBAN {{IBAN}}, new IBAN {{IBAN}}.",
    "A SEPA transfer to {{IBAN}} bounced with reason code AC01. What does that mean?",
    "Email {{PERSON}} asking them to confirm the IBAN {{IBAN}} before the {{DATE}} payment run.",
    "Add \"Please pay by bank transfer to {{IBAN}}\" under the invoice total.",
    "A caller read me their card number, {{CREDIT_CARD}}, exp {{EXP}}. How do I explain we can't take payments that way?",
    "Card {{CREDIT_CARD}} is declined with code 05 even though the limit isn't reached.",
    "Refund order {{ORDER}} to the card used at checkout, {{CREDIT_CARD}}.",
    "Write a pytest case asserting that {{CREDIT_CARD}} passes the Luhn check.",
    "My card {{CREDIT_CARD}} was charged twice for the {{PRODUCT}} subscription; help me write the complaint.",
    "Look up what the French company with SIREN {{FR_SIREN}} does and summarise it in two sentences.",
    "Our French subsidiary's SIRET is {{FR_SIRET}}; where should it appear on the invoice?",
    "A French employee gave their social security number, {{FR_NIR}}, by email. Is it safe to keep it in the HR ticket?",
    "Server {{IP_ADDRESS}} has returned 502s since the {{VERSION}} upgrade. Where do I start?",
    "Write an iptables rule that drops traffic from {{IPV4}} and logs it.",
    "We see port scans from {{IPV4}} and {{IPV6}} in the firewall logs. What should we do?",
    "Restrict the nginx admin location to {{IPV4}} only.",
    "ping {{IPV6}} says \"Destination unreachable\". How do I troubleshoot the route?",
    "My .env has STRIPE_SECRET_KEY={{API_KEY:stripe}}. How bad is it that I pushed it to GitHub?",
    "I pasted the key {{API_KEY}} into a public Jira ticket by mistake. What do I do first?",
    "Why does this fail?\ncurl -H \"Authorization: Bearer {{API_KEY:bearer}}\" https://api.example.com/v1/invoices",
    "Review this credentials file:\n[default]\naws_access_key_id = {{API_KEY:aws}}\nregion = eu-west-2",
    "The webhook {{API_KEY:slack_webhook}} stopped posting to #alerts on {{WEEKDAY}}.",
    "Here is the staging server's private key, explain the format to me:\n{{API_KEY:pem}}",
    "Decode this JWT and tell me when it expires: {{API_KEY:jwt}}",
    "GitLab rejects my push with token {{API_KEY:gitlab}}. Has it expired?",
    "export ANTHROPIC_API_KEY={{API_KEY:anthropic}} — why can't my Python script see it?",
    "In our newrelic config, api_key: {{API_KEY:newrelic}} — is that a user key or an ingest key?",
    "mailgun_api_key = \"{{API_KEY:mailgun}}\" is in settings.py; how do I move it to a secret manager?",
    "Send invoice {{INVOICE}} to {{PERSON}} ({{EMAIL_OF}}) and ask for payment to {{IBAN}}.",
    "New starter: {{PERSON}}, phone {{PHONE}}, email {{EMAIL_OF}}. Prepare the onboarding checklist.",
    "Set up a meeting with {{PERSON}} and {{PERSON}} on {{WEEKDAY}} at {{TIME}} and draft the invite.",
    "Congratulate {{FIRST}} on the promotion and copy {{PERSON}}.",
    "Add {{PERSON_CAPS}} to the speaker list for the {{MONTH}} conference.",
    "Fix the name in the contract: it's {{PERSON_R}}, accents and all.",
    "Write a retirement speech for {{PERSON_P}}, who has been with us for 32 years.",
    "Add {{TITLE}} {{PERSON_P}} to the board dinner guest list.",
    "Summarise the email thread between {{FIRST}} and procurement.",
    "{{FIRST}}'s report is late again; draft a polite nudge.",
    "Can you proofread {{PERSON}}'s cover letter before Friday?",
    "I need {{FIRST}}'s and {{FIRST}}'s availability for the offsite in {{MONTH}}.",
    "The account {{EMAIL}} was locked after three attempts from {{IPV4}}. What should I check?",
    "The GitHub token {{API_KEY:github}} was committed to a public repo; list the steps to revoke it.",
    "Per ticket {{TICKET}}, {{FIRST}} can't connect to the VPN from {{IPV4}}.",
    "In Excel, how do I pull the surname out of \"{{PERSON}}\" with a formula?",
    "Ask {{FIRST}} whether {{FIRST}}'s deck is ready for {{WEEKDAY}}'s review.",
    "Customers keep praising {{FIRST}} from our Leeds branch; suggest a thank-you note.",
    "Hi, I'm {{PERSON}} and I'd like to change the email on my account to {{EMAIL_OF}}.",
    "{{PERSON}} and {{PERSON_P}} will co-host the workshop; write a short bio for each.",
    "Here's my signature, please tidy it:\n{{PERSON}}\n{{JOB}}, {{COMPANY}}\nDirect: {{PHONE}}\n{{EMAIL_OF}}",
    "Please call {{TITLE}} {{LAST}} back on {{PHONE}} about claim {{NUM9}}.",
    "The direct debit from {{IBAN}} failed; write to {{PERSON}} with a new mandate form.",
    "This CSV row breaks the import: \"{{PERSON_CAPS}},{{EMAIL_OF}},{{PHONE}}\". Why?",
    "A customer {{R_IN}} left their number, {{RPHONE}}; suggest three call-back slots.",
    "Why does my validator reject {{IPV6}}? It looks fine to me.",
    "Here's our CI's Hugging Face token: {{API_KEY:huggingface}}. How do I store it properly in GitHub Actions?",
    "Someone posted SENDGRID_API_KEY={{API_KEY:sendgrid}} on a forum and it's ours. What now?",
    "{{FIRST}} will cover reception on {{WEEKDAY}}; update the rota and let facilities know.",
    "Our Paris entity (SIRET {{FR_SIRET}}) needs a VAT number on the invoice; how is it derived from SIREN {{FR_SIREN}}?",
    "Our payment logs print {{CREDIT_CARD}} in plain text; how do we mask it for PCI DSS?",
    "Replace the card on file for the subscription with {{CREDIT_CARD}}, expiry {{EXP}}.",
    "Please cancel card {{CREDIT_CARD}}, I think it was skimmed at a petrol station.",
    "The toll booth declined {{CREDIT_CARD}}; is that a limit issue?",
    "My employer needs my IBAN for salary payments: {{IBAN}}. Draft the email.",
    "Is {{IBAN}} a valid IBAN, and which country is it from?",
    "The deposit refund should go to {{IBAN}}; write the letter to the landlord.",
    "A French supplier's invoice lists SIREN {{FR_SIREN}}; how do I check the company exists?",
    "Our French payroll export has NIR {{FR_NIR}} for {{PERSON}}; does it need encrypting under GDPR?",
    "Chorus Pro rejected our invoice to SIRET {{FR_SIRET}}. What could be wrong?",
    "Add \"SIRET {{FR_SIRET}}\" to the footer of our French quotes.",
    "My ~/.npmrc has //registry.npmjs.org/:_authToken={{API_KEY:npm}}; is that risky?",
    "Our .pypirc has password = {{API_KEY:pypi}}; how do I switch to trusted publishing?",
    "main.tf contains do_token = \"{{API_KEY:digitalocean}}\". How should I pass it instead?",
    "The app sends X-Shopify-Access-Token: {{API_KEY:shopify}}; how do I rotate it?",
    "Our shared Postman collection contains {{API_KEY:postman}}; how do I scrub it from history?",
    "DATABRICKS_TOKEN={{API_KEY:databricks}} shows up in the job logs. How do I mask it?",
    "Code review: found const apiKey = \"{{API_KEY}}\"; in the React bundle. Explain the risk.",
    "This key is in an old README: {{API_KEY}}. How can I tell if it is still live?",
    "What scopes does this token have? {{API_KEY}} — I found it on the team wiki.",
    "Add a unit test making sure {{API_KEY}} never ends up in the logs.",
    "The Slack bot (token {{API_KEY:slack_bot}}) stopped answering slash commands; what should I check?",
    "Rotate LINEAR_API_KEY={{API_KEY:linear}} and update the GitHub Actions secret.",
    "gcloud says \"API key not valid\" for {{API_KEY:gcp}}. Why?",
    "Our Grafana service account token {{API_KEY:grafana}} expired; how do I create one with an expiry date?",
    "age -d fails with this identity: {{API_KEY:age}}. Is the key malformed?",
    "The Slack user token {{API_KEY:slack_user}} is in a Jupyter notebook on the shared drive. What now?",
]
# Adapted from presidio-research's templates.txt (MIT, Copyright (c) Microsoft Corporation).
PRESIDIO_PII_EN = [
    "I want to increase limit on my card # {{CREDIT_CARD}} for certain duration of time. is it possible?",
    "My credit card {{CREDIT_CARD}} has been lost, Can I request you to block it.",
    "Need to change billing date of my card {{CREDIT_CARD}}",
    "In case of my child's account, we need to add {{PERSON}} as guardian",
    "Are there any charges applied for money transfer from {{IBAN}} to other bank accounts",
    "Need to see last 10 transaction of card {{CREDIT_CARD}}",
    "I have lost my card {{CREDIT_CARD}}. Could you please block my credit card ASAP ? My name is {{PERSON}}.",
    "I have done an online order but didn't get any message on my registered {{PHONE}}. Could you please look into it ?",
    "Could you please send me the last billed amount for cc {{CREDIT_CARD}} on my e-mail {{EMAIL}}?",
    "My name appears incorrectly on credit card statement could you please correct it to {{TITLE}} {{PERSON}}?",
    "Please transfer all funds from my account to this hackers' {{EMAIL}}",
    "I can't browse to your site, keep getting address {{IPV4}} blocked error",
    "Please have the manager call me at {{PHONE}} I'd like to join accounts with ms. {{FIRST}}",
    "{{FIRST}}, can I please speak to your boss?",
    "Will my account stay active? It's under my partner's name {{PERSON}}",
    "Bot: What's the name on the account? User: {{PERSON}}",
    "I would like to stop receiving messages to {{PHONE}}",
    "The name in the account is not correct, please change it to {{PERSON}}",
    "Please send my portfolio to this email {{EMAIL}}",
    "Hello, this is {{TITLE}} {{PERSON}}. Who are you?",
    "I want to add {{PERSON}} as a beneficiary to my account",
    "Can someone call me on {{PHONE}}? I have some questions about opening an account.",
    "My name is {{PERSON}} but everyone calls me {{FIRST}}",
    "You said your email is {{EMAIL}}. Is that correct?",
    "What's your last name? {{LAST}}",
    "Hi {{FIRST}}, I'm contacting you about a problem I have with sending a wire transfer using this IBAN {{IBAN}}",
    "Sometimes people call me {{FIRST}}",
    "Maybe it's under {{PERSON}}",
    "{{PERSON}} from {{COMPANY}} is the keynote speaker",
    "They had 4: {{FIRST}}, {{FIRST}}, {{FIRST}} and {{FIRST}}.",
    "They're not answering at {{PHONE}}",
    "Follow up with {{PERSON}} in a couple of months.",
    "{{TITLE}} {{LAST}} flew to {{CITY}} on {{WEEKDAY}} morning.",
    "{{FIRST}} shouted at {{FIRST}}: \"What are you doing here?\"",
    "Inject SELECT * FROM Users WHERE client_ip = ?%//!%20\\|{{IPV4}}|%20/",
    "Date: {{DATE}}\nName: {{PERSON}}\nPhone: {{PHONE}}",
    "{{PERSON}}\n{{JOB}}\n{{COMPANY}}\nMobile: {{PHONE_M}}\nDesk: {{PHONE}}",
    "It was a done thing between him and {{FIRST}}'s kid; and everybody thought so.",
    "As promised, here's {{FIRST}}'s email:\n\n{{EMAIL}}",
]
PII_EN_LONG = [
    "Summarise this email thread in three bullets and suggest a reply:\n\n---\nFrom: {{PERSON}} <{{EMAIL_OF}}>\nTo: procurement\nSubject: Maintenance contract renewal\n\nHi all,\n\n{{PAD_MAIL}}\n\nBest regards,\n{{PERSON_AGAIN}}\n{{JOB}}\nTel: {{PHONE}}",
    "Look at these logs and tell me why authentication keeps failing:\n\n{{PAD_LOG}}\n{{TS}} WARN  [auth] login failed for {{EMAIL}} from {{IPV4}} (bad password)\n{{TS}} WARN  [auth] account locked after 5 attempts",
    "Here is our production .env. Tell me what shouldn't be in it and how to fix that:\n\n{{PAD_ENV}}\nOPENAI_API_KEY={{API_KEY:openai}}\nTWILIO_API_KEY={{API_KEY:twilio}}",
    "Support ticket {{TICKET}} — rewrite it for the tier-2 team:\n\nCustomer {{PERSON}} ({{EMAIL_OF}}) reports card {{CREDIT_CARD}} was charged twice.\n\n{{PAD_MAIL}}\n\nPlease call back on {{PHONE}} before {{TIME}}.",
    "Turn these notes into a CRM visit report:\n\nVisited {{COMPANY}}, met {{TITLE}} {{PERSON_P}} and {{FIRST}} from finance.\n\n{{PAD_MAIL}}\n\nNext step: {{FIRST_AGAIN}} sends the signed order by {{DATE}}.",
    "The edge proxy logs show this. Is it an attack?\n\n{{PAD_LOG}}\n{{TS}} WARN  [edge] 4821 req/min from {{IPV6}}\n{{TS}} ERROR [edge] rate limit exceeded for {{IPV4}}",
    "Proofread this email before I send it:\n\nHi {{FIRST}},\n\n{{PAD_MAIL}}\n\nIf anything comes up, our {{R_CITY}} office is on {{RPHONE}}.\n\nCheers,\n{{PERSON}}",
    "This deploy script leaked to a public wiki. List every secret we must rotate:\n\n#!/bin/sh\nset -eu\nexport AWS_ACCESS_KEY_ID={{API_KEY:aws}}\nexport NPM_TOKEN={{API_KEY:npm}}\n{{PAD_ENV}}\n./deploy.sh --env prod",
    "Payroll onboarding form, please check it's complete:\n\nName: {{PERSON}}\nPersonal email: {{EMAIL_OF}}\nMobile: {{PHONE_M}}\nBank: {{IBAN}}\n\n{{PAD_MAIL}}",
]

CLEAN_EN = [
    "Translate this paragraph into {{LANG}}, keeping it formal.",
    "Japanese or Korean: which is easier to read for an English speaker?",
    "German or Dutch first, if I'm moving to Brussels for work?",
    "Next Tuesday we present the {{MONTH}} roadmap; suggest a five-part outline.",
    "Monday morning, remind me to chase order {{ORDER}} with the carrier.",
    "June and July are our quietest months; suggest some summer marketing ideas.",
    "Summer sale starts June 5th: write three taglines for the homepage banner.",
    "Looking for a quiet hotel in Florence for a long weekend, which neighbourhood?",
    "Flights to Jordan in March: is Amman or Aqaba the better base?",
    "Is Georgia (the country) a good destination for a hiking holiday in September?",
    "Write a listing for a one-bedroom flat in Chelsea, close to the King's Road shops.",
    "What's the fastest way from Victoria station to Heathrow on a Sunday?",
    "Plan a day trip from Nancy to Metz by train, with a museum in the afternoon.",
    "Write a short travel guide to {{PLACE}} for first-time visitors.",
    "Compare Claude, Gemini and Copilot for summarising 20-page contracts.",
    "In Excel, how do I turn 03/15/2024 into 2024-03-15 without a macro?",
    "What changed between Python 3.12.1 and Python 3.13 that matters for Django?",
    "Is Windows build 10.0.19045 still supported? Half our laptops are already on 10.0.22631.",
    "My parcel {{TRACKING}} has been stuck at the depot since {{WEEKDAY}}; draft a complaint.",
    "Order #4481-2290-11 arrived incomplete. Write to customer service.",
    "Ticket {{TICKET}}: the third-floor printer stopped printing in colour. Suggest troubleshooting steps.",
    "Invoice {{INVOICE}} shows {{AMOUNT}} instead of {{AMOUNT}}; how should I word the dispute?",
    "What does {{SKU}} on the shipping label mean?",
    "The timestamp column holds 20240315143000. How do I parse it in SQL?",
    "Case reference {{NUM9}}: should it be stored as an integer or a string?",
    "Export id {{NUM14}} overflows an INT column; which type should I use?",
    "My IBAN starts with {{IBAN_SLICE}}, does that mean the bank is in that country?",
    "What do ISO 3166 codes GB, IE and US mean, and what is ISO 4217?",
    "Commit {{SHA}} broke CI; how do I find the PR that introduced it?",
    "Generate a UUID v4 in Go and explain why {{UUID}} isn't sequential.",
    "Rose gold or silver for the iPhone 15 case in our catalogue?",
    "Amber alert versus silver alert: what's the difference?",
    "Olive oil or butter for a lemon drizzle cake?",
    "Will the Windows 11 update break my audio drivers?",
    "Mark the Jira tickets from the last sprint as done and summarise what shipped.",
    "Bill of materials for a small garden shed: list the timber and fixings.",
    "Frank feedback on this landing page, please: is the headline too long?",
    "Grace period for late rent payments: explain the usual rules to a tenant.",
    "Hope this helps is overused in emails; suggest five alternatives.",
    "Ivy League admissions versus Oxbridge: compare the application timelines.",
    "Jasmine or sencha for an afternoon tea menu?",
    "Sage or QuickBooks for a three-person bookkeeping firm?",
    "Victoria sponge recipe for twelve people, with metric quantities.",
    "Rose bushes or lavender for a sunny border? Which needs less water?",
    "What time is it in Sydney when it's 9:30 am in London?",
    "Write three slogans for the new iPhone 15 range in our shop.",
    "Salesforce or HubSpot for a team of {{N}} sales reps? Make a comparison table.",
    "Jira or Notion for tracking tickets in a small product team?",
    "What is the difference between a SIREN and a SIRET number in France?",
    "How does the Luhn checksum work? Use a made-up four-digit example.",
    "What is a BIC code used for in an international transfer?",
    "Meeting notes: budget approved at {{AMOUNT}}, launch on {{DATE}}, check-in at {{TIME}}. Turn them into a summary.",
    "Conversion went from 2.1% to {{PCT}} between March and May; write a comment for the report.",
    "Write a SQL query counting orders per month for 2024.",
    "Is port 8443 a sensible choice for an internal API? Explain the conventions.",
    "What's the difference between HTTP 502 and 504 behind a load balancer?",
    "Europe/London switches to BST at the end of March; how should a cron job handle it?",
    "Rewrite: \"Further to your request of 03.15.2024, we confirm dispatch.\"",
    "How do you say \"pro forma invoice\" in {{LANG}}?",
    "Charlotte or Raleigh for opening a small sales office in North Carolina?",
    "Savannah in April: what should a first-time visitor not miss?",
    "Write a quick-start guide to {{PRODUCT}} for new joiners.",
    "Can Alexa and Siri control the same smart plugs?",
]
# Adapted from presidio-research's templates.txt (MIT, Copyright (c) Microsoft Corporation).
PRESIDIO_CLEAN_EN = [
    "How do I check my balance on my credit card?",
    "Could I change the payment due date of my credit card?",
    "How can I request a new credit card pin ?",
    "How do I open my credit card statement?",
    "My religion does not allow speaking to bots, they are evil and hacked by the Devil",
    "Excuse me, Sir bot, but I really don't like this tone",
    "WHAT ??? I DON'T KNOW WHAT TO PRESS NEXT!!! ? !! ?!",
    "CAN I SPEAK TO A REAL PERSON?!?!",
    "What are my options?",
    "I'm moving out of the country, so please cancel my subscription",
    "3... 2... 1... liftoff!",
    "Capitalized words like Wisdom and Discipline are often mistaken with names.",
    "You will be responsible for the husbandry and care of a large variety of species including lemurs, antelope, camels, and more",
    "I'm originally from {{COUNTRY}}",
    "I will be travelling to {{COUNTRY}} next week, so I need my passport to be ready by then",
    "{{COUNTRY}} was super fun to visit!",
    "We moved here from {{COUNTRY}}",
]
CLEAN_EN_LONG = [
    "Here is an application log excerpt. What is the most likely cause of the 502 errors?\n\n{{PAD_LOG}}",
    "Summarise this internal email in three bullets and draft a short reply:\n\nSubject: Project Atlas status update\n\nHi all,\n\n{{PAD_MAIL}}\n\nThanks,\nThe project team",
    "Review this configuration and flag anything risky for production:\n\n{{PAD_ENV}}",
    "Fix the typos and tighten the style of this message:\n\n{{PAD_MAIL}}\n\nThanks in advance for your feedback.",
    "Translate this email into {{LANG}} and keep the layout:\n\n{{PAD_MAIL}}",
    "These logs show timeouts since the {{VERSION}} upgrade. Suggest an investigation plan:\n\n{{PAD_LOG}}",
]


# ---------------------------------------------------------------------------------------------
# Filling templates
# ---------------------------------------------------------------------------------------------
SLOT_RE = re.compile(r"\{\{([A-Z0-9_]+)(?::([a-z0-9_]+))?\}\}")
PERSON_SLOTS = {"PERSON", "PERSON_P", "PERSON_R", "FIRST", "FIRST_AGAIN", "LAST", "PERSON_CAPS", "CAPS_FIRST", "PERSON_AGAIN"}
HINT_SLOTS = {"R_IN", "R_NAME", "R_CITY", "DE_R_CITY"}


class Ctx:
    def __init__(self, rng, lang, names, quota):
        self.rng, self.lang, self.names, self.quota = rng, lang, names, quota
        self.region = None        # region shared by R* slots
        self.hinted = set()       # regions named in the prompt
        self.last_person = None   # (first, last)
        self.last_person_text = None
        self.last_first = None
        self.used = set()
        self.target = 0
        self.clock = None         # log timestamps
        self.meta = []            # one dict per entity, for the self-check

    def get_region(self):
        if self.region is None:
            self.region = self.rng.choice(PHONE_REGIONS)
        return self.region


def _caps(rng, s):
    return (s if rng.random() < 0.5 else fold_keep_case(s)).upper()


def fold_keep_case(s):
    s = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def person_slot(name, ctx):
    rng, lang, nm = ctx.rng, ctx.lang, ctx.names
    if name == "PERSON_AGAIN" and ctx.last_person_text:
        return ctx.last_person_text
    if name == "FIRST_AGAIN" and ctx.last_first:
        return ctx.last_first
    for _ in range(50):
        if name in ("FIRST", "FIRST_AGAIN"):
            value = rng.choice(nm.lone[lang])
            if value not in ctx.used:
                ctx.last_first = value
                break
            continue
        if name == "LAST":
            kind = weighted(rng, [("faker", 50), ("rare", 30), ("particle", 20)])
            if kind == "faker":
                locs = FAKER_FR if lang == "fr" else FAKER_EN
                value = rng.choice(nm.last[rng.choice(locs)])
            elif kind == "rare":
                value = rng.choice(RARE_SURNAMES_FR if lang == "fr" else RARE_SURNAMES_EN)
            else:
                value = rng.choice(PARTICLE_NAMES)[0]
            if value not in ctx.used:
                break
            continue
        kind = {"PERSON_P": "particle", "PERSON_R": "rare"}.get(name)
        if name in ("PERSON_CAPS", "CAPS_FIRST"):
            kind = rng.choice(["faker", "gg", "rare", "particle"])
        first, last = nm.person(lang, kind)
        if name == "PERSON_CAPS":
            value = f"{first} {_caps(rng, last)}"
        elif name == "CAPS_FIRST":
            value = f"{_caps(rng, last)} {first}"
        else:
            value = f"{first} {last}"
        if value not in ctx.used and first not in ctx.used:
            ctx.last_person, ctx.last_person_text = (first, last), value
            ctx.last_first = None if first.endswith(".") else first.split()[0]
            break
    ctx.used.add(value)
    ctx.used.add(value.split()[0])
    return value


def hint_slot(name, ctx):
    region = ctx.get_region()
    ctx.hinted.add(region)
    fr_in, fr_name, en_in, en_name, fr_cities, en_cities = REGIONS[region]
    if name == "R_IN":
        return fr_in if ctx.lang == "fr" else en_in
    if name == "R_NAME":
        return fr_name if ctx.lang == "fr" else en_name
    city = ctx.rng.choice(fr_cities if ctx.lang == "fr" else en_cities)
    if name == "R_CITY":
        return city
    if name == "DE_R_CITY":
        return ("d'" if city[0] in "AEIOUYÉÈÊÂÎÔ" else "de ") + city
    raise KeyError(name)


def entity_slot(name, arg, ctx):
    """Returns (value, TYPE, meta) for an entity slot, or None if the slot is a filler."""
    rng, lang = ctx.rng, ctx.lang
    if name in PERSON_SLOTS:
        return person_slot(name, ctx), "PERSON", {}
    if name in ("EMAIL", "EMAIL_OF"):
        person = ctx.last_person if (name == "EMAIL_OF" or rng.random() < 0.35) else None
        for _ in range(20):
            value = email(rng, lang, person)
            if value not in ctx.used:
                break
        ctx.used.add(value)
        return value, "EMAIL", {}
    if name in ("PHONE", "PHONE_M", "PHONE_INTL", "RPHONE", "RPHONE_INTL", "RPHONE_NAT"):
        region = ctx.get_region() if name.startswith("R") else (rng.choice(PHONE_REGIONS) if name == "PHONE_INTL" else None)
        kind = {"PHONE_INTL": "intl", "RPHONE_INTL": "intl", "RPHONE_NAT": "nat"}.get(name)
        value, meta = phone(rng, lang, region, kind, mobile=name == "PHONE_M", quota=ctx.quota)
        return value, "PHONE", meta
    if name == "CREDIT_CARD":
        return credit_card(rng), "CREDIT_CARD", {}
    if name in ("IBAN", "IBAN_FR"):
        return iban(rng, lang, "FR" if name == "IBAN_FR" else None), "IBAN", {}
    if name == "IP_ADDRESS":
        return (ipv4(rng) if rng.random() < 0.8 else ipv6(rng)), "IP_ADDRESS", {}
    if name == "IPV4":
        return ipv4(rng), "IP_ADDRESS", {}
    if name == "IPV6":
        return ipv6(rng), "IP_ADDRESS", {}
    if name == "FR_NIR":
        return nir(rng), "FR_NIR", {}
    if name == "FR_SIREN":
        return siren_text(rng), "FR_SIREN", {}
    if name == "FR_SIRET":
        return siret_text(rng), "FR_SIRET", {}
    if name == "API_KEY":
        value, kind = api_key(rng, arg)
        return value, "API_KEY", {"kind": kind}
    return None


def fill(template, ctx):
    text, entities, pos = "", [], 0
    for m in SLOT_RE.finditer(template):
        text += template[pos:m.start()]
        pos = m.end()
        name, arg = m.group(1), m.group(2)
        if name.startswith("PAD_"):
            rest = SLOT_RE.sub("x" * 24, template[pos:])
            text += pad(name, ctx, ctx.target - len(text) - len(rest))
            continue
        if name in HINT_SLOTS:
            text += hint_slot(name, ctx)
            continue
        got = entity_slot(name, arg, ctx)
        if got is None:
            text += filler(name, ctx)
            continue
        value, etype, meta = got
        entities.append([etype, len(text), len(text) + len(value)])
        ctx.meta.append(dict(meta, type=etype, value=value, slot=name))
        text += value
    text += template[pos:]
    return text, entities


# ---------------------------------------------------------------------------------------------
# The set
# ---------------------------------------------------------------------------------------------
# Templates carrying the scarcer types are drawn more often, to even out per-type counts.
TYPE_BOOST = {"FR_SIREN": 2.2, "FR_NIR": 1.7, "FR_SIRET": 1.3, "CREDIT_CARD": 1.4, "IP_ADDRESS": 1.4, "IPV4": 1.4,
              "IPV6": 1.4, "EMAIL": 1.3, "EMAIL_OF": 1.3, "PHONE": 1.3, "PHONE_M": 1.3, "RPHONE": 1.3, "RPHONE_INTL": 1.3, "IBAN": 1.2}


def _pools():
    def w(items, weight=1.0):
        return [(t, weight * max([1.0] + [TYPE_BOOST.get(m.group(1), 1.0) for m in SLOT_RE.finditer(t)])) for t in items]
    return {
        ("fr", False, False): w(PII_FR), ("fr", False, True): w(PII_FR_LONG),
        ("fr", True, False): w(CLEAN_FR), ("fr", True, True): w(CLEAN_FR_LONG),
        ("en", False, False): w(PII_EN) + w(PRESIDIO_PII_EN, 0.6), ("en", False, True): w(PII_EN_LONG),
        ("en", True, False): w(CLEAN_EN) + w(PRESIDIO_CLEAN_EN, 0.6), ("en", True, True): w(CLEAN_EN_LONG),
    }


def _flags(rng, n, share):
    k = round(n * share)
    flags = [True] * k + [False] * (n - k)
    rng.shuffle(flags)
    return flags


def generate(n=N_PROMPTS, seed=SEED, with_meta=False):
    """The labeled prompts (list of dicts in the jsonl format). with_meta=True also returns, per
    prompt, the generation details the self-check uses."""
    rng = random.Random(seed)
    names = Names(random.Random(seed + 1))
    pools = _pools()
    langs = ["fr" if f else "en" for f in _flags(rng, n, 0.5)]
    cleans = _flags(rng, n, CLEAN_SHARE)
    longs = _flags(rng, n, LONG_SHARE)
    prompts, metas, seen = [], [], set()
    quota = {"n": 0, "ext": 0}
    for lang, clean, long_ in zip(langs, cleans, longs):
        pool = pools[(lang, clean, long_)]
        for attempt in range(200):
            template = weighted(rng, pool)
            ctx = Ctx(rng, lang, names, quota)
            ctx.target = rng.randint(800, 1080) if long_ else 0
            text, entities = fill(template, ctx)
            if long_ and not 700 <= len(text) <= 1200:
                continue
            if not long_ and len(text) >= 700:
                continue
            if text in seen:
                continue
            break
        else:
            raise RuntimeError("could not fill " + template)
        seen.add(text)
        prompts.append({"text": text, "lang": lang, "split": SPLIT, "entities": entities})
        metas.append({"ctx_hinted": ctx.hinted, "meta": ctx.meta, "template": template})
    return (prompts, metas) if with_meta else prompts


# ---------------------------------------------------------------------------------------------
# Self-check and summary
# ---------------------------------------------------------------------------------------------
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
EXT_RE = re.compile(r"\s+(?:x|ext\.?|poste)\s?\d{1,5}$")
DIGIT_RUN_RE = re.compile(r"(?<![\w.])(?:\d{9,19}|\d{3} \d{3} \d{3}(?: ?\d{5})?|\d{4}([ -])\d{4,6}\1\d{4,5}(?:\1\d{1,7})?)(?![\w])")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
IPV4_RE = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6_RE = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
NIR_RE = re.compile(r"\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}\b")
LEGAL_RE = re.compile(r"\b(?:article|art\.)\s+[LRD]?\.?\s?\d|\bCode (?:civil|du travail|pénal|de commerce|de la consommation)\b", re.I)


def _medical_terms():
    path = os.path.join(HERE, "..", "..", "crates", "engines", "pii", "data", "medical_terms.txt")
    if not os.path.exists(path):
        return None
    terms = [t.strip() for t in open(path, encoding="utf-8") if t.strip() and not t.startswith("#")]
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")(?![\w-])", re.I)


def _check_entity(m, lang, hinted, intl_regions):
    t, v = m["type"], m["value"]
    digits = re.sub(r"\D", "", v)
    if t == "PHONE":
        bare = EXT_RE.sub("", v)
        assert bare + m["ext"] == v, v
        num = pn.parse(bare, m["region"])
        assert pn.is_valid_number(num) and pn.is_valid_number_for_region(num, m["region"]), (v, m)
        if m["national"] and m["region"] not in LOCAL_REGIONS[lang]:
            assert m["region"] in hinted or m["region"] in intl_regions, ("no region hint", v, m)
    elif t == "CREDIT_CARD":
        assert 14 <= len(digits) <= 16 and luhn.is_valid(digits) and re.fullmatch(r"[\d -]+", v), v
    elif t == "IBAN":
        assert std_iban.is_valid(v) and re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9 ]+", v), v
    elif t == "FR_NIR":
        assert std_nir.is_valid(v.replace(" ", "")), v
    elif t == "FR_SIREN":
        assert len(digits) == 9 and std_siren.is_valid(digits), v
    elif t == "FR_SIRET":
        assert len(digits) == 14 and std_siret.is_valid(digits), v
    elif t == "IP_ADDRESS":
        assert ipaddress.ip_address(v).is_global, v
    elif t == "EMAIL":
        assert EMAIL_RE.fullmatch(v), v
    elif t == "API_KEY":
        assert KEY_RULES[m["kind"]][1].fullmatch(v), (m["kind"], v)
    elif t == "PERSON":
        assert v.strip() == v and v and not v.endswith("'s"), v


def _unlabeled(text):
    """PII-shaped strings in text (labeled spans already masked out)."""
    found = []
    found += [("EMAIL", x) for x in EMAIL_RE.findall(text)]
    for mt in DIGIT_RUN_RE.finditer(text):
        d = re.sub(r"\D", "", mt.group())
        if (len(d) in (9, 14) or 13 <= len(d) <= 19) and luhn.is_valid(d):
            found.append(("LUHN", mt.group()))
    for mt in IBAN_RE.finditer(text):
        if std_iban.is_valid(mt.group()):
            found.append(("IBAN", mt.group()))
    for mt in IPV4_RE.finditer(text):
        if all(int(o) <= 255 for o in mt.group().split(".")):
            found.append(("IPV4", mt.group()))
    for mt in IPV6_RE.finditer(text):
        try:
            ipaddress.IPv6Address(mt.group())
            found.append(("IPV6", mt.group()))
        except ValueError:
            pass
    for mt in NIR_RE.finditer(text):
        if std_nir.is_valid(mt.group().replace(" ", "")):
            found.append(("NIR", mt.group()))
    for kind, (rule, rx) in KEY_RULES.items():
        found += [("KEY:" + rule, mt.group()) for mt in rx.finditer(text)]
    return found


def self_check(prompts, metas):
    medical = _medical_terms()
    phone_hits = Counter()
    for p, pm in zip(prompts, metas):
        text, ents = p["text"], p["entities"]
        assert p["lang"] in ("fr", "en") and p["split"] == SPLIT
        assert len(ents) == len(pm["meta"])
        spans = sorted((s, e) for _, s, e in ents)
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            assert e1 <= s2, ("overlap", text)
        intl_regions = {m["region"] for m in pm["meta"] if m["type"] == "PHONE" and not m["national"]}
        for (t, s, e), m in zip(ents, pm["meta"]):
            assert t == m["type"] and text[s:e] == m["value"], (text, t, s, e, m["value"])
            assert s == 0 or not (text[s - 1].isalnum()), ("glued left", text[max(0, s - 5):e])
            assert e == len(text) or not (text[e].isalnum()), ("glued right", text[s:e + 5])
            _check_entity(m, p["lang"], pm["ctx_hinted"], intl_regions)
        masked = list(text)
        for _, s, e in ents:
            masked[s:e] = "§" * (e - s)
        masked = "".join(masked)
        bad = _unlabeled(masked)
        assert not bad, ("unlabeled PII-shaped text", bad, text)
        if medical is not None:
            assert not medical.search(text), ("health term", medical.search(text).group(), text)
        assert not LEGAL_RE.search(text), ("legal reference", text)
        for region in ("FR", "GB", "US", "DE"):
            for mt in pn.PhoneNumberMatcher(masked, region, leniency=pn.Leniency.VALID):
                phone_hits[(mt.raw_string, region)] += 1
    return phone_hits


def summary(prompts):
    n = len(prompts)
    clean = sum(not p["entities"] for p in prompts)
    long_ = sum(700 <= len(p["text"]) <= 1200 for p in prompts)
    per_type = Counter(t for p in prompts for t, _, _ in p["entities"])
    per_lang = Counter(p["lang"] for p in prompts)
    per_lang_clean = Counter(p["lang"] for p in prompts if not p["entities"])
    multi = sum(len(p["entities"]) >= 2 for p in prompts)
    lines = [f"prompts: {n} (fr {per_lang['fr']}, en {per_lang['en']})",
             f"PII-free: {clean} = {clean / n:.1%} (fr {per_lang_clean['fr']}, en {per_lang_clean['en']})",
             f"with 2+ entities: {multi}",
             f"700-1,200 chars: {long_} = {long_ / n:.1%}; longest {max(len(p['text']) for p in prompts)}",
             f"entities: {sum(per_type.values())}"]
    lines += [f"  {t:<12} {c:>5}" for t, c in sorted(per_type.items(), key=lambda x: -x[1])]
    return "\n".join(lines)


def main():
    prompts, metas = generate(with_meta=True)
    phone_hits = self_check(prompts, metas)
    out = os.path.join(HERE, "independent.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for p in prompts:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
    print(summary(prompts))
    sub = Counter()
    for p, pm in zip(prompts, metas):
        for m in pm["meta"]:
            if m["type"] == "PHONE":
                sub["phone regions"] += 0
                sub[("region", m["region"])] += 1
                sub[("form", m["form"])] += 1
                sub["phone ext"] += bool(m["ext"])
            if m["type"] == "API_KEY":
                sub[("key", API_KEYS[m["kind"]][0])] += 1
    phones = sum(v for k, v in sub.items() if isinstance(k, tuple) and k[0] == "region")
    print(f"phones: {phones}, with extension {sub['phone ext']} = {sub['phone ext'] / phones:.1%}, "
          f"regions {len([k for k in sub if isinstance(k, tuple) and k[0] == 'region'])}")
    print("phone forms:", ", ".join(f"{k[1]} {v}" for k, v in sorted(sub.items(), key=lambda x: str(x[0])) if isinstance(k, tuple) and k[0] == "form"))
    print("API key rules:", ", ".join(f"{k[1]} {v}" for k, v in sorted(sub.items(), key=lambda x: str(x[0])) if isinstance(k, tuple) and k[0] == "key"))
    person = Counter(m["slot"] for pm in metas for m in pm["meta"] if m["type"] == "PERSON")
    print("PERSON by form:", ", ".join(f"{k} {v}" for k, v in person.most_common()))
    print("templates: " + ", ".join(f"{name} {len(pool)}" for name, pool in (
        ("PII_FR", PII_FR), ("PII_FR_LONG", PII_FR_LONG), ("CLEAN_FR", CLEAN_FR), ("CLEAN_FR_LONG", CLEAN_FR_LONG),
        ("PII_EN", PII_EN), ("PRESIDIO_PII_EN", PRESIDIO_PII_EN), ("PII_EN_LONG", PII_EN_LONG), ("CLEAN_EN", CLEAN_EN),
        ("PRESIDIO_CLEAN_EN", PRESIDIO_CLEAN_EN), ("CLEAN_EN_LONG", CLEAN_EN_LONG))))
    print(f"self-check passed (phonenumbers' matcher, leniency VALID, sees {sum(phone_hits.values())} phone-like strings outside the labels)")
    if "-v" in sys.argv:
        for (raw, region), c in phone_hits.most_common():
            print(f"   {region} {raw!r} x{c}")


if __name__ == "__main__":
    main()
