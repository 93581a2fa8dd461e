//! The privacy guarantee, checked on the storage itself: after interactions full of personal
//! data and secrets, neither the prompts nor any matched value occurs anywhere in the SQLite
//! files (database and WAL) or in a `pg_dump` of the PostgreSQL database.

use serde_json::json;

use crate::helpers::guard::{sha256, spawn_guard, with_text};
use crate::helpers::{is_postgres, TestApp};

const SECRETS: [&str; 9] = [
    "jeanne.martin@exemple.fr",
    "06 12 34 56 78",
    "FR76 3000 6000 0112 3456 7890 189",
    "4111 1111 1111 1111",
    "1 85 05 78 006 084 91",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "192.168.42.17",
    "732 829 320 00074",
    "bob.client@corp.example.com",
];

/// Every place the database keeps bytes: the database and WAL files, or a full dump.
async fn stored_bytes(app: &TestApp) -> Vec<u8> {
    if is_postgres() {
        let out = std::process::Command::new("pg_dump")
            .arg("--no-owner")
            .arg(&app.database_url)
            .output()
            .expect("pg_dump runs");
        assert!(
            out.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    } else {
        let path = app.database_url.trim_start_matches("sqlite://").to_string();
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(b) = std::fs::read(format!("{path}{suffix}")) {
                bytes.extend(b);
            }
        }
        assert!(bytes.len() > 4096, "read the database files");
        bytes
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn no_raw_text_or_matched_value_reaches_the_database() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let guard = app.guard(&token);
    let prompts = [
        format!(
            "Bonjour, écris à {} ou appelle le {} pour le virement.",
            SECRETS[0], SECRETS[1]
        ),
        format!("Mon IBAN est {} et ma carte {}.", SECRETS[2], SECRETS[3]),
        format!("Numéro de sécurité sociale : {}", SECRETS[4]),
        format!(
            "export GITHUB_TOKEN={} puis ssh sur {}",
            SECRETS[5], SECRETS[6]
        ),
        format!("La société SIRET {} a un litige.", SECRETS[7]),
    ];
    for text in &prompts {
        let r = guard
            .post("/api/v1/interactions", with_text("chatgpt", text))
            .await;
        let body = r.body;
        assert_eq!(r.status, 201, "{body}");
        assert!(
            body["classification_count"].as_u64().unwrap() >= 1,
            "{text} → {body}"
        );
    }
    // Client-reported values and PII in other metadata are masked too; a batch goes the same way.
    let text = "Relis ce mail";
    let batch = json!([{ "platform_id": "claude", "content_hash": sha256(text),
        "content_metadata": { "text": text, "url": format!("https://claude.ai/chat?email={}", SECRETS[8]) },
        "classifications": [{ "type": "EMAIL", "value": SECRETS[8], "score": 0.9 }, { "type": "SSN", "value": "078-05-1120" }] }]);
    let r = guard.post("/api/v1/interactions/batch", batch).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // The classify endpoint stores nothing either.
    let r = guard
        .post(
            "/api/v1/classification/classify",
            json!({ "text": prompts[1] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let stored = stored_bytes(&app).await;
    for needle in SECRETS
        .iter()
        .copied()
        .chain(prompts.iter().map(String::as_str))
        .chain(["078-05-1120", "Relis ce mail"])
    {
        assert!(
            !contains(&stored, needle),
            "found `{needle}` in the stored bytes"
        );
    }
    // The masked forms are there: the check above looked at the right bytes.
    assert!(contains(&stored, "j***@exemple.fr"));
}
