//! Cryptographic Destruction Proofs, CDP 1.0 (contracts/enclave.md §5–6): the fixed 8-step
//! SHA-512 chain, the Ed25519 signature over the final hash's hex, and verification that
//! reports each check. Also verifies the docs' SHA-256 variant.
//!
//! Chain link i: `hex(H(prev ‖ 0 ‖ subsystem_i ‖ 0 ‖ "destroy" ‖ 0 ‖ method_i ‖ 0 ‖ destroyed_at))`,
//! `prev_0 = hex(H(""))`. The signed message is the ASCII hex of the last link, no prefix.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroize;

pub const CDP_VERSION: &str = "1.0";
pub const ALGORITHM: &str = "Ed25519";

/// One chain step as the format fixes it: subsystem, the `operation` label written in the
/// document, and the method constant that is hashed.
#[derive(Debug, Clone, Copy)]
pub struct StepSpec {
    pub subsystem: &'static str,
    pub operation: &'static str,
    pub method: &'static str,
}

/// The 8 steps, in order (the vendor's production labels, which its verifier checks).
pub const STEPS: [StepSpec; 8] = [
    StepSpec {
        subsystem: "eee_namespace",
        operation: "environment_isolation",
        method: "procfs_verification",
    },
    StepSpec {
        subsystem: "eee_tmpfs",
        operation: "filesystem_isolation",
        method: "mountinfo_verification",
    },
    StepSpec {
        subsystem: "eee_memory",
        operation: "multipass_wipe",
        method: "dod_5220_multipass_wipe",
    },
    StepSpec {
        subsystem: "dire_keys",
        operation: "key_destruction",
        method: "ed25519_key_destruction",
    },
    StepSpec {
        subsystem: "dire_identity",
        operation: "credential_incineration",
        method: "credential_incineration",
    },
    StepSpec {
        subsystem: "fgx_forensic",
        operation: "merkle_zero_state",
        method: "merkle_tree_verification",
    },
    StepSpec {
        subsystem: "rzl_audit",
        operation: "chain_integrity_seal",
        method: "hash_chain_validation",
    },
    StepSpec {
        subsystem: "capsule_destroy",
        operation: "lifecycle_completion",
        method: "capsule_lifecycle_verification",
    },
];

/// The docs' label for step 8, accepted when verifying (hashed as written).
const DOCS_STEP8_SUBSYSTEM: &str = "session_destroy";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha512,
    Sha256,
}

impl HashAlg {
    pub fn prefix(self) -> &'static str {
        match self {
            HashAlg::Sha512 => "sha512:",
            HashAlg::Sha256 => "sha256:",
        }
    }

    pub fn hex(self, parts: &[&[u8]]) -> String {
        match self {
            HashAlg::Sha512 => {
                let mut h = Sha512::new();
                parts.iter().for_each(|p| h.update(p));
                hex::encode(h.finalize())
            }
            HashAlg::Sha256 => {
                let mut h = Sha256::new();
                parts.iter().for_each(|p| h.update(p));
                hex::encode(h.finalize())
            }
        }
    }

    fn of_prefixed(value: &str) -> Option<(HashAlg, &str)> {
        if let Some(hex) = value.strip_prefix("sha512:") {
            Some((HashAlg::Sha512, hex))
        } else {
            value
                .strip_prefix("sha256:")
                .map(|hex| (HashAlg::Sha256, hex))
        }
    }
}

/// The chain's link values (lowercase hex, no prefix) for the given step-subsystem labels.
pub fn chain_links(alg: HashAlg, subsystems: &[&str], destroyed_at: &str) -> Vec<String> {
    let mut prev = alg.hex(&[b""]);
    let mut links = Vec::with_capacity(subsystems.len());
    for (i, subsystem) in subsystems.iter().enumerate() {
        let method = STEPS.get(i).map(|s| s.method).unwrap_or("");
        prev = alg.hex(&[
            prev.as_bytes(),
            b"\0",
            subsystem.as_bytes(),
            b"\0",
            b"destroy",
            b"\0",
            method.as_bytes(),
            b"\0",
            destroyed_at.as_bytes(),
        ]);
        links.push(prev.clone());
    }
    links
}

