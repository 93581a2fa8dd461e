//! CDP 1.0: the contract's test vector, issuing, and tamper detection.

use proof::cdp::{self, chain_links, HashAlg, STEPS};
use serde_json::{json, Value};

const VECTOR: [&str; 8] = [
    "dd8b771ee228b936131127f029c2f937380f2053cb6e70b4ee36a30faf1dd31116b501b3a700e2c798b31e036c137ccc93d74b87ec94c10661a70cf5a03e872e",
    "bce49344e13e886c4030ac6d590d7fc8dce0873da3f474d7ac04443dfc6a3f07512c1aedcd25399306a1dde1ae85acb05a79f248b7bf024121ccf1c9c80a8d5c",
    "a2010b1362cc901b347b1ab3437e264d9ca2f41fb44475ce0daad0c988a224d642218c7dcba49699fc2d04659c80bdacb3dd06672ef62fb8e3e7686fbe2bae91",
    "47a8bfb7ebb99353054c23795147efcf126b1ca19e8855fed5d36f482d557c1af615a9ad51330ea5c59c86093e448cc7b3822a78441b246ea982bb53094c5f79",
    "6f7c9a8ad04fa13f76659844268515e388f7a7fc91c44ab7084d1635bc8be6d250e5365b43960613c72715cb90d541f5a4894b7cee4b6808ac353e7cdc94b0ea",
    "43c71de947d469f44f498ccf7b6d67f4c172957bcacf7b2d6882e4403598b1471dbacfebd396266eb999f093df9a821b40b61082148cc24cd50e1c7005dc1456",
    "0cd08def99a48670a9e2da767588526913cba469d5214d4ef9ee20491a680a938d5c6223cd1ab20c19988e18de821ce1b85ba03207672b34d847dbd59bd63c0c",
    "d21930f23d04006db2b5e35d7964891c0de43c4a43e8a757a43ecf4a4068514c389a9435ac83623e7c0929ef74bf89d228b231eae044108c7ffd416121d0fe4e",
];

#[test]
fn the_contract_test_vector_is_reproduced() {
    let subsystems: Vec<&str> = STEPS.iter().map(|s| s.subsystem).collect();
    let links = chain_links(HashAlg::Sha512, &subsystems, "2026-05-08T00:00:00Z");
    assert_eq!(links, VECTOR);
    assert_eq!(
        HashAlg::Sha512.hex(&[b""]),
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
    );
}

fn issued() -> Value {
    let evidence: [String; 8] =
        std::array::from_fn(|i| cdp::evidence_hash(&json!({ "step": i + 1 })));
    let (doc, destruction) = cdp::issue(
        "sess_a8f3e71c4b2d9f06",
        "2026-03-01T14:00:00Z",
        "2026-03-01T14:30:00Z",
        evidence,
    );
    assert!(destruction.seed_zeroized);
    assert_eq!(
        doc.attestation.key_id,
        "nrx-verify-20260301T143000Z-a8f3e71c"
    );
    serde_json::to_value(doc).unwrap()
}

#[test]
fn an_issued_cdp_verifies_with_every_check() {
    let doc = issued();
    let v = cdp::verify(&doc);
    assert!(v.valid, "{v:?}");
    assert_eq!(
        v.checks,
        cdp::Checks {
            chain_integrity: true,
            final_hash: true,
            signature: true,
            step_count: 8
        }
    );
    assert_eq!(
        doc["attestation"]["public_key"].as_str().unwrap().len(),
        "base64:".len() + 44
    );
    assert_eq!(
        doc["attestation"]["signature"].as_str().unwrap().len(),
        "base64:".len() + 88
    );
    // Wrapped as the DELETE response carries it.
    assert!(cdp::verify(&json!({ "session_id": "x", "cdp": doc })).valid);
}

type Tamper = Box<dyn Fn(&mut Value)>;

