"""Builds the labeled FR/EN prompt set for scripts/bench-pii, reproducibly (Faker, fixed seed).

Each prompt: {"text", "lang", "split", "entities": [[type, start, end], ...]} with character
offsets. About 35% of prompts carry no PII at all (with hard negatives: capitalised words,
places, numbers, versions, imperatives such as "Traduis"). Templates alternate between a "dev"
and a "heldout" split; the engine was not tuned on either (they were written after it), and the
report gives held-out figures separately."""
import random
import string

from faker import Faker
import phonenumbers
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

SEED = 20261123

FR = [
    "Peux-tu écrire un mail à {PERSON} pour confirmer le rendez-vous de jeudi ?",
    "Mon adresse est {EMAIL}, envoie-moi le compte rendu.",
    "Rappelle {PERSON} au {PHONE} avant midi.",
    "Voici mon IBAN {IBAN} pour le remboursement des frais.",
    "Le client {PERSON} a payé avec la carte {CREDIT_CARD}, vérifie la transaction.",
    "Numéro de sécurité sociale de l'assuré : {FR_NIR}",
    "Rédige une relance pour la société SIRET {FR_SIRET} concernant la facture impayée.",
    "L'entreprise immatriculée sous le SIREN {FR_SIREN} doit mettre à jour son Kbis.",
    "Le serveur {IP_ADDRESS} ne répond plus depuis ce matin, que faire ?",
    "Corrige ce script : export STRIPE_KEY={API_KEY}",
    "Résume le dossier de {PERSON} : {MEDICAL} diagnostiqué en mars.",
    "Explique l'{LEGAL_REF} à un salarié en termes simples.",
    "Contacte {PERSON} ({EMAIL}, {PHONE}) pour le devis.",
    "Envoie le contrat signé par {PERSON} à {EMAIL}.",
    "Mon collègue {PERSON} souffre de {MEDICAL}, comment adapter son poste ?",
    "Traduis en anglais : « Bonjour {PERSON}, votre carte {CREDIT_CARD} a expiré. »",
    "Prépare un virement vers {IBAN} au nom de {PERSON}.",
    "Le token {API_KEY} a fuité dans le dépôt, comment le révoquer ?",
    "Analyse ces journaux : connexion refusée depuis {IP_ADDRESS} pour l'utilisateur {EMAIL}.",
    "Écris une lettre de recommandation pour {PERSON}.",
]
EN = [
    "Can you draft an email to {PERSON} about Thursday's meeting?",
    "My email is {EMAIL}, please send me the notes.",
    "Call {PERSON} back at {PHONE} before noon.",
    "Refund the customer using IBAN {IBAN}.",
    "The payment from {PERSON} with card {CREDIT_CARD} failed, why?",
    "Server {IP_ADDRESS} keeps dropping connections, how do I debug it?",
    "Fix this config: AWS_SECRET={API_KEY}",
    "Summarize {PERSON}'s file: {MEDICAL} diagnosed last year.",
    "Reach {PERSON} at {EMAIL} or {PHONE} for the quote.",
    "Write a reference letter for {PERSON}.",
    "My manager {PERSON} asked me to forward {EMAIL} the invoice.",
    "The key {API_KEY} was committed by mistake, how do I rotate it?",
    "Our patient {PERSON} has {MEDICAL}; draft a care plan.",
    "Wire the deposit to {IBAN} for {PERSON}.",
    "Block traffic from {IP_ADDRESS} and notify {EMAIL}.",
    "Thank {PERSON} for the card {CREDIT_CARD} update.",
]
CLEAN_FR = [
    "Traduis ce paragraphe en anglais en gardant un ton formel.",
    "Résume cet article sur la transition énergétique en cinq points.",
    "Quelle est la différence entre Python 3.12 et Python 3.13 ?",
    "Propose un plan de formation Excel pour une équipe de 12 personnes.",
    "Écris un poème sur {CITY} au printemps.",
    "Combien coûte un aller-retour Paris-{CITY} en TGV en moyenne ?",
    "Explique le fonctionnement de Kubernetes à un débutant.",
    "Rédige une annonce pour un poste de développeur Rust à {CITY}.",
    "Corrige l'orthographe : « Les résultats du trimestre sont encourageant. »",
    "Donne-moi une recette de tarte aux pommes pour 6 personnes.",
    "Liste les avantages du télétravail pour une PME de {N} salariés.",
    "Compare PostgreSQL et SQLite pour une application mobile.",
    "Génère un tableau des ventes de janvier à juin avec des totaux.",
    "Quels sont les horaires d'ouverture habituels des banques en France ?",
    "Fais une synthèse de la réunion du comité de direction du {N} mars.",
]
CLEAN_EN = [
    "Translate this paragraph into French, keeping a formal tone.",
    "Summarize this article on renewable energy in five bullet points.",
    "What changed between React 18 and React 19?",
    "Write a haiku about {CITY} in autumn.",
    "Explain how Kubernetes schedules pods to a beginner.",
    "Draft a job ad for a Rust developer in {CITY}.",
    "Give me a weekly workout plan for {N} days a week.",
    "Compare PostgreSQL and SQLite for a mobile app.",
    "Create a sales table from January to June with totals.",
    "What is the capital gains tax rate in the United States?",
    "Plan a three-day trip to {CITY} with a budget of {N}00 dollars.",
    "Rewrite this sentence to sound more confident: I think we could maybe ship on Friday.",
]
MEDICAL_FR = ["diabète de type 2", "asthme", "dépression", "cancer du sein", "épilepsie", "sclérose en plaques", "hypertension"]
MEDICAL_EN = ["type 2 diabetes", "asthma", "depression", "breast cancer", "epilepsy", "multiple sclerosis", "heart failure"]
# Real cities (Faker's synthetic ones are often bare surnames such as "Bonnet", which no prompt
# would use as a place).
CITIES_FR = ["Lyon", "Marseille", "Bordeaux", "Toulouse", "Nantes", "Strasbourg", "Lille", "Rennes", "Montpellier",
             "Grenoble", "Nice", "Saint-Étienne", "Saint-Malo", "Annecy", "Biarritz", "Dijon", "Rouen", "Brest"]
