//! NIS2 Art. 23 and GDPR Art. 33 reports: the data a template prints for one alert (facts the
//! sensors observed, deadlines counted from awareness, the SHAP explanation as a table, the
//! proof-trail head), and the typesetting of it. Pure apart from rendering.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Months, Utc};
use documents::pdf::{RenderError, Typesetter};
use proof::trail::TrailEntry;
use serde_json::{json, Value};

use crate::model::{AgentRow, AlertRow, ComplianceSettings};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Nis2,
    Gdpr,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Nis2 => "nis2",
            ReportKind::Gdpr => "gdpr",
        }
    }

    fn template(self) -> &'static str {
        match self {
            ReportKind::Nis2 => "nis2.typ",
            ReportKind::Gdpr => "gdpr.typ",
        }
    }
}

/// What one report is built from.
pub struct ReportInput<'a> {
    pub kind: ReportKind,
    pub report_id: uuid::Uuid,
    pub now: DateTime<Utc>,
    pub tenant_name: &'a str,
    pub settings: &'a ComplianceSettings,
    pub alert: &'a AlertRow,
    pub device: Option<&'a AgentRow>,
    pub trail: &'a [TrailEntry],
    pub key_id: String,
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn unix(secs: f64) -> String {
    DateTime::from_timestamp(secs.floor() as i64, 0).map_or_else(|| secs.to_string(), utc)
}

/// "21 h 14 min left", "3 d 2 h left", or "overdue by 5 h 2 min".
pub fn time_left(due: DateTime<Utc>, now: DateTime<Utc>) -> (String, bool) {
    let (span, overdue) = if due >= now {
        (due - now, false)
    } else {
        (now - due, true)
    };
    let mins = span.num_minutes();
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    let text = if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else {
        format!("{m} min")
    };
    if overdue {
        (format!("overdue by {text}"), true)
    } else {
        (format!("{text} left"), false)
    }
}

/// The deadlines of a report, counted from `aware`.
pub fn deadlines(kind: ReportKind, aware: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Value> {
    let stage = |stage: &str, basis: &str, due: DateTime<Utc>| {
        let (left, overdue) = time_left(due, now);
        json!({"stage": stage, "basis": basis, "due": utc(due), "due_at": due, "left": left, "overdue": overdue})
    };
    match kind {
        ReportKind::Nis2 => {
            let notification = aware + Duration::hours(72);
            let final_report = notification
                .checked_add_months(Months::new(1))
                .unwrap_or(notification);
            vec![
                stage(
                    "Early warning",
                    "Art. 23(4)(a): 24 h",
                    aware + Duration::hours(24),
                ),
                stage("Incident notification", "Art. 23(4)(b): 72 h", notification),
                stage(
                    "Final report",
                    "Art. 23(4)(d): 1 month after (b)",
                    final_report,
                ),
            ]
        }
        ReportKind::Gdpr => vec![stage(
            "Notification to the supervisory authority",
            "Art. 33(1): 72 h",
            aware + Duration::hours(72),
        )],
    }
}

/// The catalogue's name of a rule.
pub fn rule_title(rule: &str) -> &'static str {
    match rule {
        "PORT_SCAN" => "Port scan",
        "BRUTE_FORCE" => "Brute force",
        "C2_BEACON" => "C2 beacon",
        "DNS_TUNNELING" => "DNS tunneling",
        "DATA_EXFILTRATION" => "Data exfiltration",
        "LATERAL_MOVEMENT" => "Lateral movement",
        "SHADOW_AI" => "Shadow AI",
        "NEW_DEVICE" => "New device",
        "SYN_FLOOD" => "SYN flood",
        "OT_ICS_UNAUTHORIZED_WRITE" => "OT/ICS unauthorized write",
        "ANOMALOUS_PAYLOAD" => "Anomalous payload",
        _ => "Detection",
    }
}