/// `"sha512:" + hex(SHA-512(canonical JSON of the record))`: the evidence hash of one step.
pub fn evidence_hash(record: &Value) -> String {
    let canonical = crate::canonical_json(record);
    format!("sha512:{}", HashAlg::Sha512.hex(&[canonical.as_bytes()]))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChainStep {
    pub step: u32,
    pub subsystem: String,
    pub operation: String,
    pub evidence_hash: String,
    pub chain_hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Attestation {
    pub algorithm: String,
    pub public_key: String,
    pub signature: String,
    pub key_id: String,
}

/// A CDP 1.0 document. Context fields ride along unsigned, as in the vendor's format.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cdp {
    pub cdp_version: String,
    pub session_id: String,
    pub created_at: String,
    pub destroyed_at: String,
    pub chain: Vec<ChainStep>,
    pub final_hash: String,
    pub attestation: Attestation,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub regulatory_context: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub session_context: Option<Value>,
}

/// `nrx-verify-<destroyed_at as YYYYMMDDTHHMMSSZ>-<first 8 characters after "sess_">`.
pub fn key_id(destroyed_at: &str, session_id: &str) -> String {
    let stamp: String = destroyed_at
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let short: String = session_id
        .strip_prefix("sess_")
        .unwrap_or(session_id)
        .chars()
        .take(8)
        .collect();
    format!("nrx-verify-{stamp}-{short}")
}

/// What signing did with the per-session key, for the key-destruction evidence.
#[derive(Debug, Clone, Serialize)]
pub struct KeyDestruction {
    pub algorithm: &'static str,
    pub key_id: String,
    pub public_key: String,
    pub signatures_made: u32,
    /// The seed buffer was overwritten and read back as zeros.
    pub seed_zeroized: bool,
    /// The expanded key was dropped through `ZeroizeOnDrop`.
    pub signing_key_dropped: bool,
}

/// Builds and signs a CDP with a fresh key that exists only inside this call.
/// `evidence_hashes` are the 8 steps' evidence hashes, in order.
pub fn issue(
    session_id: &str,
    created_at: &str,
    destroyed_at: &str,
    evidence_hashes: [String; 8],
) -> (Cdp, KeyDestruction) {
    let subsystems: Vec<&str> = STEPS.iter().map(|s| s.subsystem).collect();
    let links = chain_links(HashAlg::Sha512, &subsystems, destroyed_at);
    let final_hex = links.last().expect("8 links").clone();
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let signing = SigningKey::from_bytes(&seed);
    let public = signing.verifying_key();
    let signature = signing.sign(final_hex.as_bytes());
    drop(signing);
    seed.zeroize();
    let key_id = key_id(destroyed_at, session_id);
    let public_key = format!("base64:{}", B64.encode(public.as_bytes()));
    let chain = STEPS
        .iter()
        .zip(links.iter().zip(evidence_hashes))
        .enumerate()
        .map(|(i, (spec, (link, evidence_hash)))| ChainStep {
            step: i as u32 + 1,
            subsystem: spec.subsystem.into(),
            operation: spec.operation.into(),
            evidence_hash,
            chain_hash: format!("sha512:{link}"),
        })
        .collect();
    let cdp = Cdp {
        cdp_version: CDP_VERSION.into(),
        session_id: session_id.into(),
        created_at: created_at.into(),
        destroyed_at: destroyed_at.into(),
        chain,
        final_hash: format!("sha512:{final_hex}"),
        attestation: Attestation {
            algorithm: ALGORITHM.into(),
            public_key: public_key.clone(),
            signature: format!("base64:{}", B64.encode(signature.to_bytes())),
            key_id: key_id.clone(),
        },
        regulatory_context: None,
        session_context: None,
    };
    let destruction = KeyDestruction {
        algorithm: ALGORITHM,
        key_id,
        public_key,
        signatures_made: 1,
        seed_zeroized: seed.iter().all(|b| *b == 0),
        signing_key_dropped: true,
    };
    (cdp, destruction)
}

/// The four checks `/v1/verify` reports.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Checks {
    pub chain_integrity: bool,
    pub final_hash: bool,
    pub signature: bool,
    pub step_count: u64,
}

/// Why a check failed, in the reference verifier's vocabulary.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    pub check: &'static str,
    pub reason: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Verification {
    pub valid: bool,
    pub checks: Checks,
    pub failures: Vec<Failure>,
}

