//! enclave over HTTP: signup, customers/me, the session lifecycle with a real sandbox, CDPs
//! verified by /v1/verify and the published key, quotas, limits, TTL expiry, recovery after a
//! restart, and the contract's error envelope for every failure.

use std::sync::Arc;
use std::time::Duration;

use platform::ServiceName;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::*;

pub async fn call_enclave(
    app: &TestApp,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    call(app, ServiceName::Enclave, method, path, key, body).await
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    let (s, _, b) = call_enclave(app, Method::POST, path, Some(key), Some(body)).await;
    (s, b)
}

async fn get(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    let (s, _, b) = call_enclave(app, Method::GET, path, Some(key), None).await;
    (s, b)
}

async fn delete(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    let (s, _, b) = call_enclave(app, Method::DELETE, path, Some(key), None).await;
    (s, b)
}

/// A POST whose body is not JSON at all: (status, reply).
async fn post_malformed(app: &TestApp, path: &str, body: &'static str) -> (u16, Value) {
    let response = app
        .http
        .post(app.url(ServiceName::Enclave, path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// `POST /v1/signup` with `body`, as it answers.
pub async fn signup_raw(app: &TestApp, body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
    call_enclave(app, Method::POST, "/v1/signup", None, Some(body)).await
}

/// Signs up `email` and returns (customer id, API key).
pub async fn signup(app: &TestApp, email: &str, jurisdiction: Option<&str>) -> (String, String) {
    let mut body = json!({ "email": email });
    if let Some(j) = jurisdiction {
        body["jurisdiction"] = json!(j);
    }
    let (status, _, reply) = signup_raw(app, body).await;
    assert_eq!(status, 201, "{reply}");
    (
        reply["customer_id"].as_str().unwrap().into(),
        reply["api_key"].as_str().unwrap().into(),
    )
}

fn assert_envelope(status: u16, body: &Value, expected: u16, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

pub fn enclave_app(
    configure: impl Fn(&mut redoubt::config::Config) + Send + Sync + 'static,
) -> AppOptions {
    AppOptions {
        configure: Some(Arc::new(configure)),
        ..AppOptions::default()
    }
}

#[tokio::test]
async fn signup_issues_a_key_once_and_stores_only_its_hash() {
    let app = spawn_app().await;
    let (status, _, body) = signup_raw(
        &app,
        json!({ "email": "you@company.com", "jurisdiction": "EU" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let key = body["api_key"].as_str().unwrap();
    assert!(key.starts_with("nrx_live_") && key.len() > 40);
    assert!(body["customer_id"].as_str().unwrap().starts_with("cust_"));
    assert_eq!(body["tier"], "free");
    assert_eq!(
        body["message"],
        "Save your API key — it cannot be retrieved later."
    );
    let hash = Sha256::digest(key.as_bytes()).to_vec();
    let stored: Vec<(Vec<u8>,)> = platform::on_db!(app.platform.db(), |p| sqlx::query_as(
        "SELECT key_hash FROM api_keys WHERE service = 'enclave'"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert_eq!(stored, vec![(hash,)]);
    let (s, me) = get(&app, key, "/v1/customers/me").await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["email"], "you@company.com");
    assert_eq!(me["jurisdiction"], "EU");
    assert_eq!(me["tier"], "free");
    assert_eq!(me["cdp_limit"], 100);
    assert_eq!(me["sessions_limit"], 3);
    assert_eq!(me["rate_limit_rpm"], 60);
    assert_eq!(me["cdps_this_cycle"], 0);
    assert_eq!(me["sessions_used"], 0);
    assert_eq!(me["api_key_prefix"], &key[..13]);
    assert!(me["billing_cycle_start"].as_str().unwrap().ends_with('Z'));
    // Duplicate (any case), bad input: the envelope, and nothing created.
    let (s, _, b) = signup_raw(&app, json!({ "email": "YOU@company.com" })).await;
    assert_envelope(s, &b, 409, "Conflict");
    for bad in [
        json!({}),
        json!({ "email": "not-an-email" }),
        json!({ "email": 5 }),
        json!({ "email": "a@b.co", "jurisdiction": "FR" }),
        json!({ "email": "a@b.co", "jurisdiction": 1 }),
    ] {
        let (s, _, b) = signup_raw(&app, bad.clone()).await;
        assert_envelope(s, &b, 400, "BadRequest");
    }
    let (status, b) = post_malformed(&app, "/v1/signup", "{nope").await;
    assert_eq!(status, 400);
    assert_eq!(b["error"], "BadRequest");
    let (n,): (i64,) = platform::on_db!(app.platform.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM enclave_customers"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn missing_or_forged_keys_are_401_in_the_envelope() {
    let app = spawn_app().await;
    for key in [None, Some("nrx_live_forged"), Some("not-a-key")] {
        for (method, path) in [
            (Method::GET, "/v1/customers/me"),
            (Method::POST, "/v1/sessions"),
            (Method::GET, "/v1/sessions/sess_0"),
            (Method::GET, "/v1/proofs/sess_0"),
            (Method::POST, "/v1/billing/checkout"),
        ] {
            let (s, _, b) = call_enclave(&app, method.clone(), path, key, None).await;
            assert_envelope(s, &b, 401, "Unauthorized");
        }
    }
}

#[tokio::test]
async fn a_session_runs_commands_and_is_destroyed_with_a_verifiable_cdp() {
    let app = spawn_app().await;
    let (_, key) = signup(&app, "ops@clinic.example", None).await;
    let (s, created) = post(
        &app,
        &key,
        "/v1/sessions",
        json!({ "data_classification": "PHI" }),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let id = created["session_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("sess_") && id.len() == 21, "{id}");
    assert_eq!(created["status"], "active");
    assert_eq!(created["ttl_seconds"], 300);
    let (s, view) = get(&app, &key, &format!("/v1/sessions/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(view["data_classification"], "PHI");
    assert_eq!(view["status"], "active");

    let (s, out) = post(&app, &key, &format!("/v1/sessions/{id}/exec"), json!({ "command": "wc -c < input/data; cat input/data > kept; echo oops >&2; exit 4", "input_data": "{\"record\": \"diabetes\"}", "timeout": 10 })).await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["output"], "22\n");
    assert_eq!(out["stderr"], "oops\n");
    assert_eq!(out["exit_code"], 4);
    assert_eq!(out["timed_out"], false);
    let (_, out) = post(
        &app,
        &key,
        &format!("/v1/sessions/{id}/exec"),
        json!({ "command": "cat kept" }),
    )
    .await;
    assert_eq!(
        out["output"], "{\"record\": \"diabetes\"}",
        "files persist between execs"
    );

    // One command at a time: a second exec while one runs is 409, and GET shows executing.
    let slow = {
        let (http, url, key) = (
            app.http.clone(),
            app.url(ServiceName::Enclave, &format!("/v1/sessions/{id}/exec")),
            key.clone(),
        );
        tokio::spawn(async move {
            http.post(url)
                .bearer_auth(key)
                .json(&json!({ "command": "sleep 1; echo done" }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, view) = get(&app, &key, &format!("/v1/sessions/{id}")).await;
    assert_eq!(view["status"], "executing");
    let (s, b) = post(
        &app,
        &key,
        &format!("/v1/sessions/{id}/exec"),
        json!({ "command": "true" }),
    )
    .await;
    assert_envelope(s, &b, 409, "Conflict");
    assert_eq!(slow.await.unwrap()["output"], "done\n");

    let (s, b) = get(&app, &key, &format!("/v1/proofs/{id}")).await;
    assert_envelope(s, &b, 404, "NotFound");

    let (s, destroyed) = delete(&app, &key, &format!("/v1/sessions/{id}")).await;
    assert_eq!(s, 200, "{destroyed}");
    assert_eq!(destroyed["status"], "destroyed");
    assert_eq!(
        destroyed["session_context"],
        json!({ "jurisdiction": "US", "data_classification": "PHI" })
    );
    assert_eq!(
        destroyed["regulatory_context"]["mappings"][2]["frameworks"][0]["regulation"],
        "HIPAA"
    );
    let cdp = &destroyed["cdp"];
    assert_eq!(cdp["cdp_version"], "1.0");
    assert_eq!(cdp["session_id"], id.as_str());
    assert_eq!(cdp["chain"].as_array().unwrap().len(), 8);
    assert_eq!(cdp["chain"][7]["subsystem"], "capsule_destroy");
    assert_eq!(cdp["final_hash"], cdp["chain"][7]["chain_hash"]);
    assert!(cdp["final_hash"].as_str().unwrap().starts_with("sha512:"));
    // Every step's evidence record is there, completed, and hashes to the CDP's evidence_hash.
    let evidence = destroyed["evidence"].as_array().unwrap();
    for (i, record) in evidence.iter().enumerate() {
        assert_eq!(record["completed"], true, "{record}");
        assert_eq!(
            cdp["chain"][i]["evidence_hash"],
            json!(proof::cdp::evidence_hash(record))
        );
    }
    assert!(
        evidence[2]["bytes_overwritten"].as_u64().unwrap() >= 44,
        "{}",
        evidence[2]
    );
    assert_eq!(evidence[2]["readback_all_zero"], true);
    assert_eq!(evidence[1]["mount"]["absent_from_mountinfo"], true);

    let (s, _, verdict) =
        call_enclave(&app, Method::POST, "/v1/verify", None, Some(cdp.clone())).await;
    assert_eq!(s, 200);
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(
        verdict["checks"],
        json!({ "chain_integrity": true, "final_hash": true, "signature": true, "step_count": 8 })
    );

    // The stored proof is the CDP of the DELETE response; the key is published.
    let (s, stored) = get(&app, &key, &format!("/v1/proofs/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(&stored, cdp);
    let key_id = cdp["attestation"]["key_id"].as_str().unwrap();
    assert!(
        key_id.starts_with("nrx-verify-") && key_id.ends_with(&id[5..13]),
        "{key_id}"
    );
    let (s, _, published) =
        call_enclave(&app, Method::GET, &format!("/v1/keys/{key_id}"), None, None).await;
    assert_eq!(s, 200);
    assert_eq!(published["public_key"], cdp["attestation"]["public_key"]);
    assert_eq!(published["algorithm"], "Ed25519");

    // After destruction: GET says destroyed, DELETE answers the same proof, exec is refused.
    let (_, view) = get(&app, &key, &format!("/v1/sessions/{id}")).await;
    assert_eq!(view["status"], "destroyed");
    let (s, again) = delete(&app, &key, &format!("/v1/sessions/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(&again["cdp"], cdp);
    let (s, b) = post(
        &app,
        &key,
        &format!("/v1/sessions/{id}/exec"),
        json!({ "command": "true" }),
    )
    .await;
    assert_envelope(s, &b, 409, "Conflict");
    let (_, me) = get(&app, &key, "/v1/customers/me").await;
    assert_eq!(me["cdps_this_cycle"], 1);
    assert_eq!(me["sessions_used"], 0);
    // Nothing is left mounted under the sandbox root.
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(&id), "the session tmpfs is still mounted");
}

#[tokio::test]
async fn another_customers_session_is_not_found_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    let (_, alice) = signup(&app, "alice@a.example", None).await;
    let (_, mallory) = signup(&app, "mallory@m.example", None).await;
    let (_, created) = post(&app, &alice, "/v1/sessions", json!({})).await;
    let id = created["session_id"].as_str().unwrap();
    assert_eq!(created["ttl_seconds"], 300);
    for (method, path, body) in [
        (Method::GET, format!("/v1/sessions/{id}"), None),
        (
            Method::POST,
            format!("/v1/sessions/{id}/exec"),
            Some(json!({ "command": "id" })),
        ),
        (Method::DELETE, format!("/v1/sessions/{id}"), None),
        (Method::GET, format!("/v1/proofs/{id}"), None),
        (
            Method::GET,
            "/v1/sessions/sess_ffffffffffffffff".to_string(),
            None,
        ),
    ] {
        let (s, _, b) = call_enclave(&app, method, &path, Some(&mallory), body).await;
        assert_envelope(s, &b, 404, "NotFound");
    }
    for bad in [
        json!({ "data_classification": "secret" }),
        json!({ "data_classification": 3 }),
        json!({ "ttl_seconds": 0 }),
        json!({ "ttl_seconds": 301 }),
        json!({ "ttl_seconds": "60" }),
    ] {
        let (s, b) = post(&app, &alice, "/v1/sessions", bad).await;
        assert_envelope(s, &b, 400, "BadRequest");
    }
    for bad in [
        json!({}),
        json!({ "command": "" }),
        json!({ "command": 1 }),
        json!({ "command": "true", "input_data": 5 }),
        json!({ "command": "true", "timeout": 0 }),
        json!({ "command": "true", "timeout": "5" }),
    ] {
        let (s, b) = post(&app, &alice, &format!("/v1/sessions/{id}/exec"), bad).await;
        assert_envelope(s, &b, 400, "BadRequest");
    }
    let (_, view) = get(&app, &alice, &format!("/v1/sessions/{id}")).await;
    assert_eq!(view["status"], "active");
    let (_, me) = get(&app, &alice, "/v1/customers/me").await;
    assert_eq!(me["sessions_used"], 1);
    let (s, _) = delete(&app, &alice, &format!("/v1/sessions/{id}")).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn concurrent_sessions_and_the_free_cdp_quota_are_enforced() {
    let app = spawn_with(enclave_app(|c| c.platform.sandbox.free_cdps_per_month = 4)).await;
    let (_, key) = signup(&app, "q@q.example", None).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (s, b) = post(&app, &key, "/v1/sessions", json!({})).await;
        assert_eq!(s, 201, "{b}");
        ids.push(b["session_id"].as_str().unwrap().to_string());
    }
    let (s, b) = post(&app, &key, "/v1/sessions", json!({})).await;
    assert_envelope(s, &b, 429, "RateLimited");
    for id in &ids {
        assert_eq!(
            delete(&app, &key, &format!("/v1/sessions/{id}")).await.0,
            200
        );
    }
    let (s, b) = post(&app, &key, "/v1/sessions", json!({})).await;
    assert_eq!(s, 201, "{b}");
    // 3 CDPs issued + 1 live session = the cap of 4.
    let (s, b) = post(&app, &key, "/v1/sessions", json!({})).await;
    assert_envelope(s, &b, 402, "QuotaExceeded");
    assert_eq!(
        b["message"],
        "Free tier limit of 4 CDPs/month exceeded. Upgrade to continue."
    );
}

#[tokio::test]
async fn an_expired_session_is_reaped_with_a_cdp() {
    let app = spawn_app().await;
    let (_, key) = signup(&app, "ttl@t.example", Some("UK")).await;
    let (_, created) = post(
        &app,
        &key,
        "/v1/sessions",
        json!({ "ttl_seconds": 1, "data_classification": "PII" }),
    )
    .await;
    let id = created["session_id"].as_str().unwrap();
    assert_eq!(created["ttl_seconds"], 1);
    post(
        &app,
        &key,
        &format!("/v1/sessions/{id}/exec"),
        json!({ "command": "echo secret > f" }),
    )
    .await;
    let mut status = Value::Null;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = get(&app, &key, &format!("/v1/sessions/{id}")).await.1["status"].clone();
        if status != "active" {
            break;
        }
    }
    assert_eq!(status, "expired");
    let (s, cdp) = get(&app, &key, &format!("/v1/proofs/{id}")).await;
    assert_eq!(s, 200);
    assert!(proof::cdp::verify(&cdp).valid);
    assert_eq!(cdp["session_context"]["jurisdiction"], "UK");
    assert!(cdp["regulatory_context"].to_string().contains("UK GDPR"));
}

#[tokio::test]
async fn a_timed_out_exec_reports_it_and_the_session_stays_usable() {
    let app = spawn_app().await;
    let (_, key) = signup(&app, "slow@s.example", None).await;
    let (_, created) = post(&app, &key, "/v1/sessions", json!({})).await;
    let id = created["session_id"].as_str().unwrap();
    let (s, out) = post(
        &app,
        &key,
        &format!("/v1/sessions/{id}/exec"),
        json!({ "command": "echo start; sleep 30", "timeout": 1 }),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["timed_out"], true);
    assert_eq!(out["output"], "start\n");
    let (_, out) = post(&app, &key, &format!("/v1/sessions/{id}/exec"), json!({ "command": "curl -s --max-time 2 http://1.1.1.1 || python3 -c 'import socket; socket.create_connection((\"1.1.1.1\", 80), timeout=2)' 2>&1 | tail -1" })).await;
    assert!(
        out["output"].as_str().unwrap().contains("unreachable"),
        "{out}"
    );
    let (s, d) = delete(&app, &key, &format!("/v1/sessions/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(d["status"], "destroyed");
}

#[tokio::test]
async fn verify_is_public_stateless_and_names_the_failed_check() {
    let app = spawn_with(AppOptions::default().limit("enclave.verify", 3, 60)).await;
    let (_, key) = signup(&app, "v@v.example", None).await;
    let (_, created) = post(&app, &key, "/v1/sessions", json!({})).await;
    let (_, destroyed) = delete(
        &app,
        &key,
        &format!("/v1/sessions/{}", created["session_id"].as_str().unwrap()),
    )
    .await;
    let mut tampered = destroyed["cdp"].clone();
    tampered["destroyed_at"] = json!("2020-01-01T00:00:00Z");
    let (s, _, verdict) =
        call_enclave(&app, Method::POST, "/v1/verify", None, Some(tampered)).await;
    assert_eq!(s, 200);
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["checks"]["chain_integrity"], false);
    assert_eq!(
        verdict["checks"]["signature"], true,
        "the signature itself still verifies over final_hash"
    );
    assert!(
        verdict["failures"]
            .to_string()
            .contains("step_hash_mismatch"),
        "{verdict}"
    );
    let (status, b) = post_malformed(&app, "/v1/verify", "not json").await;
    assert_envelope(status, &b, 400, "BadRequest");
    let (s, _, b) = call_enclave(&app, Method::POST, "/v1/verify", None, Some(json!({}))).await;
    assert_eq!((s, b["valid"].clone()), (200, json!(false)));
    let (s, headers, b) =
        call_enclave(&app, Method::POST, "/v1/verify", None, Some(json!({}))).await;
    assert_envelope(s, &b, 429, "RateLimited");
    assert!(headers.contains_key("retry-after"));
    let (s, _, b) = call_enclave(&app, Method::GET, "/v1/keys/nrx-verify-none", None, None).await;
    assert_envelope(s, &b, 404, "NotFound");
    let (n,): (i64,) = platform::on_db!(app.platform.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM enclave_proofs"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n, 1, "verify stores nothing");
}

#[tokio::test]
async fn signup_and_tier_request_rates_are_limited() {
    let app = spawn_with(AppOptions::contract_limits()).await;
    let (_, key) = signup(&app, "r0@r.example", None).await;
    for i in 1..10 {
        signup(&app, &format!("r{i}@r.example"), None).await;
    }
    let (s, headers, b) = signup_raw(&app, json!({ "email": "r10@r.example" })).await;
    assert_envelope(s, &b, 429, "RateLimited");
    assert!(headers.contains_key("retry-after"));
    // Free tier: 60 requests a minute per customer.
    for _ in 0..60 {
        assert_eq!(get(&app, &key, "/v1/customers/me").await.0, 200);
    }
    let (s, headers, b) =
        call_enclave(&app, Method::GET, "/v1/customers/me", Some(&key), None).await;
    assert_envelope(s, &b, 429, "RateLimited");
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn health_runs_each_engine_check() {
    let app = spawn_app().await;
    let (s, _, body) = call_enclave(&app, Method::GET, "/v1/health", None, None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["status"], "healthy");
    assert_eq!(
        body["engines"],
        json!({ "eee": true, "dire": true, "rzl": true, "fgx": true, "ave": true })
    );
    assert_eq!(body["database"], true);
    let (s, _, b) = call_enclave(&app, Method::GET, "/v1/nowhere", None, None).await;
    assert_envelope(s, &b, 404, "NotFound");
}

#[tokio::test]
async fn sessions_left_live_by_a_stopped_server_are_recovered_with_a_cdp() {
    let first = spawn_app().await;
    let (_, key) = signup(&first, "crash@c.example", None).await;
    let (_, created) = post(&first, &key, "/v1/sessions", json!({})).await;
    let id = created["session_id"].as_str().unwrap().to_string();
    post(
        &first,
        &key,
        &format!("/v1/sessions/{id}/exec"),
        json!({ "command": "echo data > f" }),
    )
    .await;
    let (options, tmp) = first.stop_keeping_data().await;
    let second = spawn_with(options).await;
    let mut status = Value::Null;
    for _ in 0..50 {
        status = get(&second, &key, &format!("/v1/sessions/{id}")).await.1["status"].clone();
        if status != "active" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "expired");
    let (s, cdp) = get(&second, &key, &format!("/v1/proofs/{id}")).await;
    assert_eq!(s, 200);
    assert!(proof::cdp::verify(&cdp).valid);
    drop(tmp);
}

#[tokio::test]
async fn a_cdp_verifies_offline_with_the_cli_and_with_plain_python() {
    let app = spawn_app().await;
    let (_, key) = signup(&app, "offline@o.example", None).await;
    let (_, created) = post(&app, &key, "/v1/sessions", json!({})).await;
    let (_, destroyed) = delete(
        &app,
        &key,
        &format!("/v1/sessions/{}", created["session_id"].as_str().unwrap()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("cdp.json");
    std::fs::write(&good, destroyed["cdp"].to_string()).unwrap();
    let mut tampered_doc = destroyed.clone();
    tampered_doc["cdp"]["chain"][4]["subsystem"] = json!("dire_ident1ty");
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, tampered_doc.to_string()).unwrap();

    let cli = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_redoubt"))
            .args(["verify", "cdp"])
            .arg(file)
            .output()
            .unwrap()
    };
    let out = cli(&good);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checks"]["step_count"], 8);
    let out = cli(&tampered);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("chain_step_identity_mismatch"));

    // A third party with hashlib + cryptography (scripts/verify_cdp.py, as in docs/cdp.md).
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../scripts/verify_cdp.py"
    );
    let python = |file: &std::path::Path| {
        std::process::Command::new("python3")
            .arg(script)
            .arg(file)
            .output()
            .expect("python3")
    };
    let out = python(&good);
    assert!(
        out.status.success(),
        "{} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(python(&tampered).status.code(), Some(1));
}

#[tokio::test]
async fn hostile_commands_through_the_api_are_contained_and_the_cdp_is_still_clean() {
    let app = spawn_app().await;
    let (_, key) = signup(&app, "hostile@h.example", None).await;
    let (_, created) = post(&app, &key, "/v1/sessions", json!({})).await;
    let id = created["session_id"].as_str().unwrap();
    let exec = |command: &'static str| {
        let (app, key, path) = (&app, key.clone(), format!("/v1/sessions/{id}/exec"));
        async move {
            post(
                app,
                &key,
                &path,
                json!({ "command": command, "timeout": 10 }),
            )
            .await
            .1
        }
    };
    // Fork bomb: stopped by the pids limit; memory bomb: OOM-killed inside the session's group.
    let out = exec("python3 -c 'import os\nn = 0\ntry:\n    while True:\n        os.fork() or __import__(\"time\").sleep(30)\n        n += 1\nexcept OSError as e: print(\"stopped\", e.errno)'").await;
    assert!(
        out["output"].as_str().unwrap().contains("stopped 11"),
        "{out}"
    );
    let out = exec("python3 -c 'x = []\nwhile True: x.append(bytearray(32 << 20))'").await;
    assert_eq!(out["oom_killed"], true, "{out}");
    // Escape attempts: host files, other mounts, the network, privileges.
    let out =
        exec("cat /etc/passwd 2>&1; mount -t tmpfs x /mnt 2>&1; unshare -U true 2>&1; echo end")
            .await;
    let text = out["output"].as_str().unwrap();
    assert!(
        !text.contains("root:x:0") && text.ends_with("end\n"),
        "{out}"
    );
    let (s, destroyed) = delete(&app, &key, &format!("/v1/sessions/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        destroyed["status"], "destroyed",
        "{}",
        destroyed["evidence"]
    );
    assert!(proof::cdp::verify(&destroyed["cdp"]).valid);
    assert_eq!(destroyed["evidence"][0]["processes_remaining"], 0);
}