fn malicious_hint(rule: &str) -> &'static str {
    match rule {
        "NEW_DEVICE" | "SHADOW_AI" => {
            "Not necessarily: the pattern is also produced by legitimate use."
        }
        _ => "Suspected: the observed pattern is typical of hostile activity.",
    }
}

/// GDPR: the breach type, and its likely consequences, a detection suggests.
fn gdpr_assessment(rule: &str) -> (&'static str, &'static str) {
    match rule {
        "DATA_EXFILTRATION" | "DNS_TUNNELING" | "C2_BEACON" => ("Confidentiality breach (data possibly disclosed to an unauthorised party)",
            "Personal data on the affected device may have been copied out of the network by a remote party."),
        "OT_ICS_UNAUTHORIZED_WRITE" | "ANOMALOUS_PAYLOAD" => ("Integrity breach (data or control values possibly altered)",
            "Data or process values on the affected systems may have been altered without authorisation."),
        "SYN_FLOOD" => ("Availability breach (data possibly inaccessible)",
            "Services holding personal data may have been unavailable for the duration of the flood."),
        "BRUTE_FORCE" | "LATERAL_MOVEMENT" | "PORT_SCAN" => ("Possible confidentiality breach (unauthorised access attempted)",
            "If an attempt succeeded, an intruder could read personal data held on the targeted hosts."),
        _ => ("Possible confidentiality breach", "Personal data may have been exposed to an unauthorised service or device."),
    }
}

/// A JSON value as short readable text: numbers rounded, objects as "key value, …".
fn readable(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(0.0);
            format!("{x:.3}")
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .take(12)
                .map(|(k, v)| format!("{} {}", k.replace('_', " "), readable(v)))
                .collect();
            parts.join(", ")
        }
        Value::Array(items) => format!("{} items", items.len()),
        other => other.to_string(),
    }
}

