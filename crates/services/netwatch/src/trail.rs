//! Decision traces: the proof-trail entries of an uploaded detection (input, features,
//! contributions, decision, output) and of each triage, and the installation's signing key.

use hmac::{Hmac, Mac};
use proof::trail::{next_entry, TrailEntry, TrailSigner};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::model::AlertRow;

/// The trail signing key: Ed25519 with a seed derived from the installation's master key, so
/// every node signs with the same key and nothing new has to be kept.
pub fn signer(master_key: &[u8; 32]) -> TrailSigner {
    let mut mac = Hmac::<Sha256>::new_from_slice(master_key).expect("any key length");
    mac.update(b"redoubt/netwatch/proof-trail/ed25519/v1");
    TrailSigner::from_seed(mac.finalize().into_bytes().into())
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The public face of an alert (the contract's fields), as the output entry records it.
pub fn alert_output(a: &AlertRow) -> Value {
    json!({
        "id": a.id, "severity": a.severity, "rule_name": a.rule_name, "source_ip": a.source_ip,
        "dest_ip": a.dest_ip, "port": a.port, "protocol": a.protocol, "score": a.score,
        "timestamp": a.ts, "status": a.status,
    })
}

/// The five entries recorded when an alert arrives.
pub fn initial_entries(
    a: &AlertRow,
    agent: Value,
    explanation: &netdetect::Explanation,
) -> Vec<TrailEntry> {
    let at = rfc3339(a.created_at);
    let evidence: Value = serde_json::from_str(&a.evidence).unwrap_or(Value::Null);
    let thresholds: Value = serde_json::from_str(&a.thresholds).unwrap_or(Value::Null);
    let input = json!({
        "trace_id": a.trace_id, "alert_id": a.id, "tenant_id": a.tenant_id, "agent": agent,
        "upload_id": a.upload_id, "first_seen": a.first_seen, "detected_at": a.ts, "evidence": evidence,
    });
    let features = json!({
        "model_version": explanation.model_version,
        "features": explanation.features.iter()
            .map(|f| json!({"name": f.name, "value": f.value, "reference": f.reference, "weight": f.weight}))
            .collect::<Vec<_>>(),
    });
    let contributions = json!({
        "base_value": explanation.base_value, "base_logit": explanation.base_logit,
        "contributions": explanation.features.iter()
            .map(|f| json!({"name": f.name, "logit_contribution": f.logit_contribution, "contribution": f.contribution}))
            .collect::<Vec<_>>(),
        "logit": explanation.logit, "score": explanation.score,
    });
    let decision = json!({
        "rule": a.rule_name, "severity": a.severity, "mitre": a.mitre, "thresholds": thresholds, "summary": a.summary,
    });
    let mut entries: Vec<TrailEntry> = Vec::with_capacity(5);
    for (kind, data) in [
        ("input", input),
        ("features", features),
        ("contributions", contributions),
        ("decision", decision),
        ("output", json!({"alert": alert_output(a)})),
    ] {
        let e = next_entry(entries.last(), kind, &at, data);
        entries.push(e);
    }
    entries
}

/// The entry a triage appends after `prev`.
pub fn triage_entry(
    prev: &TrailEntry,
    status: &str,
    notes: Option<&str>,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> TrailEntry {
    next_entry(
        Some(prev),
        "triage",
        &rfc3339(at),
        json!({"status": status, "notes": notes, "by": by}),
    )
}
