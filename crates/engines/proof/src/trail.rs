//! Proof trails: a decision's record as a list of entries, each canonicalised with RFC 8785
//! (JCS), chained with SHA-256 and the head signed with Ed25519.
//!
//! For entry n: `hash_n = hex(SHA-256(hash_{n-1} ‖ JCS({seq, kind, recorded_at, data})))`, with
//! `hash_0` = 64 zeros. The entry also carries that JCS text as `canonical`, so stock tools
//! (sha256sum, python hashlib) can recompute the chain without a JCS implementation; a verifier
//! checks that `canonical` is the JCS form of the entry. The signature is over the ASCII head hash.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::chain::GENESIS_HASH;

pub const TRAIL_VERSION: &str = "1.0";

/// One entry of a trail as stored and served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailEntry {
    pub seq: u64,
    pub kind: String,
    pub recorded_at: String,
    pub data: Value,
    pub canonical: String,
    pub prev_hash: String,
    pub hash: String,
}

/// RFC 8785 canonical text of a JSON value.
pub fn jcs(value: &Value) -> String {
    serde_json_canonicalizer::to_string(value).expect("a serde_json Value always canonicalises")
}

fn link(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// The entry after `prev` (None: the first): canonical form and hashes filled in.
pub fn next_entry(
    prev: Option<&TrailEntry>,
    kind: &str,
    recorded_at: &str,
    data: Value,
) -> TrailEntry {
    let seq = prev.map_or(1, |p| p.seq + 1);
    let prev_hash = prev.map_or(GENESIS_HASH.to_string(), |p| p.hash.clone());
    let canonical =
        jcs(&json!({"seq": seq, "kind": kind, "recorded_at": recorded_at, "data": data}));
    let hash = link(&prev_hash, &canonical);
    TrailEntry {
        seq,
        kind: kind.into(),
        recorded_at: recorded_at.into(),
        data,
        canonical,
        prev_hash,
        hash,
    }
}

/// A long-lived signing key (the service derives its seed from the installation's master key).
pub struct TrailSigner {
    key: SigningKey,
}

impl TrailSigner {
    pub fn from_seed(seed: [u8; 32]) -> TrailSigner {
        TrailSigner {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// `base64:<32-byte public key>`.
    pub fn public_key(&self) -> String {
        format!("base64:{}", B64.encode(self.key.verifying_key().as_bytes()))
    }

    /// First 16 hex digits of SHA-256 of the public key.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.key.verifying_key().as_bytes())[..8])
    }

    pub fn sign_head(&self, head_hash: &str) -> String {
        B64.encode(self.key.sign(head_hash.as_bytes()).to_bytes())
    }

    /// The trail document: entries, head, signature and the key to check it with.
    pub fn document(&self, header: Value, entries: &[TrailEntry]) -> Value {
        let head = entries
            .last()
            .map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
        let mut doc = header;
        doc["trail_version"] = json!(TRAIL_VERSION);
        doc["canonicalization"] = json!("RFC8785");
        doc["hash_algorithm"] = json!("sha256");
        doc["chain_rule"] = json!("hash_n = hex(sha256(hash_{n-1} || canonical_n)), hash_0 = 64 zeros; signature = Ed25519 over the ASCII head_hash");
        doc["entries"] = serde_json::to_value(entries).expect("entries serialise");
        doc["head_hash"] = json!(head);
        doc["signature"] = json!({
            "algorithm": "Ed25519",
            "key_id": self.key_id(),
            "public_key": self.public_key(),
            "value": self.sign_head(&head),
        });
        doc
    }
}

/// What an offline check found.
#[derive(Debug, Clone, Serialize)]
pub struct TrailVerification {
    pub valid: bool,
    pub entries: usize,
    pub head_hash: Option<String>,
    pub public_key: Option<String>,
    pub errors: Vec<String>,
}

/// Checks a trail document with nothing but its own contents: every entry's canonical form and
/// hash, the chain, the head, and the signature under the embedded public key. When
/// `expected_key` is given (the key the API serves), the embedded key must be it.
pub fn verify(doc: &Value, expected_key: Option<&str>) -> TrailVerification {
    let mut errors = Vec::new();
    let entries: Vec<TrailEntry> = match serde_json::from_value(doc["entries"].clone()) {
        Ok(e) => e,
        Err(e) => {
            return TrailVerification {
                valid: false,
                entries: 0,
                head_hash: None,
                public_key: None,
                errors: vec![format!("entries are not a list of trail entries: {e}")],
            };
        }
    };
    let mut prev = GENESIS_HASH.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected = jcs(
            &json!({"seq": e.seq, "kind": e.kind, "recorded_at": e.recorded_at, "data": e.data}),
        );
        if e.seq != i as u64 + 1 {
            errors.push(format!("entry {}: seq is {}", i + 1, e.seq));
        }
        if e.canonical != expected {
            errors.push(format!(
                "entry {}: canonical text is not the RFC 8785 form of the entry",
                i + 1
            ));
        }
        if e.prev_hash != prev {
            errors.push(format!(
                "entry {}: prev_hash does not match the previous entry's hash",
                i + 1
            ));
        }
        if link(&e.prev_hash, &e.canonical) != e.hash {
            errors.push(format!("entry {}: hash does not match its contents", i + 1));
        }
        prev = e.hash.clone();
    }
    let head = doc["head_hash"].as_str().map(str::to_string);
    if head.as_deref() != Some(prev.as_str()) {
        errors.push("head_hash is not the last entry's hash".into());
    }
    for (key, expected) in [
        ("trail_version", TRAIL_VERSION),
        ("canonicalization", "RFC8785"),
        ("hash_algorithm", "sha256"),
    ] {
        if doc[key] != expected {
            errors.push(format!("{key} must be {expected}"));
        }
    }
    // Header ids the first entry also records must agree with it (the entry is what is signed).
    if let Some(first) = entries.first() {
        for key in ["trace_id", "alert_id", "tenant_id"] {
            if let Some(recorded) = first.data.get(key) {
                if doc.get(key) != Some(recorded) {
                    errors.push(format!(
                        "{key} differs from the one the first entry records"
                    ));
                }
            }
        }
    }
    let public_key = doc["signature"]["public_key"].as_str().map(str::to_string);
    match signature_ok(doc, head.as_deref().unwrap_or("")) {
        Ok(()) => {}
        Err(e) => errors.push(e),
    }
    if let (Some(expected), Some(actual)) = (expected_key, public_key.as_deref()) {
        if expected != actual {
            errors.push("the trail is signed with another key than the one expected".into());
        }
    }
    TrailVerification {
        valid: errors.is_empty(),
        entries: entries.len(),
        head_hash: head,
        public_key,
        errors,
    }
}

fn signature_ok(doc: &Value, head: &str) -> Result<(), String> {
    let sig = &doc["signature"];
    if sig["algorithm"] != "Ed25519" {
        return Err("signature algorithm is not Ed25519".into());
    }
    let key = sig["public_key"]
        .as_str()
        .and_then(|k| k.strip_prefix("base64:"))
        .and_then(|k| B64.decode(k).ok())
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .and_then(|k| VerifyingKey::from_bytes(&k).ok())
        .ok_or("public_key is not a base64 Ed25519 key")?;
    if sig["key_id"].as_str() != Some(hex::encode(&Sha256::digest(key.as_bytes())[..8]).as_str()) {
        return Err("key_id is not the id of the public key".into());
    }
    let value = sig["value"]
        .as_str()
        .and_then(|v| B64.decode(v).ok())
        .and_then(|v| <[u8; 64]>::try_from(v).ok())
        .ok_or("signature value is not 64 base64 bytes")?;
    key.verify(head.as_bytes(), &Signature::from_bytes(&value))
        .map_err(|_| "the signature does not verify under the embedded public key".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn trail() -> Value {
        let signer = TrailSigner::from_seed([7; 32]);
        let a = next_entry(
            None,
            "input",
            "2026-12-02T00:00:00Z",
            json!({"trace_id": "t", "flows": [1, 2], "x": 0.000015}),
        );
        let b = next_entry(
            Some(&a),
            "decision",
            "2026-12-02T00:00:01Z",
            json!({"rule": "PORT_SCAN", "score": 0.87}),
        );
        signer.document(json!({"trace_id": "t"}), &[a, b])
    }

    #[test]
    fn an_honest_trail_verifies_and_uses_es_number_form() {
        let doc = trail();
        let v = verify(&doc, None);
        assert!(v.valid, "{:?}", v.errors);
        assert_eq!(v.entries, 2);
        assert!(doc["entries"][0]["canonical"]
            .as_str()
            .unwrap()
            .contains("\"x\":0.000015"));
    }

    #[test]
    fn another_key_is_refused_when_one_is_expected() {
        let other = TrailSigner::from_seed([8; 32]).public_key();
        assert!(!verify(&trail(), Some(&other)).valid);
    }

    proptest! {
        #[test]
        fn changing_any_byte_of_the_document_is_caught(pick in any::<prop::sample::Index>(), bump in 1u8..=255) {
            let text = serde_json::to_string(&trail()).unwrap();
            let mut bytes = text.into_bytes();
            let i = pick.index(bytes.len());
            bytes[i] = bytes[i].wrapping_add(bump);
            // A change that leaves the JSON unreadable is caught by parsing; one that parses must fail verification
            // unless it only touched a field outside the evidence (header keys), which the trail does not cover.
            if let Ok(text) = String::from_utf8(bytes) {
                if let Ok(doc) = serde_json::from_str::<Value>(&text) {
                    // Only `chain_rule` (a sentence for readers) is outside the evidence.
                    let original = trail();
                    let untouched_evidence = ["entries", "head_hash", "signature", "trace_id", "trail_version",
                        "canonicalization", "hash_algorithm"].iter().all(|k| doc.get(k) == original.get(k));
                    prop_assert!(untouched_evidence || !verify(&doc, None).valid);
                }
            }
        }
    }
}