fn evidence_rows(evidence: &Value) -> Vec<Value> {
    let Some(map) = evidence.as_object() else {
        return vec![];
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .take(20)
        .map(|(k, v)| {
            let text = match v {
                Value::Array(items) if items.iter().all(|i| !i.is_object()) => items
                    .iter()
                    .take(12)
                    .map(readable)
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Array(items) => format!("{} items (see the proof trail)", items.len()),
                other => readable(other),
            };
            json!({"name": k.replace('_', " "), "value": text})
        })
        .collect()
}

fn bytes_observed(evidence: &Value) -> Option<u64> {
    ["bytes_out", "bytes", "total_bytes"]
        .iter()
        .find_map(|k| evidence.get(*k).and_then(Value::as_u64))
}

fn number(v: &Value, digits: usize) -> String {
    v.as_f64()
        .map_or_else(|| "—".into(), |x| format!("{x:.digits$}"))
}

/// The template's data for one report.
pub fn report_data(r: &ReportInput<'_>) -> Value {
    let a = r.alert;
    let s = r.settings;
    let evidence: Value = serde_json::from_str(&a.evidence).unwrap_or(Value::Null);
    let shap: Value = serde_json::from_str(&a.shap_json).unwrap_or(Value::Null);
    let mut features: Vec<&Value> = shap["features"]
        .as_array()
        .map(|f| f.iter().collect())
        .unwrap_or_default();
    features.sort_by(|x, y| {
        let c = |v: &Value| v["contribution"].as_f64().unwrap_or(0.0).abs();
        c(y).total_cmp(&c(x))
    });
    let features: Vec<Value> = features
        .iter()
        .map(|f| {
            let c = f["contribution"].as_f64().unwrap_or(0.0);
            json!({"name": f["name"].as_str().unwrap_or("?").replace('_', " "), "value": number(&f["value"], 3),
                   "reference": number(&f["reference"], 3), "contribution": format!("{c:+.4}")})
        })
        .collect();
    let device = r.device.map_or_else(
        || format!("device {}", a.agent),
        |d| {
            format!(
                "{} (agent {}, {}, last address {})",
                d.hostname,
                d.agent_id,
                d.os_type,
                d.last_ip.as_deref().unwrap_or("unknown")
            )
        },
    );
    let mut iocs = vec![json!({"kind": "Source address", "value": a.source_ip})];
    if let Some(dest) = &a.dest_ip {
        iocs.push(json!({"kind": "Destination address", "value": dest}));
    }
    if let Some(port) = a.port {
        iocs.push(json!({"kind": "Destination port", "value": format!("{port}/{}", a.protocol)}));
    }
    iocs.push(json!({"kind": "Protocol", "value": a.protocol}));
    iocs.push(json!({"kind": "Detection rule", "value": a.rule_name}));
    iocs.push(json!({"kind": "MITRE ATT&CK technique", "value": a.mitre}));
    for key in [
        "domain",
        "registered_domain",
        "server_name",
        "sni",
        "query_sample",
    ] {
        if let Some(v) = evidence.get(key).and_then(Value::as_str) {
            iocs.push(json!({"kind": key.replace('_', " "), "value": v}));
        }
    }
    let triage: Vec<Value> = r
        .trail
        .iter()
        .filter(|e| e.kind == "triage")
        .map(|e| json!({"at": e.recorded_at.get(..16).unwrap_or(&e.recorded_at).replace('T', " "), "by": e.data["by"],
                        "status": e.data["status"], "notes": e.data["notes"]}))
        .collect();
    let (breach_type, consequences) = gdpr_assessment(&a.rule_name);
    let volume = bytes_observed(&evidence).map_or_else(
        || "No byte count was recorded for this detection.".to_string(),
        |b| {
            format!(
                "{b} bytes ({:.1} MB) observed leaving the device in the detection window",
                b as f64 / 1e6
            )
        },
    );
    let entity_name = s
        .entity_name
        .clone()
        .unwrap_or_else(|| r.tenant_name.to_string());
    json!({
        "kind": r.kind.as_str(),
        "report_id": r.report_id,
        "generated_at": utc(r.now),
        "entity": {"display_name": entity_name, "name": s.entity_name.clone().unwrap_or_else(|| r.tenant_name.to_string()),
                   "entity_type": s.entity_type, "sector": s.sector, "member_state": s.member_state,
                   "csirt_contact": s.csirt_contact, "dpo_contact": s.dpo_contact},
        "alert": {"id": a.id, "rule": a.rule_name, "rule_title": rule_title(&a.rule_name), "mitre": a.mitre,
                  "summary": a.summary, "severity": a.severity, "score": format!("{:.3}", a.score), "status": a.status,
                  "first_seen": unix(a.first_seen), "detected_at": unix(a.ts as f64),
                  "malicious_hint": malicious_hint(&a.rule_name), "device": device},
        "aware_at": utc(a.created_at),
        "deadlines": deadlines(r.kind, a.created_at, r.now),
        "iocs": iocs,
        "evidence": evidence_rows(&evidence),
        "explanation": {"score": format!("{:.4}", shap["score"].as_f64().unwrap_or(a.score)),
                        "base_value": format!("{:+.4}", shap["base_value"].as_f64().unwrap_or(0.0)), "features": features},
        "triage": triage,
        "trail": {"trace_id": a.trace_id, "entries": r.trail.len(),
                  "head_hash": r.trail.last().map_or("", |e| e.hash.as_str()), "key_id": r.key_id},
        "gdpr": {"breach_type": breach_type, "consequences": consequences, "volume": volume},
    })
}

fn typesetter() -> &'static Typesetter {
    static TYPESETTER: OnceLock<Typesetter> = OnceLock::new();
    TYPESETTER.get_or_init(|| {
        Typesetter::new(&[
            ("common.typ", include_str!("../templates/common.typ")),
            ("nis2.typ", include_str!("../templates/nis2.typ")),
            ("gdpr.typ", include_str!("../templates/gdpr.typ")),
        ])
    })
}