/// Verifies a CDP document (or a DELETE response carrying one under `cdp`), statelessly.
pub fn verify(document: &Value) -> Verification {
    let doc = match document.get("cdp") {
        Some(inner) if inner.is_object() => inner,
        _ => document,
    };
    let mut failures: Vec<Failure> = Vec::new();
    let chain = doc.get("chain").and_then(Value::as_array);
    let step_count = chain.map_or(0, |c| c.len() as u64);
    match doc.get("cdp_version").and_then(Value::as_str) {
        Some(CDP_VERSION) => {}
        Some(other) => push(
            &mut failures,
            "chain_integrity",
            "cdp_version_unsupported",
            format!("cdp_version {other:?} is not 1.0"),
            None,
        ),
        None => push(
            &mut failures,
            "chain_integrity",
            "required_field_missing",
            "cdp_version is missing".into(),
            None,
        ),
    }
    if step_count != STEPS.len() as u64 {
        push(
            &mut failures,
            "chain_integrity",
            "step_count_invalid",
            format!("{step_count} steps, expected 8"),
            None,
        );
    }
    let destroyed_at = doc
        .get("destroyed_at")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| destroyed_at_from_key_id(doc));
    let final_hash = doc.get("final_hash").and_then(Value::as_str);
    let alg = final_hash
        .and_then(HashAlg::of_prefixed)
        .map(|(a, _)| a)
        .unwrap_or(HashAlg::Sha512);
    // Chain: recompute every link from the canonical table and compare.
    let mut chain_ok = step_count == STEPS.len() as u64 && failures.is_empty();
    let mut last_link: Option<String> = None;
    match (chain, destroyed_at.as_deref()) {
        (Some(steps), Some(at)) if steps.len() == STEPS.len() => {
            let mut labels = Vec::with_capacity(8);
            for (i, step) in steps.iter().enumerate() {
                let n = i as u32 + 1;
                let subsystem = step.get("subsystem").and_then(Value::as_str).unwrap_or("");
                let canonical = STEPS[i].subsystem;
                let accepted =
                    subsystem == canonical || (i == 7 && subsystem == DOCS_STEP8_SUBSYSTEM);
                if step.get("step").and_then(Value::as_u64) != Some(n as u64) || !accepted {
                    chain_ok = false;
                    push(
                        &mut failures,
                        "chain_integrity",
                        "chain_step_identity_mismatch",
                        format!("step {n} should be {canonical}, found {subsystem:?}"),
                        Some(n),
                    );
                }
                labels.push(subsystem);
            }
            let links = chain_links(alg, &labels, at);
            for (i, (step, link)) in steps.iter().zip(&links).enumerate() {
                let written = step.get("chain_hash").and_then(Value::as_str).unwrap_or("");
                if written != format!("{}{link}", alg.prefix()) {
                    chain_ok = false;
                    push(
                        &mut failures,
                        "chain_integrity",
                        "step_hash_mismatch",
                        format!("step {} chain_hash does not match its recomputation", i + 1),
                        Some(i as u32 + 1),
                    );
                }
            }
            last_link = links.last().cloned();
        }
        (_, None) => {
            chain_ok = false;
            push(
                &mut failures,
                "chain_integrity",
                "required_field_missing",
                "destroyed_at is missing".into(),
                None,
            );
        }
        _ => chain_ok = false,
    }
    // final_hash: equal to step 8's chain_hash and to the recomputed last link.
    let last_written = chain
        .and_then(|c| c.last())
        .and_then(|s| s.get("chain_hash"))
        .and_then(Value::as_str);
    let final_ok = match (final_hash, &last_link) {
        (Some(f), Some(link)) => Some(f) == last_written && f == format!("{}{link}", alg.prefix()),
        (Some(f), None) => Some(f) == last_written,
        _ => false,
    };
    if !final_ok {
        push(
            &mut failures,
            "final_hash",
            "final_hash_mismatch",
            "final_hash is not the last step's recomputed chain_hash".into(),
            None,
        );
    }
    let signature_ok = check_signature(doc, final_hash, &mut failures);
    Verification {
        valid: chain_ok && final_ok && signature_ok,
        checks: Checks {
            chain_integrity: chain_ok,
            final_hash: final_ok,
            signature: signature_ok,
            step_count,
        },
        failures,
    }
}

fn check_signature(doc: &Value, final_hash: Option<&str>, failures: &mut Vec<Failure>) -> bool {
    let att = doc.get("attestation");
    let field = |name: &str| att.and_then(|a| a.get(name)).and_then(Value::as_str);
    if field("algorithm") != Some(ALGORITHM) {
        push(
            failures,
            "signature",
            "algorithm_unsupported",
            format!("algorithm {:?} is not Ed25519", field("algorithm")),
            None,
        );
        return false;
    }
    let key = field("public_key")
        .and_then(decode_b64)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let Some(key) = key else {
        push(
            failures,
            "signature",
            "signature_mismatch",
            "public_key is not base64: of a 32-byte Ed25519 key".into(),
            None,
        );
        return false;
    };
    let sig = field("signature")
        .and_then(decode_b64)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    let Some(sig) = sig else {
        push(
            failures,
            "signature",
            "signature_mismatch",
            "signature is not base64: of 64 bytes".into(),
            None,
        );
        return false;
    };
    let message = final_hash
        .and_then(HashAlg::of_prefixed)
        .map(|(_, hex)| hex)
        .unwrap_or("");
    if key.verify_strict(message.as_bytes(), &sig).is_err() {
        push(
            failures,
            "signature",
            "signature_mismatch",
            "the signature does not verify over final_hash".into(),
            None,
        );
        return false;
    }
    true
}

fn push(
    failures: &mut Vec<Failure>,
    check: &'static str,
    reason: &'static str,
    detail: String,
    step: Option<u32>,
) {
    failures.push(Failure {
        check,
        reason,
        detail,
        step,
    });
}

fn decode_b64(value: &str) -> Option<Vec<u8>> {
    B64.decode(value.strip_prefix("base64:")?).ok()
}

/// `nrx-verify-20260301T143000Z-…` → `2026-03-01T14:30:00Z` (production verifiers do the same).
fn destroyed_at_from_key_id(doc: &Value) -> Option<String> {
    let id = doc.get("attestation")?.get("key_id")?.as_str()?;
    let stamp = id.strip_prefix("nrx-verify-")?.split('-').next()?;
    let b = stamp.as_bytes();
    (b.len() == 16 && b[8] == b'T' && b[15] == b'Z').then(|| {
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &stamp[0..4],
            &stamp[4..6],
            &stamp[6..8],
            &stamp[9..11],
            &stamp[11..13],
            &stamp[13..15]
        )
    })
}
