//! netwatch analytics, NIS2 readiness, locks and the rate-limit headers, over HTTP on the real
//! server: figures checked against what was uploaded and triaged, every readiness check moved
//! by changing the state it reads, 423 for a locked account or lapsed licence, and
//! `X-RateLimit-*` on every response with the contract's four categories.

use ::netwatch::model::Plan;
use platform::ServiceName;
use serde_json::{json, Value};

use crate::helpers::netwatch::*;
use crate::helpers::*;

const NW: ServiceName = ServiceName::Netwatch;

/// `detections` moved in time: detected `days_ago` days before now.
fn aged(mut detections: Vec<Value>, days_ago: i64, tag: &str) -> Vec<Value> {
    let now = chrono::Utc::now().timestamp() as f64;
    for (i, d) in detections.iter_mut().enumerate() {
        let span = d["ts"].as_f64().unwrap() - d["first_seen"].as_f64().unwrap();
        d["ts"] = json!(now - (days_ago * 86_400) as f64 - i as f64);
        d["first_seen"] = json!(d["ts"].as_f64().unwrap() - span);
        d["upload_id"] = json!(format!("{tag}-{i}"));
    }
    detections
}

/// Moves the tenant's alerts' arrival back by `hours` (the API cannot backdate).
async fn backdate_alerts(app: &TestApp, tenant: uuid::Uuid, hours: i64) {
    let when = chrono::Utc::now() - chrono::Duration::hours(hours);
    let sql = "UPDATE netwatch_alerts SET created_at = $1 WHERE tenant_id = $2";
    platform::on_db!(app.platform.db(), |p| sqlx::query(sql)
        .bind(when)
        .bind(tenant)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
}

#[tokio::test]
async fn analytics_add_up_to_what_was_uploaded_and_triaged() {
    let app = spawn_netwatch().await;
    let (tenant, key) = app.license("acme", Plan::Business, None).await;
    let agent_a = app.agent_token(&key, "web-01").await;
    let _agent_b = app.agent_token(&key, "db-01").await;
    let scans = aged(detections_of("scan_sS_T4"), 0, "scan");
    let beacons = aged(detections_of("c2_beacon"), 2, "beacon");
    let shadow = aged(detections_of("shadow_ai"), 2, "shadow");
    let uploaded = scans.len() + beacons.len() + shadow.len();
    for batch in [&scans, &beacons, &shadow] {
        assert_eq!(app.upload(&agent_a, batch.clone()).await.status, 200);
    }
    // A self-test is kept out of every figure.
    // Real detections cannot be filed as a self-test.
    let disguised = aged(detections_of("scan_sS_T5"), 0, "disguised");
    let r = app
        .client(NW)
        .bearer(&agent_a)
        .post(
            "/api/v1/agents/detections",
            json!({"detections": disguised, "self_test": true}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let selftest = self_test_detections("selftest");
    let r = app
        .client(NW)
        .bearer(&agent_a)
        .post(
            "/api/v1/agents/detections",
            json!({"detections": selftest, "self_test": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let analyst = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    let auditor = app.netwatch_user("acme", "aud@acme.test", "auditor").await;
    let c = app.client(NW).bearer(&analyst);
    let alerts = c.get("/api/v1/alerts/?limit=100").await.body["alerts"].clone();
    let alerts = alerts.as_array().unwrap().clone();
    assert_eq!(alerts.len(), uploaded + 1);
    let real: Vec<&Value> = alerts.iter().filter(|a| a["self_test"] == false).collect();
    assert_eq!(real.len(), uploaded);
    // Triage: one false positive, one resolved, one reviewed.
    for (alert, status) in real.iter().zip(["false_positive", "resolved", "reviewed"]) {
        let r = c
            .put(
                &format!("/api/v1/alerts/{}", alert["id"].as_str().unwrap()),
                json!({"status": status}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    let s = app
        .client(NW)
        .bearer(&auditor)
        .get("/api/v1/analytics/summary")
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(s.body["total_alerts"], uploaded);
    assert_eq!(s.body["open_alerts"], uploaded - 3);
    assert_eq!(s.body["by_status"]["false_positive"], 1);
    assert_eq!(s.body["by_status"]["resolved"], 1);
    assert_eq!(s.body["by_status"]["reviewed"], 1);
    assert_eq!(s.body["false_positive_rate"], 0.5);
    assert_eq!(s.body["triaged_alerts"], 3);
    assert_eq!(s.body["resolved_alerts"], 2);
    let triage = s.body["avg_time_to_triage_secs"].as_f64().unwrap();
    assert!((0.0..60.0).contains(&triage), "{triage}");

    let t = c.get("/api/v1/analytics/alerts-over-time?days=7").await;
    assert_eq!(t.status, 200, "{}", t.body);
    let points = t.body["points"].as_array().unwrap();
    assert_eq!(points.len(), 7);
    let counts: Vec<u64> = points
        .iter()
        .map(|p| p["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts[6] as usize, scans.len(), "today: {counts:?}");
    assert_eq!(
        counts[4] as usize,
        beacons.len() + shadow.len(),
        "two days ago: {counts:?}"
    );
    assert_eq!(
        counts.iter().sum::<u64>() as usize,
        uploaded,
        "zeros elsewhere: {counts:?}"
    );
    assert_eq!(
        points[6]["date"],
        chrono::Utc::now().format("%Y-%m-%d").to_string()
    );
    assert_eq!(
        points[4]["by_severity"]["CRITICAL"].as_u64().unwrap() as usize,
        beacons.len()
    );
    assert_eq!(
        c.get("/api/v1/analytics/alerts-over-time").await.body["points"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
    for bad in ["0", "366", "abc", "-1", "7.5"] {
        let r = c
            .get(&format!("/api/v1/analytics/alerts-over-time?days={bad}"))
            .await;
        assert_eq!(r.status, 400, "days={bad}: {}", r.body);
        assert!(r.body["detail"].as_str().unwrap().contains("days"));
    }

    let d = c.get("/api/v1/analytics/severity-distribution").await.body;
    assert_eq!(d["total"], uploaded);
    let names: Vec<&str> = d["severities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["severity"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CRITICAL", "HIGH", "MEDIUM", "LOW"]);
    assert_eq!(
        d["severities"][0]["count"].as_u64().unwrap() as usize,
        beacons.len()
    );
    assert_eq!(
        d["severities"][1]["count"].as_u64().unwrap() as usize,
        scans.len()
    );

    let top = c.get("/api/v1/analytics/top-rules?limit=2").await.body;
    let rules = top["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert!(rules[0]["count"].as_u64() >= rules[1]["count"].as_u64());
    assert_eq!(
        c.get("/api/v1/analytics/top-rules?limit=0").await.status,
        400
    );
    assert_eq!(
        c.get("/api/v1/analytics/top-rules?limit=101").await.status,
        400
    );

    // Device risk: recomputed here from the unresolved alerts with the documented formula.
    let risk = c.get("/api/v1/analytics/device-risk").await.body;
    let devices = risk["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0]["agent_id"], "web-01", "riskiest first");
    let weight = |s: &str| match s {
        "CRITICAL" => 1.0,
        "HIGH" => 0.7,
        "MEDIUM" => 0.4,
        _ => 0.1,
    };
    let listed = c.get("/api/v1/alerts/?limit=100").await.body["alerts"].clone();
    let safe: f64 = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["self_test"] == false && (a["status"] == "open" || a["status"] == "reviewed"))
        .map(|a| 1.0 - weight(a["severity"].as_str().unwrap()) * a["score"].as_f64().unwrap())
        .product();
    let expected = ((1.0 - safe) * 1000.0).round() / 10.0;
    assert_eq!(devices[0]["risk_score"].as_f64().unwrap(), expected);
    assert_eq!(
        devices[0]["open_alerts"].as_u64().unwrap() as usize,
        uploaded - 3
    );
    assert_eq!(devices[1]["risk_score"], 0.0);
    assert_eq!(devices[1]["open_alerts"], 0);

    // Another tenant sees none of it.
    let other = app
        .netwatch_user("globex", "gus@globex.test", "admin")
        .await;
    let o = app
        .client(NW)
        .bearer(&other)
        .get("/api/v1/analytics/summary")
        .await
        .body;
    assert_eq!(o["total_alerts"], 0);
    assert_eq!(o["false_positive_rate"], Value::Null);
    assert!(app
        .client(NW)
        .bearer(&other)
        .get("/api/v1/analytics/device-risk")
        .await
        .body["devices"]
        .as_array()
        .unwrap()
        .is_empty());
    // Agents and anonymous callers are refused.
    assert_eq!(
        app.client(NW)
            .bearer(&agent_a)
            .get("/api/v1/analytics/summary")
            .await
            .status,
        403
    );
    assert_eq!(
        app.client(NW).get("/api/v1/analytics/summary").await.status,
        401
    );
    let _ = tenant;
}

fn check<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[tokio::test]
async fn every_readiness_check_follows_the_state_it_reads() {
    let app = spawn_netwatch().await;
    let (tenant, key) = app.license("acme", Plan::Business, None).await;
    let admin = app.netwatch_user("acme", "adm@acme.test", "admin").await;
    let analyst = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    let c = app.client(NW).bearer(&admin);

    let s = app
        .client(NW)
        .bearer(&analyst)
        .get("/api/v1/compliance/status")
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(s.body["total"], 8);
    let ids: Vec<&str> = s.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "csirt_contact",
            "incident_response_plan",
            "supply_chain",
            "monitoring_coverage",
            "agents_patched",
            "triage_within_early_warning",
            "mfa",
            "detection_self_test"
        ]
    );
    for c in s.body["checks"].as_array().unwrap() {
        for field in ["title", "article", "evidence", "fix"] {
            assert!(c[field].is_string(), "{field} of {c}");
        }
    }
    assert_eq!(
        s.body["passed"], 1,
        "only the triage check holds on an empty tenant: {}",
        s.body
    );
    assert_eq!(s.body["score"], 13);

    // Settings: admins only, validated, nothing stored on a bad request.
    let put = |token: &str, body: Value| {
        let client = app.client(NW).bearer(token);
        async move { client.put("/api/v1/compliance/settings", body).await }
    };
    assert_eq!(
        put(&analyst, json!({"csirt_contact": "csirt@example.es"}))
            .await
            .status,
        403
    );
    for bad in [
        json!({"csirt_contact": "call Bob"}),
        json!({"csirt_contact": 5}),
        json!({"supply_chain_assessed": "yes"}),
        json!({"irp_reviewed_at": "yesterday"}),
        json!({"irp_reviewed_at": "2999-01-01T00:00:00Z"}),
        json!({"entity_type": "huge"}),
        json!({"member_state": "Spain"}),
        json!({"unknown_field": 1}),
        json!({}),
    ] {
        let r = put(&admin, bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body["detail"].is_string());
    }
    assert_eq!(
        c.get("/api/v1/compliance/settings").await.body["csirt_contact"],
        Value::Null
    );

    let r = put(&admin, json!({"csirt_contact": "csirt@example.es", "irp_reference": "IRP-2024-v3.pdf",
        "supply_chain_assessed": true, "entity_name": "Acme Logistics S.L.", "entity_type": "important", "member_state": "ES"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body["irp_reviewed_at"].is_string(),
        "recording the plan dates its review: {}",
        r.body
    );
    let s = c.get("/api/v1/compliance/status").await.body;
    for id in ["csirt_contact", "incident_response_plan", "supply_chain"] {
        assert_eq!(check(&s, id)["passed"], true, "{id}: {}", check(&s, id));
    }
    assert!(check(&s, "csirt_contact")["evidence"]
        .as_str()
        .unwrap()
        .contains("csirt@example.es"));
    // A review older than a year no longer counts.
    let stale = (chrono::Utc::now() - chrono::Duration::days(400)).to_rfc3339();
    assert_eq!(
        put(&admin, json!({"irp_reviewed_at": stale})).await.status,
        200
    );
    let s = c.get("/api/v1/compliance/status").await.body;
    assert_eq!(check(&s, "incident_response_plan")["passed"], false);
    assert!(!check(&s, "incident_response_plan")["fix"]
        .as_str()
        .unwrap()
        .is_empty());

    // Coverage and versions come from the agents' heartbeats.
    assert_eq!(check(&s, "monitoring_coverage")["passed"], false);
    let agent = app.agent_token(&key, "web-01").await;
    let hb = app
        .client(NW)
        .bearer(&agent)
        .post(
            "/api/v1/agents/heartbeat",
            json!({"agent_version": ::netwatch::model::AGENT_VERSION}),
        )
        .await;
    assert_eq!(hb.status, 200, "{}", hb.body);
    let s = c.get("/api/v1/compliance/status").await.body;
    assert_eq!(
        check(&s, "monitoring_coverage")["passed"],
        true,
        "{}",
        check(&s, "monitoring_coverage")
    );
    assert_eq!(
        check(&s, "agents_patched")["passed"],
        true,
        "{}",
        check(&s, "agents_patched")
    );
    // A second device that never reports drops coverage to 50 %.
    let _silent = app.agent_token(&key, "db-01").await;
    let s = c.get("/api/v1/compliance/status").await.body;
    assert_eq!(check(&s, "monitoring_coverage")["passed"], false);
    assert!(check(&s, "monitoring_coverage")["evidence"]
        .as_str()
        .unwrap()
        .contains("1 of 2"));

    // An urgent alert left open past 24 h fails the triage check; triaging it passes again.
    let scans = aged(detections_of("scan_sS_T4"), 0, "scan");
    assert_eq!(app.upload(&agent, scans).await.status, 200);
    assert_eq!(
        check(
            &c.get("/api/v1/compliance/status").await.body,
            "triage_within_early_warning"
        )["passed"],
        true
    );
    backdate_alerts(&app, tenant, 25).await;
    let s = c.get("/api/v1/compliance/status").await.body;
    assert_eq!(
        check(&s, "triage_within_early_warning")["passed"],
        false,
        "{}",
        check(&s, "triage_within_early_warning")
    );
    let open = c.get("/api/v1/alerts/?status=open&limit=100").await.body["alerts"].clone();
    for a in open.as_array().unwrap() {
        assert_eq!(
            c.put(
                &format!("/api/v1/alerts/{}", a["id"].as_str().unwrap()),
                json!({"status": "reviewed"})
            )
            .await
            .status,
            200
        );
    }
    assert_eq!(
        check(
            &c.get("/api/v1/compliance/status").await.body,
            "triage_within_early_warning"
        )["passed"],
        true
    );

    // MFA: attested by an admin; the self-test: a synthetic detection with its trace.
    assert_eq!(put(&admin, json!({"mfa_enforced": true})).await.status, 200);
    let probe = self_test_detections("probe");
    let r = app
        .client(NW)
        .bearer(&agent)
        .post(
            "/api/v1/agents/detections",
            json!({"detections": probe, "self_test": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = c.get("/api/v1/compliance/status").await.body;
    assert_eq!(check(&s, "mfa")["passed"], true, "{}", check(&s, "mfa"));
    assert_eq!(
        check(&s, "detection_self_test")["passed"],
        true,
        "{}",
        check(&s, "detection_self_test")
    );
    // Passed: csirt, supply chain, patched, triage, mfa, self-test (plan stale, coverage 50 %).
    assert_eq!(s["passed"], 6, "{s}");
    assert_eq!(s["score"], 75);

    // Every change is audited.
    let log = c.get("/api/v1/settings/audit-log?limit=100").await.body;
    let updates = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "compliance.settings.update")
        .count();
    assert_eq!(updates, 3);
}

#[tokio::test]
async fn a_locked_account_and_a_lapsed_licence_answer_423() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Professional, None).await;
    let agent = app.agent_token(&key, "web-01").await;
    let ana = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    assert_eq!(
        app.client(NW)
            .bearer(&ana)
            .get("/api/v1/alerts/")
            .await
            .status,
        200
    );

    assert!(app
        .platform
        .accounts()
        .set_user_status("ana@acme.test", "locked")
        .await
        .unwrap());
    for path in [
        "/api/v1/alerts/",
        "/api/v1/analytics/summary",
        "/api/v1/compliance/status",
        "/api/v1/settings/whitelist",
    ] {
        let r = app.client(NW).bearer(&ana).get(path).await;
        assert_eq!(r.status, 423, "{path}: {}", r.body);
        assert!(r.body["detail"].as_str().unwrap().contains("locked"));
    }
    let login = app
        .client(NW)
        .post(
            "/auth/v1/token?grant_type=password",
            json!({"email": "ana@acme.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 423, "{}", login.body);
    let wrong = app
        .client(NW)
        .post(
            "/auth/v1/token?grant_type=password",
            json!({"email": "ana@acme.test", "password": "nope"}),
        )
        .await;
    assert_eq!(
        wrong.status, 400,
        "a wrong password reveals nothing: {}",
        wrong.body
    );
    assert!(app
        .platform
        .accounts()
        .set_user_status("ana@acme.test", "active")
        .await
        .unwrap());
    assert_eq!(
        app.client(NW)
            .bearer(&ana)
            .get("/api/v1/alerts/")
            .await
            .status,
        200
    );

    // Every licence lapsed: the agent and the dashboard are locked, billing and GDPR stay open.
    let (_, expired) = app
        .license(
            "acme",
            Plan::Professional,
            Some(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .await;
    let r = app
        .client(NW)
        .post(
            "/api/v1/agents/auth",
            json!({"license_key": expired, "agent_id": "x", "hostname": "x",
        "os_type": "linux", "agent_version": "0.1.0"}),
        )
        .await;
    assert_eq!(r.status, 423, "{}", r.body);
    assert_eq!(
        app.client(NW)
            .bearer(&ana)
            .get("/api/v1/alerts/")
            .await
            .status,
        200,
        "one licence is still usable"
    );
    let licence_id = app
        .client(NW)
        .bearer(&agent)
        .get("/api/v1/agents/config")
        .await
        .status;
    assert_eq!(licence_id, 200);
    let tenant = app
        .platform
        .accounts()
        .tenant_by_name("acme")
        .await
        .unwrap()
        .unwrap();
    let sql = "UPDATE netwatch_licenses SET status = 'revoked' WHERE tenant_id = $1";
    platform::on_db!(app.platform.db(), |p| sqlx::query(sql)
        .bind(tenant.id)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
    assert_eq!(
        app.client(NW)
            .bearer(&agent)
            .post("/api/v1/agents/heartbeat", json!({}))
            .await
            .status,
        423
    );
    for path in [
        "/api/v1/alerts/",
        "/api/v1/analytics/device-risk",
        "/api/v1/traces/",
    ] {
        let r = app.client(NW).bearer(&ana).get(path).await;
        assert_eq!(r.status, 423, "{path}: {}", r.body);
    }
    let billing = app
        .client(NW)
        .bearer(&ana)
        .get("/api/v1/billing/subscription")
        .await;
    assert_eq!(
        billing.status, 503,
        "billing is not locked (here: not configured): {}",
        billing.body
    );
}

#[tokio::test]
async fn every_response_carries_its_categorys_rate_limit_headers() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Professional, None).await;
    let agent = app.agent_token(&key, "web-01").await;
    let admin = app.netwatch_user("acme", "adm@acme.test", "admin").await;
    let limit_of = |r: &TestResponse| {
        for h in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ] {
            assert!(
                !r.header(h).is_empty(),
                "{h} missing ({}): {}",
                r.status,
                r.text.chars().take(200).collect::<String>()
            );
        }
        let reset: i64 = r.header("x-ratelimit-reset").parse().unwrap();
        assert!(
            reset >= chrono::Utc::now().timestamp(),
            "reset is a Unix time in the future"
        );
        r.header("x-ratelimit-limit").parse::<u32>().unwrap()
    };
    let c = app.client(NW).bearer(&admin);
    // General (100/min): routes, errors, health, docs, unknown paths, wrong methods.
    for r in [
        c.get("/api/v1/alerts/").await,
        c.get("/api/v1/alerts/not-a-uuid").await,
        c.get("/api/v1/health").await,
        c.get("/openapi.json").await,
        c.get("/api/v1/no-such-route").await,
        c.delete("/api/v1/analytics/summary").await,
        app.client(NW).get("/api/v1/alerts/").await,
        c.put("/api/v1/compliance/settings", json!({"csirt_contact": 1}))
            .await,
    ] {
        assert_eq!(
            limit_of(&r),
            100,
            "{} {}",
            r.status,
            r.text.chars().take(120).collect::<String>()
        );
    }
    // Heartbeat (2/min per agent), reports (10/hour), export (1/hour).
    let hb = app
        .client(NW)
        .bearer(&agent)
        .post("/api/v1/agents/heartbeat", json!({}))
        .await;
    assert_eq!(limit_of(&hb), 2);
    let report = c
        .post(
            "/api/v1/reports/nis2",
            json!({"alert_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(report.status, 404);
    assert_eq!(limit_of(&report), 10);
    assert_eq!(report.header("x-ratelimit-remaining"), "9");
    let export = c.get("/api/v1/tenant/export").await;
    assert_eq!(export.status, 200);
    assert_eq!(limit_of(&export), 1);
    let again = c.get("/api/v1/tenant/export").await;
    assert_eq!(again.status, 429, "{}", again.body);
    assert_eq!(limit_of(&again), 1);
    assert!(again.body["detail"]
        .as_str()
        .unwrap()
        .contains("1 data export per hour"));
    // The remaining count falls with each general request.
    let a: u32 = c
        .get("/api/v1/alerts/")
        .await
        .header("x-ratelimit-remaining")
        .parse()
        .unwrap();
    let b: u32 = c
        .get("/api/v1/alerts/")
        .await
        .header("x-ratelimit-remaining")
        .parse()
        .unwrap();
    assert_eq!(a, b + 1);
}
