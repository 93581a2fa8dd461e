//! Every `REDOUBT_*` variable that README.md and docs/ name is one the server reads: set to a
//! value other than its default, it changes the loaded configuration. A misspelt or stale
//! name in the docs (the class of `REDOUBT_PLATFORM__WEBHOOKS__…`, which the code never read)
//! fails here, and so does a documented variable this table has no sample for.

use std::collections::BTreeSet;
use std::path::Path;

use redoubt::config::Config;

/// A value other than the default for each documented variable.
const SAMPLES: &[(&str, &str)] = &[
    ("REDOUBT_DATA_DIR", "/srv/redoubt-check"),
    (
        "REDOUBT_DATABASE_URL",
        "postgres://redoubt@db.example/redoubt",
    ),
    ("REDOUBT_BIND", "0.0.0.0"),
    ("REDOUBT_PORTS__GUARD", "18081"),
    ("REDOUBT_PORTS__NETWATCH", "18082"),
    ("REDOUBT_PORTS__ENCLAVE", "18083"),
    ("REDOUBT_PORTS__VISION", "18084"),
    ("REDOUBT_PORTS__TESTOPS", "18085"),
    ("REDOUBT_SERVICES", "guard,enclave"),
    (
        "REDOUBT_JWT_SECRET",
        "0Pmq2cIJCnZRbcfHbGOiDBtxTx6uchqUiIT+jMmO0tQ=",
    ),
    (
        "REDOUBT_MASTER_KEY",
        "shZQlIgRKxkzeLbZCFonYEz8vZazcXkTIKsQI7VEHJI=",
    ),
    ("REDOUBT_LOG_FORMAT", "pretty"),
    ("REDOUBT_MODELS_DIR", "/srv/models-check"),
    ("REDOUBT_VISION__MEDIA_DIR", "/srv/media-check"),
    ("REDOUBT_VISION__MAX_IMAGE_BYTES", "1000"),
    ("REDOUBT_VISION__MAX_BATCH_IMAGES", "3"),
    ("REDOUBT_VISION__MAX_BATCH_BYTES", "4000"),
    ("REDOUBT_VISION__MAX_VIDEO_BYTES", "5000"),
    ("REDOUBT_VISION__MEDIA_RETENTION_SECS", "60"),
    ("REDOUBT_VISION__FACE_ATTRIBUTES_ENABLED", "false"),
    ("REDOUBT_VISION__WORKERS", "0"),
    ("REDOUBT_OBJECT_STORE__S3_BUCKET", "media-check"),
    (
        "REDOUBT_OBJECT_STORE__S3_ENDPOINT",
        "http://127.0.0.1:19000",
    ),
    ("REDOUBT_OBJECT_STORE__S3_REGION", "eu-central-1"),
    ("REDOUBT_OBJECT_STORE__S3_ACCESS_KEY_ID", "check-id"),
    ("REDOUBT_OBJECT_STORE__S3_SECRET_ACCESS_KEY", "check-secret"),
    ("REDOUBT_OBJECT_STORE__S3_PREFIX", "cluster-check"),
    ("REDOUBT_OBJECT_STORE__S3_ALLOW_HTTP", "true"),
    ("REDOUBT_LOG_LEVEL", "debug"),
    ("REDOUBT_HTTP__BODY_LIMIT_BYTES", "2097152"),
    ("REDOUBT_HTTP__REQUEST_TIMEOUT_SECS", "31"),
    ("REDOUBT_HTTP__SHUTDOWN_GRACE_SECS", "5"),
    ("REDOUBT_HTTP__HSTS", "true"),
    ("REDOUBT_AUTH__JWT_TTL_SECS", "3600"),
    ("REDOUBT_RATE_LIMIT__REDIS_URL", "redis://127.0.0.1:6379"),
    ("REDOUBT_RATE_LIMIT__NAMESPACE", "redoubt-check"),
    (
        "REDOUBT_RATE_LIMIT__OVERRIDES",
        "{\"guard.login\"={requests=10,per_seconds=60}}",
    ),
    ("REDOUBT_JOBS__WORKERS", "7"),
    ("REDOUBT_JOBS__POLL_INTERVAL_MS", "501"),
    ("REDOUBT_JOBS__HEARTBEAT_SECS", "6"),
    ("REDOUBT_JOBS__STALE_AFTER_SECS", "61"),
    ("REDOUBT_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true"),
    ("REDOUBT_WEBHOOKS__TIMEOUT_SECS", "11"),
    ("REDOUBT_WEBHOOKS__MAX_ATTEMPTS", "9"),
    ("REDOUBT_SANDBOX__ROOT", "/srv/redoubt-check/sandboxes"),
    ("REDOUBT_SANDBOX__INIT", "/usr/local/bin/tini"),
    ("REDOUBT_SANDBOX__KILL_GRACE_MS", "2001"),
    ("REDOUBT_SANDBOX__OUTPUT_CAP_BYTES", "4096"),
    ("REDOUBT_SANDBOX__REAP_INTERVAL_MS", "251"),
    ("REDOUBT_SANDBOX__FREE_CDPS_PER_MONTH", "101"),
    ("REDOUBT_SANDBOX__FAVOR_DYNAMIC_CGROUPS", "false"),
    ("REDOUBT_SANDBOX__SPARE_SANDBOXES", "3"),
    ("REDOUBT_BILLING__STRIPE_API_BASE", "http://127.0.0.1:18099"),
    ("REDOUBT_BILLING__STRIPE_SECRET_KEY", "sk_test_check"),
    ("REDOUBT_BILLING__STRIPE_WEBHOOK_SECRET", "whsec_check"),
    ("REDOUBT_BILLING__PRICES__STARTER", "price_starter_check"),
    ("REDOUBT_BILLING__PRICES__BUSINESS", "price_business_check"),
    ("REDOUBT_BILLING__SUCCESS_URL", "https://billing.example/ok"),
    (
        "REDOUBT_BILLING__CANCEL_URL",
        "https://billing.example/cancel",
    ),
    (
        "REDOUBT_BILLING__PORTAL_RETURN_URL",
        "https://billing.example/portal",
    ),
    (
        "REDOUBT_BILLING__PRICES__NETWATCH_PROFESSIONAL_ANNUAL",
        "price_netwatch_check",
    ),
];

