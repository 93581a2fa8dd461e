#!/usr/bin/env python3
"""netwatch report and export benchmark, driven by scripts/bench-netwatch-reports.

Against a running server: uploads N synthetic alerts through the agent API (200 per batch,
explanations that add up), renders REPORTS NIS2 and GDPR PDFs over HTTP, reads each render's
server-side time from the audit log (report.* entries carry render_ms), then times
GET /tenant/export and checks the ZIP against its manifest. Prints one table.
"""
import hashlib
import io
import json
import statistics
import sys
import time
import urllib.request
import zipfile

base, agent_key, user_email, password, n_alerts, n_reports = sys.argv[1:7]
n_alerts, n_reports = int(n_alerts), int(n_reports)


def call(method, path, body=None, token=None, raw=False):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=600) as r:
        payload = r.read()
        return payload if raw else json.loads(payload)


agent = call("POST", "/api/v1/agents/auth", {"license_key": agent_key, "agent_id": "bench-01",
             "hostname": "bench-01", "os_type": "linux", "agent_version": "0.1.0"})["access_token"]
user = call("POST", "/auth/v1/token?grant_type=password", {"email": user_email, "password": password})["access_token"]

RULES = [("PORT_SCAN", "TCP", 22), ("C2_BEACON", "TCP", 4444), ("DNS_TUNNELING", "UDP", 53),
         ("DATA_EXFILTRATION", "TCP", 443), ("BRUTE_FORCE", "TCP", 22)]
FEATURES = ["failed_first_contacts", "unique_dst_ports", "unique_dst_hosts", "beacon_score", "bytes_out",
            "producer_consumer_ratio", "dns_max_name_len", "dns_names_per_domain", "auth_failures",
            "half_open_ratio", "peak_syn_rate", "new_admin_pairs", "ot_writes", "ai_endpoint_hits",
            "payload_anomalies", "off_hours", "trw_llr"]


def detection(i, now):
    rule, proto, port = RULES[i % len(RULES)]
    contributions = [((j * 37 + i) % 100 - 50) / 2000.0 for j in range(len(FEATURES))]
    logit_contributions = [c * 4.0 for c in contributions]
    base_value, base_logit = 0.3, -0.85
    score = base_value
    for c in contributions:
        score += c
    logit = base_logit
    for c in logit_contributions:
        logit += c
    ts = now - (i % (30 * 86400))
    return {"upload_id": f"bench-{i}", "rule": rule, "source_ip": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
            "dest_ip": "203.0.113.7", "port": port, "protocol": proto, "first_seen": ts - 60.0, "ts": float(ts),
            "summary": f"synthetic {rule} #{i}", "evidence": {"packets": 100 + i % 50, "bytes_out": 1000 * (i % 97)},
            "thresholds": {"min": 1.0},
            "explanation": {"model_version": "bench", "base_value": base_value, "base_logit": base_logit,
                            "logit": logit, "score": score,
                            "features": [{"name": f, "value": 1.0, "reference": 0.5, "weight": 0.1,
                                          "logit_contribution": lc, "contribution": c}
                                         for f, c, lc in zip(FEATURES, contributions, logit_contributions)]}}


now = int(time.time())
t0 = time.perf_counter()
for start in range(0, n_alerts, 200):
    batch = [detection(i, now) for i in range(start, min(start + 200, n_alerts))]
    call("POST", "/api/v1/agents/detections", {"detections": batch}, agent)
seed_s = time.perf_counter() - t0

alert_id = call("GET", "/api/v1/alerts/?limit=1", token=user)["alerts"][0]["id"]
http_ms = []
for i in range(n_reports):
    kind = "nis2" if i % 2 == 0 else "gdpr"
    t = time.perf_counter()
    pdf = call("POST", f"/api/v1/reports/{kind}", {"alert_id": alert_id}, user, raw=True)
    http_ms.append((time.perf_counter() - t) * 1000)
    assert pdf.startswith(b"%PDF-")
render = {"nis2": [], "gdpr": []}
offset = 0
while True:
    page = call("GET", f"/api/v1/settings/audit-log?limit=100&offset={offset}", token=user)["entries"]
    if not page:
        break
    offset += len(page)
    for e in page:
        if e["action"] in ("report.nis2", "report.gdpr"):
            render[e["action"][7:]].append(e["details"]["render_ms"])

t = time.perf_counter()
archive = call("GET", "/api/v1/tenant/export", token=user, raw=True)
export_s = time.perf_counter() - t
z = zipfile.ZipFile(io.BytesIO(archive))
manifest = json.loads(z.read("manifest.json"))
for f in manifest["files"]:
    assert hashlib.sha256(z.read(f["name"])).hexdigest() == f["sha256"], f["name"]
assert manifest["counts"]["alerts"] == n_alerts, manifest["counts"]


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


print(f"seeded {n_alerts} alerts through the agent API in {seed_s:.1f} s")
print(f"{'measure':<48} {'p50':>10} {'p99':>10}   target / anchor")
for kind in ("nis2", "gdpr"):
    v = render[kind]
    print(f"{kind.upper() + ' render (server, ' + str(len(v)) + ' reports)':<48} {pct(v, .5):>8.1f}ms {pct(v, .99):>8.1f}ms   < 100 ms (Typst prototype: 30 ms)")
print(f"{'report over HTTP (' + str(len(http_ms)) + ', both kinds)':<48} {pct(http_ms, .5):>8.1f}ms {pct(http_ms, .99):>8.1f}ms   each report < 1 s (notes §6)")
print(f"{'export of ' + str(n_alerts) + ' alerts (' + str(len(archive) // 1_000_000) + ' MB ZIP, hashes checked)':<48} {export_s:>9.2f}s {'':>10}   < 5 s")
