//! netwatch over HTTP: Supabase-style login, licences and agents, detections uploaded from the
//! real engine's replay of real captures, alerts and triage, traces and offline-verifiable
//! proof trails, the whitelist and rule overrides pushed to agents, tenant isolation and bad input.

use ::netwatch::model::Plan;
use platform::ServiceName;
use serde_json::{json, Value};

use crate::helpers::netwatch::*;
use crate::helpers::*;

const NW: ServiceName = ServiceName::Netwatch;

#[tokio::test]
async fn a_supabase_client_logs_in_refreshes_and_logs_out() {
    let app = spawn_netwatch().await;
    app.user("acme", "ana@acme.test", NW, "analyst").await;
    let c = app.client(NW);
    let r = c
        .post(
            "/auth/v1/token?grant_type=password",
            json!({"email": "ana@acme.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for field in ["access_token", "refresh_token", "expires_in", "expires_at"] {
        assert!(!r.body[field].is_null(), "{field} missing: {}", r.body);
    }
    assert_eq!(r.body["token_type"], "bearer");
    assert_eq!(r.body["user"]["email"], "ana@acme.test");
    assert_eq!(r.body["user"]["aud"], "authenticated");
    let (access, refresh) = (
        r.body["access_token"].as_str().unwrap().to_string(),
        r.body["refresh_token"].as_str().unwrap().to_string(),
    );
    assert_eq!(
        app.client(NW)
            .bearer(&access)
            .get("/api/v1/alerts/")
            .await
            .status,
        200
    );
    assert_eq!(
        app.client(NW)
            .bearer(&access)
            .get("/auth/v1/user")
            .await
            .body["email"],
        "ana@acme.test"
    );

    let wrong = c
        .post(
            "/auth/v1/token?grant_type=password",
            json!({"email": "ana@acme.test", "password": "nope"}),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{}",
        wrong.body
    );
    assert_eq!(wrong.body["msg"], "Invalid login credentials");

    let renewed = c
        .post(
            "/auth/v1/token?grant_type=refresh_token",
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    assert_ne!(renewed.body["refresh_token"].as_str().unwrap(), refresh);
    let reused = c
        .post(
            "/auth/v1/token?grant_type=refresh_token",
            json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(
        (reused.status, reused.body["error"].as_str()),
        (400, Some("invalid_grant")),
        "a refresh token is single use"
    );

    let new_access = renewed.body["access_token"].as_str().unwrap();
    assert_eq!(
        app.client(NW)
            .bearer(new_access)
            .post("/auth/v1/logout", json!({}))
            .await
            .status,
        204
    );
    let after = c
        .post(
            "/auth/v1/token?grant_type=refresh_token",
            json!({"refresh_token": renewed.body["refresh_token"]}),
        )
        .await;
    assert_eq!(after.status, 400, "logout revokes refresh tokens");
    let grant = c.post("/auth/v1/token?grant_type=magic", json!({})).await;
    assert_eq!(grant.status, 400);
    app.stop().await;
}

/// Every stored alert's explanation adds up: base + Σ = score, in probability and in log-odds.
fn assert_shap_adds_up(alert: &Value) {
    let shap = &alert["shap_json"];
    let sum = |key: &str, base: &str| {
        shap["features"]
            .as_array()
            .unwrap()
            .iter()
            .fold(shap[base].as_f64().unwrap(), |acc, f| {
                acc + f[key].as_f64().unwrap()
            })
    };
    let score = alert["score"].as_f64().unwrap();
    assert!(
        (sum("contribution", "base_value") - score).abs() < 1e-9,
        "{shap}"
    );
    assert!(
        (sum("logit_contribution", "base_logit") - shap["logit"].as_f64().unwrap()).abs() < 1e-9,
        "{shap}"
    );
    assert_eq!(shap["score"].as_f64().unwrap(), score);
}

#[tokio::test]
async fn an_agent_uploads_detections_that_become_alerts_traces_and_verifiable_trails() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Business, None).await;
    let agent = app.agent_token(&key, "web-01").await;
    let analyst = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    let auditor = app.netwatch_user("acme", "aud@acme.test", "auditor").await;

    let hb = app
        .client(NW)
        .bearer(&agent)
        .post(
            "/api/v1/agents/heartbeat",
            json!({"agent_version": "0.0.9", "stats": {"packets": 12}}),
        )
        .await;
    assert_eq!(hb.status, 200, "{}", hb.body);
    assert_eq!(
        (
            hb.body["license_status"].as_str(),
            hb.body["update_available"].as_bool()
        ),
        (Some("active"), Some(true))
    );
    let version = app
        .client(NW)
        .bearer(&agent)
        .get("/api/v1/agents/version")
        .await;
    assert_eq!(version.body["latest_version"], env!("CARGO_PKG_VERSION"));

    let mut detections = detections_of("scan_sS_T4");
    detections.extend(detections_of("hydra_ssh"));
    detections.extend(detections_of("dns_tunnel"));
    let n = detections.len();
    assert!(n >= 3);
    let up = app.upload(&agent, detections.clone()).await;
    assert_eq!(
        (up.status, up.body["accepted"].as_u64()),
        (200, Some(n as u64)),
        "{}",
        up.body
    );
    let again = app.upload(&agent, detections).await;
    assert_eq!(
        (
            again.body["accepted"].as_u64(),
            again.body["duplicates"].as_u64()
        ),
        (Some(0), Some(n as u64)),
        "{}",
        again.body
    );

    let list = app.client(NW).bearer(&analyst).get("/api/v1/alerts/").await;
    assert_eq!(
        (list.status, list.body["total"].as_u64()),
        (200, Some(n as u64)),
        "{}",
        list.body
    );
    for alert in list.body["alerts"].as_array().unwrap() {
        assert_shap_adds_up(alert);
        assert_eq!(alert["status"], "open");
    }
    let scans = app
        .client(NW)
        .bearer(&analyst)
        .get("/api/v1/alerts?rule=PORT_SCAN&severity=HIGH&limit=500")
        .await;
    assert_eq!(scans.body["total"], 1, "{}", scans.body);
    let scan = &scans.body["alerts"][0];
    assert_eq!(
        (
            scan["source_ip"].as_str(),
            scan["dest_ip"].as_str(),
            scan["protocol"].as_str()
        ),
        (Some("10.200.0.1"), Some("10.200.0.2"), Some("TCP"))
    );
    let id = scan["id"].as_str().unwrap();
    let detail = app
        .client(NW)
        .bearer(&auditor)
        .get(&format!("/api/v1/alerts/{id}"))
        .await;
    assert_eq!(detail.body["evidence"]["method"], "trw", "{}", detail.body);
    assert_eq!(
        app.client(NW)
            .bearer(&analyst)
            .get("/api/v1/alerts/?status=bogus")
            .await
            .status,
        400
    );

    // Traces: searchable by words of the rule name.
    let traces = app
        .client(NW)
        .bearer(&auditor)
        .get("/api/v1/traces/?search=port+scan")
        .await;
    assert_eq!(traces.body["total"], 1, "{}", traces.body);
    let trace_id = traces.body["traces"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(trace_id, scan["trace_id"].as_str().unwrap());
    let trace = app
        .client(NW)
        .bearer(&auditor)
        .get(&format!("/api/v1/traces/{trace_id}"))
        .await;
    assert_eq!(
        trace.body["steps"]["decision"]["rule"], "PORT_SCAN",
        "{}",
        trace.body
    );

    // Triage: an auditor may not, an analyst may; the trail records it and still verifies.
    let put = json!({"status": "false_positive", "notes": "our own scanner"});
    assert_eq!(
        app.client(NW)
            .bearer(&auditor)
            .put(&format!("/api/v1/alerts/{id}"), put.clone())
            .await
            .status,
        403
    );
    let triaged = app
        .client(NW)
        .bearer(&analyst)
        .put(&format!("/api/v1/alerts/{id}"), put)
        .await;
    assert_eq!(
        (triaged.status, triaged.body["status"].as_str()),
        (200, Some("false_positive")),
        "{}",
        triaged.body
    );
    assert_eq!(
        app.client(NW)
            .bearer(&analyst)
            .put(&format!("/api/v1/alerts/{id}"), json!({"status": "closed"}))
            .await
            .status,
        400
    );

    let trail = app
        .client(NW)
        .bearer(&auditor)
        .get(&format!("/api/v1/traces/{trace_id}/proof-trail"))
        .await;
    let key = app
        .client(NW)
        .bearer(&auditor)
        .get("/api/v1/proof/public-key")
        .await
        .body["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    let verdict = proof::trail::verify(&trail.body, Some(&key));
    assert!(verdict.valid, "{:?}", verdict.errors);
    assert_eq!(
        verdict.entries, 6,
        "input, features, contributions, decision, output, triage"
    );
    assert_eq!(trail.body["entries"][5]["data"]["status"], "false_positive");

    // The offline verifier: no server, no data dir. A changed byte is caught.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trail.json");
    std::fs::write(&file, serde_json::to_string_pretty(&trail.body).unwrap()).unwrap();
    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_redoubt"))
        .args(["verify", "trail"])
        .arg(&file)
        .args(["--public-key", &key])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let tampered = trail.text.replacen("\"PORT_SCAN\"", "\"PORT_SCAM\"", 1);
    std::fs::write(&file, tampered).unwrap();
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_redoubt"))
        .args(["verify", "trail"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );

    // The false positive reaches the agent as a suppression; the device is listed.
    let config = app
        .client(NW)
        .bearer(&agent)
        .get("/api/v1/agents/config")
        .await;
    assert_eq!(
        config.body["suppressions"][0]["rule"], "PORT_SCAN",
        "{}",
        config.body
    );
    assert_eq!(config.body["suppressions"][0]["source_ip"], "10.200.0.1");
    let devices = app.client(NW).bearer(&auditor).get("/api/v1/devices").await;
    assert_eq!(
        (
            devices.body["total"].as_u64(),
            devices.body["devices"][0]["status"].as_str()
        ),
        (Some(1), Some("online")),
        "{}",
        devices.body
    );
    app.stop().await;
}

#[tokio::test]
async fn licences_lock_agents_and_tenants_never_see_each_other() {
    let app = spawn_netwatch().await;
    let (_, key_a) = app.license("acme", Plan::Professional, None).await;
    let (_, key_b) = app.license("globex", Plan::Professional, None).await;
    let agent_a = app.agent_token(&key_a, "a-1").await;
    let agent_b = app.agent_token(&key_b, "a-1").await;
    assert_eq!(
        app.upload(&agent_a, detections_of("scan_sS_T4"))
            .await
            .status,
        200
    );
    let alice = app.netwatch_user("acme", "alice@acme.test", "admin").await;
    let bob = app
        .netwatch_user("globex", "bob@globex.test", "admin")
        .await;

    let a = app.client(NW).bearer(&alice).get("/api/v1/alerts/").await;
    let id = a.body["alerts"][0]["id"].as_str().unwrap().to_string();
    let trace = a.body["alerts"][0]["trace_id"]
        .as_str()
        .unwrap()
        .to_string();
    let entry = app
        .client(NW)
        .bearer(&alice)
        .post(
            "/api/v1/settings/whitelist",
            json!({"cidr": "192.0.2.0/24", "note": "lab"}),
        )
        .await;
    assert_eq!(entry.status, 201, "{}", entry.body);
    let entry_id = entry.body["id"].as_str().unwrap();
    let b = app.client(NW).bearer(&bob);
    assert_eq!(b.get("/api/v1/alerts/").await.body["total"], 0);
    for path in [
        format!("/api/v1/alerts/{id}"),
        format!("/api/v1/traces/{trace}"),
        format!("/api/v1/traces/{trace}/proof-trail"),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(r.body["detail"].is_string());
    }
    assert_eq!(
        b.put(
            &format!("/api/v1/alerts/{id}"),
            json!({"status": "resolved"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        b.delete(&format!("/api/v1/settings/whitelist/{entry_id}"))
            .await
            .status,
        404
    );
    assert_eq!(b.get("/api/v1/settings/whitelist").await.body["total"], 0);
    // The same agent_id under another tenant is another device, and sees only its tenant.
    assert_eq!(
        app.client(NW)
            .bearer(&agent_b)
            .get("/api/v1/agents/config")
            .await
            .body["whitelist"],
        json!([])
    );

    // Tokens in the wrong place.
    assert_eq!(
        app.client(NW)
            .bearer(&agent_a)
            .get("/api/v1/alerts/")
            .await
            .status,
        403
    );
    assert_eq!(
        app.client(NW)
            .bearer(&alice)
            .get("/api/v1/agents/config")
            .await
            .status,
        403
    );
    let forged = platform::identity::JwtKeys::new(&[9u8; 64], 3600).issue(
        NW,
        uuid::Uuid::new_v4(),
        "agent:x",
        uuid::Uuid::new_v4(),
        "agent",
    );
    assert_eq!(
        app.client(NW)
            .bearer(&forged)
            .post("/api/v1/agents/detections", json!({"detections": []}))
            .await
            .status,
        401
    );
    assert_eq!(app.client(NW).get("/api/v1/alerts/").await.status, 401);

    // Licences: unknown 401, expired 423, revoked 423 on the routes an agent already holds a token for.
    let auth = |key: &str| json!({"license_key": key, "agent_id": "x", "hostname": "x", "os_type": "linux", "agent_version": "1.0.0"});
    assert_eq!(
        app.client(NW)
            .post("/api/v1/agents/auth", auth("nsx_unknown"))
            .await
            .status,
        401
    );
    let (_, expired) = app
        .license(
            "acme",
            Plan::Free,
            Some(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .await;
    let r = app
        .client(NW)
        .post("/api/v1/agents/auth", auth(&expired))
        .await;
    assert_eq!(r.status, 423, "{}", r.body);
    let licences: Vec<(uuid::Uuid,)> = platform::on_db!(app.platform.db(), |p| sqlx::query_as(
        "SELECT id FROM netwatch_licenses WHERE plan = 'professional'"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    let (tenant_a, _) = app.platform.accounts().ensure_tenant("acme").await.unwrap();
    for (id,) in licences {
        ::netwatch::licenses::revoke_license(&app.platform, tenant_a.id, id)
            .await
            .unwrap();
    }
    assert_eq!(
        app.client(NW)
            .bearer(&agent_a)
            .get("/api/v1/agents/config")
            .await
            .status,
        423
    );
    assert_eq!(
        app.client(NW)
            .bearer(&agent_b)
            .get("/api/v1/agents/config")
            .await
            .status,
        200,
        "revoking acme's licence leaves globex's"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_and_store_nothing() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Business, None).await;
    let agent = app.agent_token(&key, "web-01").await;
    let good = detections_of("scan_sS_T4").remove(0);
    let with = |k: &str, v: Value| {
        let mut d = good.clone();
        d[k] = v;
        json!({"detections": [d]})
    };
    let mut unbalanced = good.clone();
    unbalanced["explanation"]["features"][0]["contribution"] = json!(0.25);
    let huge: Vec<Value> = (0..201)
        .map(|i| {
            let mut d = good.clone();
            d["upload_id"] = json!(format!("u{i}"));
            d
        })
        .collect();
    let cases = [
        ("unknown rule", with("rule", json!("TEA_TIME"))),
        ("bad address", with("source_ip", json!("300.1.1.1"))),
        ("wrong type", with("port", json!("twenty-two"))),
        ("unknown protocol", with("protocol", json!("SCTP"))),
        ("bad upload id", with("upload_id", json!("a b"))),
        ("future time", with("ts", json!(4_102_444_800.0))),
        ("SHAP not adding up", json!({"detections": [unbalanced]})),
        ("too many", json!({"detections": huge})),
        ("empty", json!({"detections": []})),
        ("unknown field", with("extra", json!(1))),
    ];
    let c = app.client(NW).bearer(&agent);
    for (what, body) in cases {
        let r = c.post("/api/v1/agents/detections", body).await;
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert!(r.body["detail"].is_string(), "{what}: {}", r.body);
    }
    let raw = c
        .send_raw(
            reqwest::Method::POST,
            "/api/v1/agents/detections",
            Some(("application/json", b"{\"detections\": [".to_vec())),
        )
        .await;
    assert_eq!(raw.status, 400, "{}", raw.body);
    let admin = app.netwatch_user("acme", "alice@acme.test", "admin").await;
    assert_eq!(
        app.client(NW)
            .bearer(&admin)
            .get("/api/v1/alerts/")
            .await
            .body["total"],
        0
    );
    let rows: (i64,) = platform::on_db!(app.platform.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM netwatch_trail_entries"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(rows.0, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_whitelist_and_rule_overrides_reach_the_agent() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Starter, None).await;
    let agent = app.agent_token(&key, "web-01").await;
    let admin = app.netwatch_user("acme", "alice@acme.test", "admin").await;
    let auditor = app.netwatch_user("acme", "aud@acme.test", "auditor").await;
    let a = app.client(NW).bearer(&admin);
    let added = a
        .post(
            "/api/v1/settings/whitelist",
            json!({"ip": "10.200.0.77", "note": "backup server"}),
        )
        .await;
    assert_eq!(
        (added.status, added.body["cidr"].as_str()),
        (201, Some("10.200.0.77/32")),
        "{}",
        added.body
    );
    assert_eq!(
        a.post("/api/v1/settings/whitelist", json!({"cidr": "10.200.0.77"}))
            .await
            .status,
        409
    );
    assert_eq!(
        a.post("/api/v1/settings/whitelist", json!({"cidr": "10.0.0.0/33"}))
            .await
            .status,
        400
    );
    assert_eq!(
        app.client(NW)
            .bearer(&auditor)
            .post("/api/v1/settings/whitelist", json!({"cidr": "10.0.0.1"}))
            .await
            .status,
        403
    );

    let rules = a
        .put(
            "/api/v1/settings/rules",
            json!({"rules": {"PORT_SCAN": {"enabled": true, "thresholds": {"trw_upper": 8.0}},
        "SHADOW_AI": {"enabled": false}}}),
        )
        .await;
    assert_eq!(rules.status, 200, "{}", rules.body);
    assert_eq!(
        a.put(
            "/api/v1/settings/rules",
            json!({"rules": {"PORT_SCAN": {"thresholds": {"nope": 1.0}}}})
        )
        .await
        .status,
        400
    );
    assert_eq!(
        a.put(
            "/api/v1/settings/rules",
            json!({"rules": {"NOT_A_RULE": {}}})
        )
        .await
        .status,
        400
    );

    let config = app
        .client(NW)
        .bearer(&agent)
        .get("/api/v1/agents/config")
        .await
        .body;
    assert_eq!(config["whitelist"], json!(["10.200.0.77/32"]));
    assert_eq!(config["rules"]["PORT_SCAN"]["thresholds"]["trw_upper"], 8.0);
    assert_eq!(config["rules"]["SHADOW_AI"]["enabled"], false);
    assert_eq!(
        config["rules"]["C2_BEACON"]["enabled"], false,
        "starter covers the core rules only"
    );
    // The agent's engine reads this configuration as it is.
    let engine: netdetect::EngineConfig =
        serde_json::from_value(json!({"rules": config["rules"], "whitelist": config["whitelist"]}))
            .unwrap();
    assert!(
        !engine.enabled(netdetect::Rule::ShadowAi)
            && engine.threshold(netdetect::Rule::PortScan, "trw_upper") == 8.0
    );
    let id = added.body["id"].as_str().unwrap();
    assert_eq!(
        a.delete(&format!("/api/v1/settings/whitelist/{id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        a.delete(&format!("/api/v1/settings/whitelist/{id}"))
            .await
            .status,
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn heartbeats_are_limited_to_two_a_minute_per_agent() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Free, None).await;
    let one = app.agent_token(&key, "one").await;
    let two = app.agent_token(&key, "two").await;
    let beat = |t: &str| {
        let t = t.to_string();
        let app = &app;
        async move {
            app.client(NW)
                .bearer(&t)
                .post("/api/v1/agents/heartbeat", json!({}))
                .await
                .status
        }
    };
    assert_eq!((beat(&one).await, beat(&one).await), (200, 200));
    assert_eq!(beat(&one).await, 429);
    assert_eq!(beat(&two).await, 200, "the limit is per agent");
    app.stop().await;
}

#[tokio::test]
async fn licences_come_from_the_command_line_and_revoking_one_locks_its_agents() {
    use crate::cli::{json_out, redoubt};
    // The commands run while no server holds the database (as an operator would on SQLite).
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = fresh_database_url(tmp.path()).await;
    assert!(
        redoubt(&data, &url, &["admin", "create-tenant", "--name", "acme"])
            .status
            .success()
    );
    let out = redoubt(
        &data,
        &url,
        &[
            "admin",
            "create-license",
            "--tenant",
            "acme",
            "--plan",
            "business",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issued = json_out(&out);
    let key = issued["license_key"].as_str().unwrap().to_string();
    assert!(key.starts_with("nsx_") && key.len() == 52, "{issued}");
    assert_eq!(issued["plan"], "business");
    for bad in [&["--plan", "platinum"][..], &[]] {
        let tenant = if bad.is_empty() { "nobody" } else { "acme" };
        let mut args = vec!["admin", "create-license", "--tenant", tenant];
        args.extend_from_slice(bad);
        assert!(!redoubt(&data, &url, &args).status.success(), "{args:?}");
    }
    let reuse = |url: &str| AppOptions {
        reuse: Some((url.to_string(), data.clone())),
        ..netwatch_only()
    };
    let app = spawn_with(reuse(&url)).await;
    let stored: (i64,) = platform::on_db!(app.platform.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM netwatch_licenses WHERE key_prefix = $1"
    )
    .bind(&key[..12])
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(stored.0, 1, "only the prefix and the hash are kept");
    let agent = app.agent_token(&key, "cli-1").await;
    assert_eq!(
        app.client(NW)
            .bearer(&agent)
            .get("/api/v1/agents/config")
            .await
            .status,
        200
    );
    app.stop_keeping_data().await;

    let id = issued["license_id"].as_str().unwrap();
    let out = redoubt(
        &data,
        &url,
        &[
            "admin",
            "revoke-license",
            "--tenant",
            "acme",
            "--license-id",
            id,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = spawn_with(reuse(&url)).await;
    let locked = app
        .client(NW)
        .bearer(&agent)
        .get("/api/v1/agents/config")
        .await;
    assert_eq!(
        (locked.status, locked.body["detail"].is_string()),
        (423, true),
        "{}",
        locked.body
    );
    let again = app
        .client(NW)
        .post(
            "/api/v1/agents/auth",
            json!({"license_key": key, "agent_id": "cli-1",
        "hostname": "h", "os_type": "linux", "agent_version": "1.0.0"}),
        )
        .await;
    assert_eq!(again.status, 423);
    app.stop().await;
}
