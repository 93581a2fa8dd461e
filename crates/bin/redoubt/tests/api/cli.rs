//! The binary's bootstrap commands, run as a user would: one JSON object on stdout each.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::helpers::*;

pub fn redoubt(data_dir: &Path, database_url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_redoubt"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("REDOUBT_JWT_SECRET")
        .env_remove("REDOUBT_MASTER_KEY")
        .output()
        .expect("running redoubt")
}

/// `redoubt admin create-user` for `email` with `role` (guard unless `extra` names a service).
pub fn create_user(
    data_dir: &Path,
    database_url: &str,
    tenant: &str,
    email: &str,
    role: &str,
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "admin",
        "create-user",
        "--tenant",
        tenant,
        "--email",
        email,
        "--password",
        PASSWORD,
        "--role",
        role,
    ];
    args.extend_from_slice(extra);
    redoubt(data_dir, database_url, &args)
}

/// The single JSON object a command printed.
pub fn json_out(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "exactly one line on stdout, got {text:?} (stderr: {})",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(lines[0]).expect("stdout is JSON")
}

#[tokio::test]
async fn bootstrap_commands_print_one_json_object_each() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = fresh_database_url(tmp.path()).await;

    let out = redoubt(&data, &url, &["migrate"]);
    assert!(out.status.success());
    assert_eq!(json_out(&out)["migrated"], true);

    let out = redoubt(&data, &url, &["admin", "create-tenant", "--name", "acme"]);
    assert!(out.status.success());
    let tenant = json_out(&out)["tenant_id"].as_str().unwrap().to_string();

    let out = create_user(&data, &url, "acme", "alice@acme.fr", "admin", &[]);
    assert!(out.status.success());
    let created = json_out(&out);
    assert_eq!(
        created["tenant_id"],
        tenant.as_str(),
        "an existing tenant is reused"
    );
    assert!(uuid::Uuid::parse_str(created["user_id"].as_str().unwrap()).is_ok());

    // create-user makes the tenant when it is absent.
    let out = create_user(
        &data,
        &url,
        "globex",
        "hank@globex.com",
        "developer",
        &["--service", "testops"],
    );
    assert!(out.status.success());
    assert_ne!(json_out(&out)["tenant_id"], tenant.as_str());

    let out = redoubt(
        &data,
        &url,
        &[
            "admin",
            "create-api-key",
            "--tenant",
            "acme",
            "--service",
            "enclave",
            "--name",
            "ci",
        ],
    );
    assert!(out.status.success());
    let key = json_out(&out);
    assert!(key["key"].as_str().unwrap().starts_with("nrx_live_"));
    assert_eq!(
        key["prefix"].as_str().unwrap().len(),
        13,
        "enclave shows the first 13 characters"
    );
    assert!(key["id"].is_string());

    let out = redoubt(&data, &url, &["verify", "audit", "--tenant", "acme"]);
    assert!(out.status.success());
    let report = json_out(&out);
    assert_eq!(report["valid"], true);
    assert_eq!(
        report["entries"], 2,
        "user.create and api_key.create were audited"
    );

    // Secrets were generated privately on first use.
    assert_eq!(
        std::fs::metadata(&data).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for file in ["jwt_secret", "master_key"] {
        assert_eq!(
            std::fs::metadata(data.join(file))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600,
            "{file}"
        );
    }
}

#[tokio::test]
async fn bad_bootstrap_input_fails_cleanly_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = fresh_database_url(tmp.path()).await;
    let create = |email: &str, role: &str| create_user(&data, &url, "acme", email, role, &[]);
    assert!(create("alice@acme.fr", "admin").status.success());
    for (email, role, why) in [
        ("alice@acme.fr", "admin", "already exists"),
        ("not-an-email", "admin", "invalid email"),
        ("bob@acme.fr", "overlord", "does not exist"),
    ] {
        let out = create(email, role);
        assert_eq!(out.status.code(), Some(2), "{email}/{role}");
        assert!(out.stdout.is_empty());
        // Logs are JSON lines on stderr too; the error is the last line.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let err: Value = serde_json::from_str(stderr.lines().last().unwrap())
            .expect("the error is JSON on stderr");
        assert!(err["error"].as_str().unwrap().contains(why), "{err}");
    }
    let out = redoubt(
        &data,
        &url,
        &[
            "admin",
            "create-api-key",
            "--tenant",
            "nope",
            "--service",
            "vision",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = redoubt(&data, &url, &["verify", "audit", "--tenant", "acme"]);
    assert_eq!(
        json_out(&out)["entries"],
        1,
        "only the one successful create-user was audited"
    );
}

#[tokio::test]
async fn verify_audit_exits_1_on_a_tampered_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = fresh_database_url(tmp.path()).await;
    for email in ["a@acme.fr", "b@acme.fr", "c@acme.fr"] {
        let out = create_user(&data, &url, "acme", email, "viewer", &[]);
        assert!(out.status.success());
    }
    let db = platform::store::Db::connect(&url).await.unwrap();
    lift_audit_guard(&db).await;
    let edit = "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2";
    platform::on_db!(&db, |p| sqlx::query(edit).execute(p).await.map(|_| ())).unwrap();
    db.close().await;
    let out = redoubt(&data, &url, &["verify", "audit", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(1));
    let report = json_out(&out);
    assert_eq!(report["valid"], false);
    assert_eq!(report["first_bad_seq"], 2);
}

#[test]
fn help_shows_examples() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_redoubt"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Examples:") && text.contains("redoubt admin create-user"),
        "{text}"
    );
}