/// Typesets a report (CPU-bound: call it off the async runtime).
pub fn render(kind: ReportKind, data: &Value) -> Result<Vec<u8>, RenderError> {
    typesetter().render(kind.template(), data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_count_from_awareness() {
        let aware = DateTime::parse_from_rfc3339("2026-03-31T16:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let now = aware + Duration::hours(30);
        let d = deadlines(ReportKind::Nis2, aware, now);
        assert_eq!(d[0]["due"], "2026-04-01 16:00 UTC");
        assert_eq!(d[0]["overdue"], true);
        assert_eq!(d[0]["left"], "overdue by 6 h 0 min");
        assert_eq!(d[1]["due"], "2026-04-03 16:00 UTC");
        assert_eq!(d[1]["left"], "1 d 18 h left");
        assert_eq!(d[2]["due"], "2026-05-03 16:00 UTC");
        let g = deadlines(ReportKind::Gdpr, aware, now);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0]["due"], "2026-04-03 16:00 UTC");
    }

    fn sample_alert(now: DateTime<Utc>) -> AlertRow {
        AlertRow {
            id: uuid::Uuid::new_v4(),
            tenant_id: uuid::Uuid::new_v4(),
            agent: uuid::Uuid::new_v4(),
            upload_id: "u1".into(),
            trace_id: uuid::Uuid::new_v4(),
            rule_name: "C2_BEACON".into(),
            severity: "CRITICAL".into(),
            source_ip: "10.200.0.2".into(),
            dest_ip: Some("203.0.113.9".into()),
            port: Some(4444),
            protocol: "TCP".into(),
            score: 0.87,
            ts: now.timestamp(),
            first_seen: (now.timestamp() - 600) as f64,
            status: "open".into(),
            notes: None,
            summary: "Periodic connections every 60 s # with *markup* chars_ $x$ @ref <b>".into(),
            mitre: "T1071".into(),
            evidence: r#"{"connections": 42, "interval_secs": 60.1, "series": [{"t": 1}], "domain": "evil.example"}"#.into(),
            thresholds: "{}".into(),
            shap_json: r#"{"base_value": -0.35, "score": 0.87, "features": [{"name": "interval_regularity", "value": 0.98, "reference": 0.2, "contribution": 0.42},
                {"name": "bytes_out", "value": 1200.0, "reference": 300.0, "contribution": 0.8}]}"#.into(),
            created_at: now,
            updated_at: now,
            triaged_at: None,
            resolved_at: None,
            self_test: false,
        }
    }

    #[test]
    fn both_reports_typeset_with_markup_in_the_data_and_missing_settings() {
        let now = Utc::now();
        let alert = sample_alert(now);
        let trail: Vec<TrailEntry> = (0..40)
            .map(|i| TrailEntry {
                seq: i,
                kind: if i < 5 { "input".into() } else { "triage".into() },
                recorded_at: "2026-12-01T10:00:00.000000Z".into(),
                data: json!({"status": "reviewed", "notes": format!("note {i} [x] #y"), "by": "ana@acme.test"}),
                canonical: "{}".into(),
                prev_hash: "0".repeat(64),
                hash: "ab".repeat(32),
            })
            .collect();
        for kind in [ReportKind::Nis2, ReportKind::Gdpr] {
            let data = report_data(&ReportInput {
                kind,
                report_id: uuid::Uuid::new_v4(),
                now,
                tenant_name: "acme",
                settings: &ComplianceSettings::default(),
                alert: &alert,
                device: None,
                trail: &trail,
                key_id: "k1".into(),
            });
            let pdf = render(kind, &data).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(pdf.starts_with(b"%PDF-"));
        }
    }

    #[test]
    fn time_left_reads_naturally() {
        let now = Utc::now();
        assert_eq!(
            time_left(now + Duration::minutes(75), now).0,
            "1 h 15 min left"
        );
        assert_eq!(time_left(now + Duration::minutes(5), now).0, "5 min left");
        assert_eq!(
            time_left(now - Duration::days(2), now),
            ("overdue by 2 d 0 h".into(), true)
        );
    }
}