/// Read by the logging set-up (a tracing filter), not by the configuration loader.
const READ_ELSEWHERE: &[&str] = &["REDOUBT_LOG"];

/// Every `REDOUBT_…` name in README.md and docs/*.md (prefixes such as `REDOUBT_SANDBOX__…`
/// excepted).
fn documented() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let mut files = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("REDOUBT_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.ends_with('_') {
                names.insert(name);
            }
        }
    }
    names
}

fn loaded() -> serde_json::Value {
    let config = Config::load(None, serde_json::json!({})).expect("the configuration loads");
    serde_json::to_value(config).unwrap()
}

#[test]
fn every_documented_variable_changes_the_configuration() {
    for (name, _) in SAMPLES {
        std::env::remove_var(name);
    }
    let defaults = loaded();
    let documented = documented();
    let sampled: BTreeSet<String> = SAMPLES.iter().map(|(n, _)| n.to_string()).collect();
    for name in &documented {
        assert!(
            sampled.contains(name) || READ_ELSEWHERE.contains(&name.as_str()),
            "{name} is documented but the code reads no such variable (or this table lacks a sample for it)"
        );
    }
    for (name, value) in SAMPLES {
        std::env::set_var(name, value);
        let with = loaded();
        std::env::remove_var(name);
        assert_ne!(
            with, defaults,
            "{name}={value} changed nothing: the server does not read it"
        );
    }
    assert!(documented.len() >= 40, "found only {documented:?}");
}