#[test]
fn each_kind_of_tampering_fails_its_own_check() {
    let base = issued();
    let cases: Vec<(&str, Tamper, &str)> = vec![
        (
            "flip a step hash",
            Box::new(|d| {
                let h = d["chain"][2]["chain_hash"]
                    .as_str()
                    .unwrap()
                    .replace('a', "b");
                d["chain"][2]["chain_hash"] = json!(h);
            }),
            "step_hash_mismatch",
        ),
        (
            "reorder steps",
            Box::new(|d| d["chain"].as_array_mut().unwrap().swap(1, 2)),
            "chain_step_identity_mismatch",
        ),
        (
            "drop a step",
            Box::new(|d| {
                d["chain"].as_array_mut().unwrap().pop();
            }),
            "step_count_invalid",
        ),
        (
            "change destroyed_at",
            Box::new(|d| d["destroyed_at"] = json!("2026-03-01T14:30:01Z")),
            "step_hash_mismatch",
        ),
        (
            "change final_hash",
            Box::new(|d| d["final_hash"] = json!(format!("sha512:{}", "0".repeat(128)))),
            "final_hash_mismatch",
        ),
        (
            "swap the public key",
            Box::new(|d| {
                d["attestation"]["public_key"] =
                    json!("base64:GVHak/xHE0xBsS1K/zXf3f5XTSdINLQ568meFsvQvCw=")
            }),
            "signature_mismatch",
        ),
        (
            "wrong algorithm",
            Box::new(|d| d["attestation"]["algorithm"] = json!("RSA")),
            "algorithm_unsupported",
        ),
        (
            "garbage signature",
            Box::new(|d| d["attestation"]["signature"] = json!("base64:AAAA")),
            "signature_mismatch",
        ),
        (
            "other version",
            Box::new(|d| d["cdp_version"] = json!("9.9")),
            "cdp_version_unsupported",
        ),
    ];
    for (name, tamper, reason) in cases {
        let mut doc = base.clone();
        tamper(&mut doc);
        let v = cdp::verify(&doc);
        assert!(!v.valid, "{name} went unnoticed");
        assert!(
            v.failures.iter().any(|f| f.reason == reason),
            "{name}: {:?}",
            v.failures
        );
    }
}

#[test]
fn the_docs_sha256_variant_verifies() {
    use base64::Engine;
    use ed25519_dalek::{Signer, SigningKey};
    // Built the way the docs describe it: SHA-256 links, step 8 labelled session_destroy.
    let at = "2026-03-01T14:30:00Z";
    let mut labels: Vec<&str> = STEPS.iter().map(|s| s.subsystem).collect();
    labels[7] = "session_destroy";
    let links = chain_links(HashAlg::Sha256, &labels, at);
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let sig = key.sign(links[7].as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD;
    let chain: Vec<Value> = labels
        .iter()
        .zip(&links)
        .enumerate()
        .map(|(i, (s, l))| json!({"step": i + 1, "subsystem": s, "operation": STEPS[i].operation, "evidence_hash": "sha256:00", "chain_hash": format!("sha256:{l}")}))
        .collect();
    let doc = json!({
        "cdp_version": "1.0", "session_id": "sess_a8f3e71c4b2d9f06", "created_at": "2026-03-01T14:00:00Z", "destroyed_at": at,
        "chain": chain,
        "final_hash": format!("sha256:{}", links[7]),
        "attestation": {"algorithm": "Ed25519", "public_key": format!("base64:{}", b64.encode(key.verifying_key().as_bytes())), "signature": format!("base64:{}", b64.encode(sig.to_bytes())), "key_id": "nrx-verify-20260301T143000Z-a8f3e71c"}
    });
    let v = cdp::verify(&doc);
    assert!(v.valid, "{v:?}");
}

#[test]
fn a_missing_destroyed_at_is_recovered_from_the_key_id() {
    let mut doc = issued();
    doc.as_object_mut().unwrap().remove("destroyed_at");
    assert!(cdp::verify(&doc).valid);
}

#[test]
fn junk_documents_are_invalid_not_errors() {
    for junk in [
        json!(null),
        json!([]),
        json!({}),
        json!({"chain": "x"}),
        json!("cdp"),
    ] {
        let v = cdp::verify(&junk);
        assert!(!v.valid);
        assert!(!v.failures.is_empty());
    }
}
