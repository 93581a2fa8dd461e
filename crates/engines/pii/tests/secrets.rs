//! Tier 2 secrets: known credential formats and key-like assignments, and what must not match.

use pii::{detect, PiiType, Tier};

fn secrets(text: &str) -> Vec<String> {
    detect(text)
        .into_iter()
        .filter(|f| f.kind == PiiType::ApiKey)
        .inspect(|f| assert_eq!(f.tier, Tier::Two))
        .map(|f| text.chars().skip(f.start).take(f.end - f.start).collect())
        .collect()
}

/// `n` pseudo-random alphanumerics (a fixed LCG: the test is reproducible).
fn random_body(n: usize, mut seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[(seed >> 33) as usize % ALPHABET.len()] as char
        })
        .collect()
}

#[test]
fn known_formats_are_found_whole() {
    let anthropic = format!("sk-ant-api03-{}AA", random_body(93, 7));
    let openai = format!(
        "sk-proj-{}T3BlbkFJ{}",
        "a1B2c3D4e5".repeat(3),
        "Z9y8X7w6V5".repeat(3)
    );
    let keys = [
        "AKIAIOSFODNN7EXAMPLF".to_string(),
        // Digits outside base32 (0, 1, 8, 9), as gitleaks and trufflehog match them.
        "AKIA0189ABCDEF012345".to_string(),
        "ASIAZ9Y8X7W6V5U4T3S1".to_string(),
        "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".to_string(),
        "glpat-Zx9CkQ2pLm4Nv7RtYb3W".to_string(),
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc".to_string(),
        openai,
        anthropic,
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx".to_string(),
        "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY".to_string(),
        "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH".to_string(),
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U".to_string(),
    ];
    for key in keys.iter().chain(&more_formats()) {
        let text = format!("Peux-tu déboguer ce script ? La clé est {key} merci");
        assert_eq!(secrets(&text), vec![key.clone()], "{text}");
    }
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----";
    assert_eq!(
        secrets(&format!("fix this:\n{pem}\nthanks")),
        vec![pem.to_string()]
    );
}

/// One key per further gitleaks rule (ids in src/tier2/secrets.rs), bodies from the LCG.
fn more_formats() -> Vec<String> {
    let hex = |n: usize, seed: u64| -> String {
        random_body(n, seed)
            .bytes()
            .map(|b| char::from(b"0123456789abcdef"[b as usize % 16]))
            .collect()
    };
    let upper = |n: usize, seed: u64| random_body(n, seed).to_uppercase();
    let letters = |n: usize, seed: u64| -> String {
        random_body(n, seed)
            .bytes()
            .map(|b| {
                char::from(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[b as usize % 52])
            })
            .collect()
    };
    vec![
        format!("glptt-{}", hex(40, 1)),
        format!("gldt-{}", random_body(20, 2)),
        format!("xapp-1-A0{}-1234567890123-{}", upper(9, 3), hex(64, 4)),
        format!("SG.{}.{}", random_body(22, 5), random_body(43, 6)),
        format!("SK{}", hex(32, 7)),
        format!("npm_{}", random_body(36, 8)),
        format!("pypi-AgEIcHlwaS5vcmc{}", random_body(60, 9)),
        format!("dop_v1_{}", hex(64, 10)),
        format!("shpat_{}", hex(32, 11)),
        format!("key-{}", hex(32, 12)),
        format!("PMAK-{}-{}", hex(24, 13), hex(34, 14)),
        format!("dapi{}", hex(32, 15)),
        format!("dp.pt.{}", random_body(43, 16)),
        format!("lin_api_{}", random_body(40, 17)),
        format!("NRAK-{}", upper(27, 18)),
        format!("api_org_{}", letters(34, 19)),
        format!("glsa_{}_{}", random_body(32, 20), hex(8, 21)),
        format!("HRKU-AA{}", random_body(58, 22)),
        format!("pul-{}", hex(40, 23)),
        format!("sntryu_{}", hex(64, 24)),
        format!("hvs.{}", random_body(95, 25)),
        format!("rubygems_{}", hex(48, 26)),
        format!("ntn_{}{}", "34982916654", random_body(35, 27)),
        format!("pplx-{}", random_body(48, 28)),
        // gcp-api-key ends at a delimiter: a trailing '-' belongs to the key.
        format!("AIza{}-", random_body(34, 29)),
        format!("glpat-{}-", random_body(19, 30)),
    ]
}

#[test]
fn high_entropy_values_next_to_key_words() {
    assert_eq!(
        secrets(r#"config: api_key = "Xk9fQ2mZ7LpW4rT8vB1nC6dY""#),
        vec!["Xk9fQ2mZ7LpW4rT8vB1nC6dY"]
    );
    assert_eq!(
        secrets("mon mot de passe est Hq7$Lm2pXz9Rt4Wv"),
        Vec::<String>::new(),
        "'$' ends the value: too short"
    );
    assert_eq!(
        secrets("le mot de passe est Hq7Lm2pXz9Rt4WvK3s"),
        vec!["Hq7Lm2pXz9Rt4WvK3s"]
    );
}

#[test]
fn ordinary_prose_and_public_identifiers_are_not_secrets() {
    for text in [
        "The token is a concept in NLP; explain tokenization.",
        "password = password_from_environment_variable",
        "Use pk_live_ keys in the browser, they are publishable.",
        "Résume ce document sur la sécurité des mots de passe.",
        "AKIA is the prefix of AWS access keys.",
        "secret = aaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        assert!(secrets(text).is_empty(), "{text}: {:?}", secrets(text));
    }
}

#[test]
fn a_key_is_not_also_a_name_card_or_phone() {
    let text = "token: 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";
    let all = detect(text);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].kind, PiiType::ApiKey);
}
