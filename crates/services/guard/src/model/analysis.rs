//! From a validated submission to a stored interaction: server classification of the text,
//! merge with what the client found, masking, risk, and the policy decision.

use pii::PiiType;
use serde_json::{Map, Value};

use super::evaluate::{decide, Candidate, Decision, Facts};
use super::interaction::{ClientClassification, NewInteraction, StoredClassification};

/// What the server concluded about one submission.
pub struct Analysis {
    pub classifications: Vec<StoredClassification>,
    pub risk_score: f64,
    pub decision: Decision,
    pub metadata: Value,
}

fn chars_between(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Masks a client-reported value: with the type's own mask when the type is known, else all
/// but the first character.
fn mask_client_value(kind: &str, value: &str) -> String {
    match PiiType::from_name(kind) {
        Some(t) => pii::mask(t, value),
        None => value
            .chars()
            .enumerate()
            .map(|(i, c)| if i == 0 || c.is_whitespace() { c } else { '*' })
            .collect(),
    }
}

fn overlaps(a: &StoredClassification, c: &ClientClassification) -> bool {
    match (a.start, a.end, c.start, c.end) {
        (Some(s1), Some(e1), Some(s2), Some(e2)) => s1 < e2 && s2 < e1,
        _ => false,
    }
}

/// Server findings first; a client finding of the same type over the same characters (or with
/// the same masked value) is the same finding and is not repeated.
fn merge(text: Option<&str>, client: &[ClientClassification]) -> Vec<StoredClassification> {
    let mut merged: Vec<StoredClassification> = text
        .map(|text| {
            pii::detect(text)
                .into_iter()
                .map(|f| StoredClassification {
                    kind: f.kind.as_str().to_string(),
                    value: pii::mask(f.kind, &chars_between(text, f.start, f.end)),
                    score: f64::from(f.score),
                    start: Some(f.start),
                    end: Some(f.end),
                    tier: Some(f.tier.number()),
                    source: "server".into(),
                })
                .collect()
        })
        .unwrap_or_default();
    let server_count = merged.len();
    for c in client {
        let kind = match PiiType::from_name(&c.kind) {
            Some(t) => t.as_str().to_string(),
            None => c.kind.clone(),
        };
        let value = mask_client_value(&kind, c.value.as_deref().unwrap_or(""));
        let duplicate = merged[..server_count]
            .iter()
            .any(|s| s.kind == kind && (overlaps(s, c) || (!value.is_empty() && s.value == value)));
        if !duplicate {
            merged.push(StoredClassification {
                kind,
                value,
                score: c.score,
                start: c.start,
                end: c.end,
                tier: None,
                source: "client".into(),
            });
        }
    }
    merged
}

/// Noisy-OR risk over the merged findings (pii::risk's formula; unknown client types weigh 0.5).
fn risk_of(classifications: &[StoredClassification]) -> f64 {
    let safe: f64 = classifications
        .iter()
        .map(|c| {
            let weight = PiiType::from_name(&c.kind).map_or(0.5, pii::risk::weight);
            1.0 - weight * c.score.clamp(0.0, 1.0)
        })
        .product();
    ((1.0 - safe) * 1000.0).round() / 1000.0
}

/// String values of the metadata with any PII in them masked (URLs with emails in the query…).
fn redact_metadata(metadata: Option<&Map<String, Value>>) -> Value {
    fn walk(v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(pii::redact(s, &pii::detect(s))),
            Value::Array(items) => Value::Array(items.iter().map(walk).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(v))).collect())
            }
            other => other.clone(),
        }
    }
    metadata.map_or(Value::Object(Map::new()), |m| {
        walk(&Value::Object(m.clone()))
    })
}

pub fn analyse(req: &NewInteraction, text: Option<&str>, policies: &[Candidate]) -> Analysis {
    let classifications = merge(text, &req.classifications);
    let risk_score = risk_of(&classifications).max(req.risk_score);
    let types: Vec<&str> = classifications.iter().map(|c| c.kind.as_str()).collect();
    let facts = Facts {
        platform_id: &req.platform_id,
        risk_score,
        classification_count: classifications.len(),
        classification_types: types,
        source: &req.source,
        direction: &req.direction,
        user_id: req.user_id,
    };
    let decision = decide(policies, &facts);
    Analysis {
        metadata: redact_metadata(req.content_metadata.as_ref()),
        classifications,
        risk_score,
        decision,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn submission(body: Value) -> (NewInteraction, Option<String>) {
        let mut req: NewInteraction = serde_json::from_value(body).unwrap();
        let text = req.validate().unwrap();
        (req, text)
    }

    #[test]
    fn server_and_client_findings_merge_without_repeats_and_values_are_masked() {
        let text = "Mail alice@acme.fr, carte 4111 1111 1111 1111";
        let (req, text) = submission(json!({
            "platform_id": "ChatGPT",
            "content_hash": crate::model::interaction::sha256_hex(text),
            "content_metadata": { "text": text, "url": "https://chat.openai.com/?u=bob@corp.example.com" },
            "classifications": [
                { "type": "EMAIL", "value": "alice@acme.fr", "score": 0.98, "start": 5, "end": 18 },
                { "type": "SSN", "value": "123-45-6789", "score": 0.7 }
            ]
        }));
        let a = analyse(&req, text.as_deref(), &[]);
        let kinds: Vec<(&str, &str)> = a
            .classifications
            .iter()
            .map(|c| (c.kind.as_str(), c.source.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("EMAIL", "server"),
                ("CREDIT_CARD", "server"),
                ("SSN", "client")
            ]
        );
        let stored = serde_json::to_string(&a.classifications).unwrap() + &a.metadata.to_string();
        for raw in [
            "alice@acme.fr",
            "4111 1111 1111 1111",
            "123-45-6789",
            "bob@corp.example.com",
        ] {
            assert!(!stored.contains(raw), "{raw} leaked: {stored}");
        }
        assert_eq!(
            a.metadata["url"],
            "https://chat.openai.com/?u=b***@corp.example.com"
        );
        assert!(a.risk_score >= 0.9);
        assert_eq!(a.decision.action, "allow");
    }

    #[test]
    fn the_client_risk_is_a_floor() {
        let (req, _) = submission(json!({
            "platform_id": "claude", "content_hash": "a".repeat(64), "risk_score": 0.25 }));
        assert_eq!(analyse(&req, None, &[]).risk_score, 0.25);
    }
}
