//! enclave over HTTP: signup, customers/me, the session lifecycle with a real sandbox, CDPs
//! verified by /v1/verify and the published key, quotas, limits, TTL expiry, recovery after a
//! restart, and the contract's error envelope for every failure.

use std::time::Duration;

use platform::ServiceName;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::enclave::{
    assert_envelope, destroyed_session, enclave_app, enclave_only, signup, signup_raw,
    spawn_enclave,
};
use crate::helpers::{spawn_with, AppOptions, TestApp, TestResponse};

/// A POST whose body is not JSON at all.
async fn post_malformed(app: &TestApp, path: &str, body: &'static str) -> TestResponse {
    app.client(ServiceName::Enclave)
        .send_raw(
            Method::POST,
            path,
            Some(("application/json", body.as_bytes().to_vec())),
        )
        .await
}

#[tokio::test]
async fn signup_issues_a_key_once_and_stores_only_its_hash() {
    let app = spawn_enclave().await;
    let r = signup_raw(
        &app,
        json!({ "email": "you@company.com", "jurisdiction": "EU" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let body = r.body;
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
    let r = app.enclave(key).get("/v1/customers/me").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let me = r.body;
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
    let duplicate = signup_raw(&app, json!({ "email": "YOU@company.com" })).await;
    assert_envelope(&duplicate, 409, "Conflict");
    for bad in [
        json!({}),
        json!({ "email": "not-an-email" }),
        json!({ "email": 5 }),
        json!({ "email": "a@b.co", "jurisdiction": "FR" }),
        json!({ "email": "a@b.co", "jurisdiction": 1 }),
    ] {
        assert_envelope(&signup_raw(&app, bad).await, 400, "BadRequest");
    }
    let r = post_malformed(&app, "/v1/signup", "{nope").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "BadRequest");
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
    let app = spawn_enclave().await;
    for key in [None, Some("nrx_live_forged"), Some("not-a-key")] {
        let client = match key {
            Some(key) => app.enclave(key),
            None => app.client(ServiceName::Enclave),
        };
        for (method, path) in [
            (Method::GET, "/v1/customers/me"),
            (Method::POST, "/v1/sessions"),
            (Method::GET, "/v1/sessions/sess_0"),
            (Method::GET, "/v1/proofs/sess_0"),
            (Method::POST, "/v1/billing/checkout"),
        ] {
            let r = client.send(method, path, None).await;
            assert_envelope(&r, 401, "Unauthorized");
        }
    }
}

#[tokio::test]
async fn a_session_runs_commands_and_is_destroyed_with_a_verifiable_cdp() {
    let app = spawn_enclave().await;
    let (_, key) = signup(&app, "ops@clinic.example", None).await;
    let enclave = app.enclave(&key);
    let r = enclave
        .post("/v1/sessions", json!({ "data_classification": "PHI" }))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.body;
    let id = created["session_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("sess_") && id.len() == 21, "{id}");
    assert_eq!(created["status"], "active");
    assert_eq!(created["ttl_seconds"], 300);
    let session = format!("/v1/sessions/{id}");
    let exec = format!("/v1/sessions/{id}/exec");
    let proof = format!("/v1/proofs/{id}");
    let r = enclave.get(&session).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data_classification"], "PHI");
    assert_eq!(r.body["status"], "active");

    let r = enclave.post(&exec, json!({ "command": "wc -c < input/data; cat input/data > kept; echo oops >&2; exit 4", "input_data": "{\"record\": \"diabetes\"}", "timeout": 10 })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let out = r.body;
    assert_eq!(out["output"], "22\n");
    assert_eq!(out["stderr"], "oops\n");
    assert_eq!(out["exit_code"], 4);
    assert_eq!(out["timed_out"], false);
    let out = enclave
        .post(&exec, json!({ "command": "cat kept" }))
        .await
        .body;
    assert_eq!(
        out["output"], "{\"record\": \"diabetes\"}",
        "files persist between execs"
    );

    // One command at a time: a second exec while one runs is 409, and GET shows executing.
    let slow = {
        let (http, url, key) = (
            app.http.clone(),
            app.url(ServiceName::Enclave, &exec),
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
    assert_eq!(enclave.get(&session).await.body["status"], "executing");
    let busy = enclave.post(&exec, json!({ "command": "true" })).await;
    assert_envelope(&busy, 409, "Conflict");
    assert_eq!(slow.await.unwrap()["output"], "done\n");

    assert_envelope(&enclave.get(&proof).await, 404, "NotFound");

    let r = enclave.delete(&session).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let destroyed = r.body;
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

    let public = app.client(ServiceName::Enclave);
    let r = public.post("/v1/verify", cdp.clone()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["valid"], true, "{}", r.body);
    assert_eq!(
        r.body["checks"],
        json!({ "chain_integrity": true, "final_hash": true, "signature": true, "step_count": 8 })
    );

    // The stored proof is the CDP of the DELETE response; the key is published.
    let stored = enclave.get(&proof).await;
    assert_eq!(stored.status, 200);
    assert_eq!(&stored.body, cdp);
    let key_id = cdp["attestation"]["key_id"].as_str().unwrap();
    assert!(
        key_id.starts_with("nrx-verify-") && key_id.ends_with(&id[5..13]),
        "{key_id}"
    );
    let published = public.get(&format!("/v1/keys/{key_id}")).await;
    assert_eq!(published.status, 200);
    assert_eq!(
        published.body["public_key"],
        cdp["attestation"]["public_key"]
    );
    assert_eq!(published.body["algorithm"], "Ed25519");

    // After destruction: GET says destroyed, DELETE answers the same proof, exec is refused.
    assert_eq!(enclave.get(&session).await.body["status"], "destroyed");
    let again = enclave.delete(&session).await;
    assert_eq!(again.status, 200);
    assert_eq!(&again.body["cdp"], cdp);
    let refused = enclave.post(&exec, json!({ "command": "true" })).await;
    assert_envelope(&refused, 409, "Conflict");
    let me = enclave.get("/v1/customers/me").await.body;
    assert_eq!(me["cdps_this_cycle"], 1);
    assert_eq!(me["sessions_used"], 0);
    // Nothing is left mounted under the sandbox root.
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(&id), "the session tmpfs is still mounted");
}

#[tokio::test]
async fn another_customers_session_is_not_found_and_bad_input_changes_nothing() {
    let app = spawn_enclave().await;
    let (_, alice) = signup(&app, "alice@a.example", None).await;
    let (_, mallory) = signup(&app, "mallory@m.example", None).await;
    let (alice, mallory) = (app.enclave(&alice), app.enclave(&mallory));
    let created = alice.post("/v1/sessions", json!({})).await.body;
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
        let r = mallory.send(method, &path, body).await;
        assert_envelope(&r, 404, "NotFound");
    }
    for bad in [
        json!({ "data_classification": "secret" }),
        json!({ "data_classification": 3 }),
        json!({ "ttl_seconds": 0 }),
        json!({ "ttl_seconds": 301 }),
        json!({ "ttl_seconds": "60" }),
    ] {
        assert_envelope(&alice.post("/v1/sessions", bad).await, 400, "BadRequest");
    }
    let exec = format!("/v1/sessions/{id}/exec");
    for bad in [
        json!({}),
        json!({ "command": "" }),
        json!({ "command": 1 }),
        json!({ "command": "true", "input_data": 5 }),
        json!({ "command": "true", "timeout": 0 }),
        json!({ "command": "true", "timeout": "5" }),
    ] {
        assert_envelope(&alice.post(&exec, bad).await, 400, "BadRequest");
    }
    let session = format!("/v1/sessions/{id}");
    assert_eq!(alice.get(&session).await.body["status"], "active");
    assert_eq!(alice.get("/v1/customers/me").await.body["sessions_used"], 1);
    assert_eq!(alice.delete(&session).await.status, 200);
}

#[tokio::test]
async fn concurrent_sessions_and_the_free_cdp_quota_are_enforced() {
    let app = spawn_with(enclave_app(|c| c.platform.sandbox.free_cdps_per_month = 4)).await;
    let (_, key) = signup(&app, "q@q.example", None).await;
    let enclave = app.enclave(&key);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = enclave.post("/v1/sessions", json!({})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.body["session_id"].as_str().unwrap().to_string());
    }
    let r = enclave.post("/v1/sessions", json!({})).await;
    assert_envelope(&r, 429, "RateLimited");
    for id in &ids {
        assert_eq!(
            enclave.delete(&format!("/v1/sessions/{id}")).await.status,
            200,
            "{id}"
        );
    }
    let r = enclave.post("/v1/sessions", json!({})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // 3 CDPs issued + 1 live session = the cap of 4.
    let r = enclave.post("/v1/sessions", json!({})).await;
    assert_envelope(&r, 402, "QuotaExceeded");
    assert_eq!(
        r.body["message"],
        "Free tier limit of 4 CDPs/month exceeded. Upgrade to continue."
    );
}

#[tokio::test]
async fn an_expired_session_is_reaped_with_a_cdp() {
    let app = spawn_enclave().await;
    let (_, key) = signup(&app, "ttl@t.example", Some("UK")).await;
    let enclave = app.enclave(&key);
    let created = enclave
        .post(
            "/v1/sessions",
            json!({ "ttl_seconds": 1, "data_classification": "PII" }),
        )
        .await
        .body;
    let id = created["session_id"].as_str().unwrap();
    assert_eq!(created["ttl_seconds"], 1);
    enclave
        .post(
            &format!("/v1/sessions/{id}/exec"),
            json!({ "command": "echo secret > f" }),
        )
        .await;
    let mut status = Value::Null;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = enclave.get(&format!("/v1/sessions/{id}")).await.body["status"].clone();
        if status != "active" {
            break;
        }
    }
    assert_eq!(status, "expired");
    let r = enclave.get(&format!("/v1/proofs/{id}")).await;
    assert_eq!(r.status, 200);
    let cdp = r.body;
    assert!(proof::cdp::verify(&cdp).valid);
    assert_eq!(cdp["session_context"]["jurisdiction"], "UK");
    assert!(cdp["regulatory_context"].to_string().contains("UK GDPR"));
}

#[tokio::test]
async fn a_timed_out_exec_reports_it_and_the_session_stays_usable() {
    let app = spawn_enclave().await;
    let (_, key) = signup(&app, "slow@s.example", None).await;
    let enclave = app.enclave(&key);
    let created = enclave.post("/v1/sessions", json!({})).await.body;
    let id = created["session_id"].as_str().unwrap();
    let exec = format!("/v1/sessions/{id}/exec");
    let r = enclave
        .post(
            &exec,
            json!({ "command": "echo start; sleep 30", "timeout": 1 }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["timed_out"], true);
    assert_eq!(r.body["output"], "start\n");
    let out = enclave.post(&exec, json!({ "command": "curl -s --max-time 2 http://1.1.1.1 || python3 -c 'import socket; socket.create_connection((\"1.1.1.1\", 80), timeout=2)' 2>&1 | tail -1" })).await.body;
    assert!(
        out["output"].as_str().unwrap().contains("unreachable"),
        "{out}"
    );
    let d = enclave.delete(&format!("/v1/sessions/{id}")).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.body["status"], "destroyed");
}

#[tokio::test]
async fn verify_is_public_stateless_and_names_the_failed_check() {
    let app = spawn_with(enclave_only().limit("enclave.verify", 3, 60)).await;
    let (_, key) = signup(&app, "v@v.example", None).await;
    let destroyed = destroyed_session(&app, &key).await;
    let public = app.client(ServiceName::Enclave);
    let mut tampered = destroyed["cdp"].clone();
    tampered["destroyed_at"] = json!("2020-01-01T00:00:00Z");
    let r = public.post("/v1/verify", tampered).await;
    assert_eq!(r.status, 200);
    let verdict = r.body;
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
    let r = post_malformed(&app, "/v1/verify", "not json").await;
    assert_envelope(&r, 400, "BadRequest");
    let r = public.post("/v1/verify", json!({})).await;
    assert_eq!((r.status, r.body["valid"].clone()), (200, json!(false)));
    let r = public.post("/v1/verify", json!({})).await;
    assert_envelope(&r, 429, "RateLimited");
    assert!(r.headers.contains_key("retry-after"));
    let r = public.get("/v1/keys/nrx-verify-none").await;
    assert_envelope(&r, 404, "NotFound");
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
    let app = spawn_with(AppOptions::contract_limits().services(&[ServiceName::Enclave])).await;
    let (_, key) = signup(&app, "r0@r.example", None).await;
    for i in 1..10 {
        signup(&app, &format!("r{i}@r.example"), None).await;
    }
    let r = signup_raw(&app, json!({ "email": "r10@r.example" })).await;
    assert_envelope(&r, 429, "RateLimited");
    assert!(r.headers.contains_key("retry-after"));
    // Free tier: 60 requests a minute per customer.
    let enclave = app.enclave(&key);
    for i in 0..60 {
        assert_eq!(
            enclave.get("/v1/customers/me").await.status,
            200,
            "request {}",
            i + 1
        );
    }
    let r = enclave.get("/v1/customers/me").await;
    assert_envelope(&r, 429, "RateLimited");
    assert!(r.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn health_runs_each_engine_check() {
    let app = spawn_enclave().await;
    let public = app.client(ServiceName::Enclave);
    let r = public.get("/v1/health").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "healthy");
    assert_eq!(
        r.body["engines"],
        json!({ "eee": true, "dire": true, "rzl": true, "fgx": true, "ave": true })
    );
    assert_eq!(r.body["database"], true);
    assert_envelope(&public.get("/v1/nowhere").await, 404, "NotFound");
}

#[tokio::test]
async fn sessions_left_live_by_a_stopped_server_are_recovered_with_a_cdp() {
    let first = spawn_enclave().await;
    let (_, key) = signup(&first, "crash@c.example", None).await;
    let created = first
        .enclave(&key)
        .post("/v1/sessions", json!({}))
        .await
        .body;
    let id = created["session_id"].as_str().unwrap().to_string();
    first
        .enclave(&key)
        .post(
            &format!("/v1/sessions/{id}/exec"),
            json!({ "command": "echo data > f" }),
        )
        .await;
    let (options, tmp) = first.stop_keeping_data().await;
    let second = spawn_with(options.services(&[ServiceName::Enclave])).await;
    let enclave = second.enclave(&key);
    let mut status = Value::Null;
    for _ in 0..50 {
        status = enclave.get(&format!("/v1/sessions/{id}")).await.body["status"].clone();
        if status != "active" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "expired");
    let r = enclave.get(&format!("/v1/proofs/{id}")).await;
    assert_eq!(r.status, 200);
    assert!(proof::cdp::verify(&r.body).valid);
    drop(tmp);
}

#[tokio::test]
async fn a_cdp_verifies_offline_with_the_cli_and_with_plain_python() {
    let app = spawn_enclave().await;
    let (_, key) = signup(&app, "offline@o.example", None).await;
    let destroyed = destroyed_session(&app, &key).await;
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
    let app = spawn_enclave().await;
    let (_, key) = signup(&app, "hostile@h.example", None).await;
    let enclave = app.enclave(&key);
    let created = enclave.post("/v1/sessions", json!({})).await.body;
    let id = created["session_id"].as_str().unwrap();
    let path = format!("/v1/sessions/{id}/exec");
    let exec = |command: &'static str| {
        let (enclave, path) = (&enclave, &path);
        async move {
            enclave
                .post(path, json!({ "command": command, "timeout": 10 }))
                .await
                .body
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
    let r = enclave.delete(&format!("/v1/sessions/{id}")).await;
    assert_eq!(r.status, 200);
    let destroyed = r.body;
    assert_eq!(
        destroyed["status"], "destroyed",
        "{}",
        destroyed["evidence"]
    );
    assert!(proof::cdp::verify(&destroyed["cdp"]).valid);
    assert_eq!(destroyed["evidence"][0]["processes_remaining"], 0);
}