CITIES_EN = ["Boston", "Chicago", "Seattle", "Denver", "Austin", "San Francisco", "New York", "Los Angeles",
             "Portland", "Miami", "Atlanta", "San Diego", "New Orleans", "Philadelphia", "Nashville", "Salt Lake City"]
LEGAL = ["article L. 1234-5 du Code du travail", "article 1240 du Code civil", "article L. 121-1 du Code de la consommation"]


def api_key(rng):
    alnum = string.ascii_letters + string.digits
    kind = rng.choice(["ghp", "aws", "stripe", "openai", "slack"])
    if kind == "ghp":
        return "ghp_" + "".join(rng.choice(alnum) for _ in range(36))
    if kind == "aws":
        return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    if kind == "stripe":
        return "sk_live_" + "".join(rng.choice(alnum) for _ in range(24))
    if kind == "openai":
        return "sk-proj-" + "".join(rng.choice(alnum) for _ in range(48))
    return "xoxb-" + "-".join("".join(rng.choice(string.digits) for _ in range(n)) for n in (11, 13)) + "-" + "".join(rng.choice(alnum) for _ in range(24))


def nir(rng):
    while True:
        body = f"{rng.choice('12')}{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 95):02d}{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
        key = 97 - int(body) % 97
        value = f"{body}{key:02d}"
        if stdnum_nir.is_valid(value):
            return f"{value[0]} {value[1:3]} {value[3:5]} {value[5:7]} {value[7:10]} {value[10:13]} {value[13:]}"


def siren(rng):
    body = "".join(rng.choice(string.digits) for _ in range(8))
    return body + luhn.calc_check_digit(body)


def siret(rng):
    body = siren(rng) + "".join(rng.choice(string.digits) for _ in range(4))
    value = body + luhn.calc_check_digit(body)
    return f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}"


def phone(fake, rng, lang):
    region = "FR" if lang == "fr" else "US"
    while True:
        raw = fake.phone_number()
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed) and "x" not in raw.lower():
            return raw


def value(kind, fake, rng, lang):
    if kind == "PERSON":
        return f"{fake.first_name()} {fake.last_name()}"
    if kind == "EMAIL":
        return fake.free_email() if rng.random() < 0.5 else fake.company_email()
    if kind == "PHONE":
        return phone(fake, rng, lang)
    if kind == "IBAN":
        iban = fake.iban()
        return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if rng.random() < 0.5 else iban
    if kind == "CREDIT_CARD":
        card = fake.credit_card_number(card_type=rng.choice(["visa16", "mastercard", "amex"]))
        return " ".join(card[i:i + 4] for i in range(0, len(card), 4)) if rng.random() < 0.5 and len(card) == 16 else card
    if kind == "IP_ADDRESS":
        return fake.ipv4_public() if rng.random() < 0.8 else fake.ipv6()
    if kind == "FR_NIR":
        return nir(rng)
    if kind == "FR_SIREN":
        return siren(rng)
    if kind == "FR_SIRET":
        return siret(rng)
    if kind == "API_KEY":
        return api_key(rng)
    if kind == "MEDICAL":
        return rng.choice(MEDICAL_FR if lang == "fr" else MEDICAL_EN)
    if kind == "LEGAL_REF":
        return rng.choice(LEGAL)
    raise ValueError(kind)


def fill(template, fake, rng, lang):
    text, entities, pos = "", [], 0
    while True:
        start = template.find("{", pos)
        if start < 0:
            text += template[pos:]
            return text, entities
        end = template.index("}", start)
        text += template[pos:start]
        slot = template[start + 1:end]
        if slot == "CITY":
            text += rng.choice(CITIES_FR if lang == "fr" else CITIES_EN)
        elif slot == "N":
            text += str(rng.randint(2, 40))
        else:
            v = value(slot, fake, rng, lang)
            entities.append([slot, len(text), len(text) + len(v)])
            text += v
        pos = end + 1


def generate(n=1000, clean_share=0.35, fr_share=0.6):
    rng = random.Random(SEED)
    fakes = {"fr": Faker("fr_FR"), "en": Faker("en_US")}
    for lang, fake in fakes.items():
        fake.seed_instance(SEED + (1 if lang == "fr" else 2))
    prompts = []
    for i in range(n):
        lang = "fr" if rng.random() < fr_share else "en"
        clean = rng.random() < clean_share
        pool = (CLEAN_FR if lang == "fr" else CLEAN_EN) if clean else (FR if lang == "fr" else EN)
        index = rng.randrange(len(pool))
        text, entities = fill(pool[index], fakes[lang], rng, lang)
        prompts.append({"text": text, "lang": lang, "split": "dev" if index % 2 == 0 else "heldout", "entities": entities})
    return prompts
