//! netwatch reports, GDPR export and erasure, and billing over HTTP: NIS2 and GDPR PDFs read back
//! with poppler's pdftotext for the alert's facts and deadlines (and rendered to PNG once), the
//! export ZIP opened and every file's hash matched against its manifest, erasure checked in the
//! raw database, and Stripe calls made by our client to a local fake that records them.

use std::io::Read;

use ::netwatch::model::Plan;
use platform::ServiceName;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::netwatch::*;
use crate::helpers::stripe::fake_stripe;
use crate::helpers::*;

const NW: ServiceName = ServiceName::Netwatch;

fn pdf_text(pdf: &[u8], dir: &std::path::Path, name: &str) -> Option<String> {
    if tool_missing(
        std::process::Command::new("pdftotext")
            .arg("-v")
            .output()
            .is_ok(),
        "pdftotext (poppler-utils)",
    ) {
        return None;
    }
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext failed on {name}");
    Some(String::from_utf8(out.stdout).unwrap())
}

/// An alert of `capture` for `tenant`, with a triage note: (alert, trace detail).
async fn alert_of(app: &TestApp, key: &str, analyst: &str, capture: &str) -> (Value, Value) {
    let agent = app.agent_token(key, "web-01").await;
    let detections = detections_of(capture);
    assert_eq!(app.upload(&agent, detections).await.status, 200);
    let c = app.client(NW).bearer(analyst);
    let alert = c.get("/api/v1/alerts/?limit=1").await.body["alerts"][0].clone();
    let id = alert["id"].as_str().unwrap();
    let r = c
        .put(
            &format!("/api/v1/alerts/{id}"),
            json!({"status": "reviewed", "notes": "Blocked at the firewall"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let trace = c
        .get(&format!(
            "/api/v1/traces/{}",
            alert["trace_id"].as_str().unwrap()
        ))
        .await
        .body;
    (r.body, trace)
}

#[tokio::test]
async fn nis2_and_gdpr_reports_print_the_alerts_facts_and_deadlines() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Business, None).await;
    let admin = app.netwatch_user("acme", "adm@acme.test", "admin").await;
    let analyst = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    let auditor = app.netwatch_user("acme", "aud@acme.test", "auditor").await;
    let r = app
        .client(NW)
        .bearer(&admin)
        .put(
            "/api/v1/compliance/settings",
            json!({"csirt_contact": "csirt@example.es", "entity_name": "Acme Logistics S.L."}),
        )
        .await;
    assert_eq!(r.status, 200);
    let (alert, trace) = alert_of(&app, &key, &analyst, "c2_beacon").await;
    let id = alert["id"].as_str().unwrap();
    let head = trace["head_hash"].as_str().unwrap();
    let aware = chrono::DateTime::parse_from_rfc3339(alert["created_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let due = |h: i64| {
        (aware + chrono::Duration::hours(h))
            .format("%Y-%m-%d %H:%M UTC")
            .to_string()
    };

    // The auditor can report but not triage.
    let aud = app.client(NW).bearer(&auditor);
    assert_eq!(
        aud.put(
            &format!("/api/v1/alerts/{id}"),
            json!({"status": "resolved"})
        )
        .await
        .status,
        403
    );
    let nis2 = aud
        .post("/api/v1/reports/nis2", json!({"alert_id": id}))
        .await;
    assert_eq!(
        nis2.status,
        200,
        "{}",
        nis2.text.chars().take(300).collect::<String>()
    );
    assert_eq!(nis2.header("content-type"), "application/pdf");
    assert!(nis2
        .header("content-disposition")
        .contains(&format!("nis2-{id}.pdf")));
    assert!(nis2.bytes.starts_with(b"%PDF-"));
    assert_eq!(
        nis2.header("x-report-sha256"),
        hex::encode(Sha256::digest(&nis2.bytes))
    );
    let gdpr = app
        .client(NW)
        .bearer(&analyst)
        .post("/api/v1/reports/gdpr", json!({"alert_id": id}))
        .await;
    assert_eq!(gdpr.status, 200);
    assert_eq!(gdpr.header("content-type"), "application/pdf");

    let dir = tempfile::tempdir().unwrap();
    if let Some(text) = pdf_text(&nis2.bytes, dir.path(), "nis2") {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            id,
            alert["source_ip"].as_str().unwrap(),
            "C2_BEACON",
            "CRITICAL",
            "Acme Logistics S.L.",
            "csirt@example.es",
            "Early warning",
            "Incident notification",
            "Final report",
            &due(24),
            &due(72),
            head,
            "Blocked at the firewall",
            "TO COMPLETE",
            "Contribution",
        ] {
            assert!(
                flat.contains(needle),
                "the NIS2 report lacks {needle:?}:\n{text}"
            );
        }
        assert!(
            flat.contains("page 1 of"),
            "footer with page numbers:\n{text}"
        );
        // A SHAP feature of the alert is printed with its contribution.
        let feature = alert["shap_json"]["features"][0]["name"]
            .as_str()
            .unwrap()
            .replace('_', " ");
        assert!(flat.contains(&feature), "feature {feature:?} missing");
        // One look at the first page as an image (kept when REDOUBT_KEEP_REPORTS names a folder).
        let png = dir.path().join("nis2-page");
        let ok = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "60", "-f", "1", "-l", "1"])
            .arg(dir.path().join("nis2.pdf"))
            .arg(&png)
            .status()
            .unwrap();
        assert!(ok.success());
        let page = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.file_name().to_string_lossy().ends_with(".png"))
            .unwrap();
        assert!(page.metadata().unwrap().len() > 10_000, "a rendered page");
        if let Ok(keep) = std::env::var("REDOUBT_KEEP_REPORTS") {
            std::fs::copy(
                page.path(),
                std::path::Path::new(&keep).join("nis2-page1.png"),
            )
            .unwrap();
            std::fs::write(std::path::Path::new(&keep).join("nis2.pdf"), &nis2.bytes).unwrap();
            std::fs::write(std::path::Path::new(&keep).join("gdpr.pdf"), &gdpr.bytes).unwrap();
        }
    }
    if let Some(text) = pdf_text(&gdpr.bytes, dir.path(), "gdpr") {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in [
            id,
            "Art. 33(3)(a)",
            "Art. 33(3)(b)",
            "Art. 33(3)(c)",
            "Art. 33(3)(d)",
            "72 h",
            &due(72),
            "Confidentiality breach",
            "Data protection officer",
            head,
            "TO COMPLETE",
        ] {
            assert!(
                flat.contains(needle),
                "the GDPR report lacks {needle:?}:\n{text}"
            );
        }
    }

    // Each report is in the audit log with its hash (the Art. 33(5) register).
    let log = app
        .client(NW)
        .bearer(&admin)
        .get("/api/v1/settings/audit-log?limit=50")
        .await
        .body;
    let reports: Vec<&Value> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("report."))
        })
        .collect();
    assert_eq!(reports.len(), 2);
    assert!(reports
        .iter()
        .any(|e| e["details"]["sha256"] == nis2.header("x-report-sha256")));

    // Bad input, unknown and cross-tenant alerts.
    let c = app.client(NW).bearer(&analyst);
    for (body, status) in [
        (json!({}), 400),
        (json!({"alert_id": 5}), 400),
        (json!({"alert_id": "nope"}), 404),
        (json!({"alert_id": uuid::Uuid::new_v4()}), 404),
    ] {
        let r = c.post("/api/v1/reports/gdpr", body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert!(r.body["detail"].is_string());
    }
    let other = app
        .netwatch_user("globex", "gus@globex.test", "admin")
        .await;
    assert_eq!(
        app.client(NW)
            .bearer(&other)
            .post("/api/v1/reports/nis2", json!({"alert_id": id}))
            .await
            .status,
        404
    );
    assert_eq!(
        app.client(NW)
            .post("/api/v1/reports/nis2", json!({"alert_id": id}))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn reports_are_limited_to_ten_an_hour_per_tenant() {
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Business, None).await;
    let analyst = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    let (alert, _) = alert_of(&app, &key, &analyst, "scan_sS_T4").await;
    let c = app.client(NW).bearer(&analyst);
    for i in 0..10 {
        let kind = if i % 2 == 0 { "nis2" } else { "gdpr" };
        let r = c
            .post(
                &format!("/api/v1/reports/{kind}"),
                json!({"alert_id": alert["id"]}),
            )
            .await;
        assert_eq!(r.status, 200, "report {i}");
        assert_eq!(r.header("x-ratelimit-remaining"), (9 - i).to_string());
    }
    let r = c
        .post("/api/v1/reports/nis2", json!({"alert_id": alert["id"]}))
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains("10 reports per hour"));
    // Another tenant has its own budget.
    let other = app
        .netwatch_user("globex", "gus@globex.test", "admin")
        .await;
    assert_eq!(
        app.client(NW)
            .bearer(&other)
            .post("/api/v1/reports/nis2", json!({"alert_id": alert["id"]}))
            .await
            .status,
        404
    );
}

async fn tenant_counts(app: &TestApp, tenant: uuid::Uuid) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in ::netwatch::TENANT_TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = $1");
        let (n,): (i64,) = platform::on_db!(app.platform.db(), |p| sqlx::query_as(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(tenant)
        .fetch_one(p)
        .await)
        .unwrap();
        counts.push((*table, n));
    }
    counts
}

#[tokio::test]
async fn the_export_matches_its_manifest_and_erasure_leaves_no_row() {
    let app = spawn_netwatch().await;
    let (tenant, key) = app.license("acme", Plan::Business, None).await;
    let (other_tenant, other_key) = app.license("globex", Plan::Business, None).await;
    let admin = app.netwatch_user("acme", "adm@acme.test", "admin").await;
    let analyst = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    let (alert, trace) = alert_of(&app, &key, &analyst, "hydra_ssh").await;
    let agent = app.agent_token(&key, "web-01").await;
    assert_eq!(
        app.upload(&agent, detections_of("dns_tunnel")).await.status,
        200
    );
    let c = app.client(NW).bearer(&admin);
    assert_eq!(
        c.post(
            "/api/v1/settings/whitelist",
            json!({"cidr": "203.0.113.0/24", "note": "partner"})
        )
        .await
        .status
            / 100,
        2
    );
    assert_eq!(
        c.put(
            "/api/v1/compliance/settings",
            json!({"dpo_contact": "dpo@acme.test"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        c.put(
            &format!("/api/v1/alerts/{}", alert["id"].as_str().unwrap()),
            json!({"status": "false_positive"})
        )
        .await
        .status,
        200
    );
    let trace = c
        .get(&format!("/api/v1/traces/{}", trace["id"].as_str().unwrap()))
        .await
        .body;
    let other_agent = app.agent_token(&other_key, "gx-01").await;
    assert_eq!(
        app.upload(&other_agent, detections_of("scan_sS_T4"))
            .await
            .status,
        200
    );
    let total = c.get("/api/v1/alerts/?limit=1").await.body["total"]
        .as_u64()
        .unwrap();

    assert_eq!(
        app.client(NW)
            .bearer(&analyst)
            .get("/api/v1/tenant/export")
            .await
            .status,
        403
    );
    let export = c.get("/api/v1/tenant/export").await;
    assert_eq!(
        export.status,
        200,
        "{}",
        export.text.chars().take(300).collect::<String>()
    );
    assert_eq!(export.header("content-type"), "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(export.bytes.clone())).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        files.insert(f.name().unwrap().to_string(), bytes);
    }
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(
        listed.len(),
        files.len() - 1,
        "every file but the manifest is listed"
    );
    for entry in listed {
        let name = entry["name"].as_str().unwrap();
        let bytes = files
            .get(name)
            .unwrap_or_else(|| panic!("{name} listed but absent"));
        assert_eq!(
            entry["sha256"],
            hex::encode(Sha256::digest(bytes)),
            "{name}"
        );
        assert_eq!(entry["bytes"], bytes.len());
        let _: Value =
            serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
    }
    for name in [
        "alerts.json",
        "proof_trails.json",
        "devices.json",
        "licenses.json",
        "whitelist.json",
        "rule_overrides.json",
        "suppressions.json",
        "settings.json",
        "audit_log.json",
    ] {
        assert!(files.contains_key(name), "{name} missing");
    }
    let alerts: Vec<Value> = serde_json::from_slice(&files["alerts.json"]).unwrap();
    assert_eq!(alerts.len() as u64, total);
    assert_eq!(manifest["counts"]["alerts"], total);
    assert!(
        alerts.iter().all(|a| a["evidence"].is_object()),
        "alerts carry their evidence"
    );
    let trails: Vec<Value> = serde_json::from_slice(&files["proof_trails.json"]).unwrap();
    assert_eq!(trails.len() as u64, total);
    let mine = trails
        .iter()
        .find(|t| t["trace_id"] == trace["id"])
        .unwrap();
    assert_eq!(mine["head_hash"], trace["head_hash"]);
    let entries = mine["entries"].as_array().unwrap();
    for pair in entries.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "the chain links");
    }
    for e in entries {
        // The hash is checkable from the file alone, and `canonical` carries the entry's data.
        let canonical = e["canonical"].as_str().unwrap();
        let linked = format!("{}{canonical}", e["prev_hash"].as_str().unwrap());
        assert_eq!(e["hash"], hex::encode(Sha256::digest(linked.as_bytes())));
        let body: Value = serde_json::from_str(canonical).unwrap();
        assert_eq!(body["seq"], e["seq"]);
        assert!(body["data"].is_object(), "{body}");
    }
    let settings: Value = serde_json::from_slice(&files["settings.json"]).unwrap();
    assert_eq!(settings["compliance"]["dpo_contact"], "dpo@acme.test");
    let licences = String::from_utf8(files["licenses.json"].clone()).unwrap();
    assert!(
        !licences.contains("key_hash") && !licences.contains(&key),
        "no secrets in the export"
    );
    let audit: Vec<Value> = serde_json::from_slice(&files["audit_log.json"]).unwrap();
    assert!(audit
        .iter()
        .any(|e| e["action"] == "compliance.settings.update"));
    assert!(
        !String::from_utf8_lossy(&files["alerts.json"]).contains("globex"),
        "only this tenant"
    );

    // Erasure: confirmed by the tenant's name, or nothing happens.
    let before = tenant_counts(&app, tenant).await;
    assert!(before.iter().any(|(_, n)| *n > 0));
    let del = |token: &str, body: Option<Value>| {
        let client = app.client(NW).bearer(token);
        async move {
            client
                .send(reqwest::Method::DELETE, "/api/v1/tenant", body)
                .await
        }
    };
    assert_eq!(
        del(&analyst, Some(json!({"confirm": "acme"}))).await.status,
        403
    );
    for body in [
        None,
        Some(json!({})),
        Some(json!({"confirm": "ACME"})),
        Some(json!({"confirm": 1})),
        Some(json!({"confirm": "globex"})),
    ] {
        let r = del(&admin, body.clone()).await;
        assert_eq!(r.status, 400, "{body:?}: {}", r.body);
        assert!(r.body["detail"].is_string());
    }
    assert_eq!(
        tenant_counts(&app, tenant).await,
        before,
        "a refused erasure changes nothing"
    );
    let r = del(&admin, Some(json!({"confirm": "acme"}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["erased"]["netwatch_alerts"].as_u64().unwrap(), total);
    for (table, n) in tenant_counts(&app, tenant).await {
        assert_eq!(n, 0, "{table} still holds rows of the erased tenant");
    }
    assert!(
        tenant_counts(&app, other_tenant)
            .await
            .iter()
            .any(|(t, n)| *t == "netwatch_alerts" && *n > 0),
        "other tenants keep theirs"
    );
    // The agent's token and licence no longer work; the audit log records the erasure.
    assert_eq!(
        app.client(NW)
            .bearer(&agent)
            .get("/api/v1/agents/config")
            .await
            .status,
        401
    );
    let again = app
        .client(NW)
        .post(
            "/api/v1/agents/auth",
            json!({"license_key": key, "agent_id": "web-01",
        "hostname": "web", "os_type": "linux", "agent_version": "0.1.0"}),
        )
        .await;
    assert_eq!(again.status, 401);
    let log = c.get("/api/v1/settings/audit-log?limit=5").await.body;
    assert_eq!(log["entries"][0]["action"], "tenant.erase");
    assert_eq!(c.get("/api/v1/alerts/").await.body["total"], 0);
}

#[tokio::test]
async fn billing_goes_through_stripe_and_plans_limit_agents() {
    // Unconfigured: 503 with the detail.
    let bare = spawn_netwatch().await;
    let admin = bare.netwatch_user("acme", "adm@acme.test", "admin").await;
    let c = bare.client(NW).bearer(&admin);
    for r in [
        c.get("/api/v1/billing/subscription").await,
        c.post(
            "/api/v1/billing/checkout",
            json!({"plan": "professional", "billing_cycle": "annual"}),
        )
        .await,
        c.post("/api/v1/billing/portal", json!({})).await,
    ] {
        assert_eq!(r.status, 503, "{}", r.body);
        assert!(r.body["detail"]
            .as_str()
            .unwrap()
            .contains("not configured"));
    }
    // A free licence allows three agents.
    let (_, free) = bare.license("acme", Plan::Free, None).await;
    for i in 0..3 {
        bare.agent_token(&free, &format!("host-{i}")).await;
    }
    bare.agent_token(&free, "host-0").await; // a known agent may come back
    let fourth = bare
        .client(NW)
        .post(
            "/api/v1/agents/auth",
            json!({"license_key": free, "agent_id": "host-3",
        "hostname": "h3", "os_type": "linux", "agent_version": "0.1.0"}),
        )
        .await;
    assert_eq!(fourth.status, 403, "{}", fourth.body);
    assert!(fourth.body["detail"].as_str().unwrap().contains("3 agents"));
    bare.stop().await;

    let (stripe, fake) = fake_stripe().await;
    let configure: Configure = std::sync::Arc::new(move |c: &mut redoubt::config::Config| {
        let b = &mut c.platform.billing;
        b.stripe_api_base = stripe.clone();
        b.stripe_secret_key = Some("sk_test_netwatch".into());
        b.prices.insert(
            "netwatch_professional_annual".into(),
            "price_pro_annual".into(),
        );
    });
    let app = spawn_with(AppOptions {
        configure: Some(configure),
        ..netwatch_only()
    })
    .await;
    let (tenant, _) = app.license("acme", Plan::Starter, None).await;
    let admin = app.netwatch_user("acme", "adm@acme.test", "admin").await;
    let analyst = app.netwatch_user("acme", "ana@acme.test", "analyst").await;
    let c = app.client(NW).bearer(&admin);
    let s = c.get("/api/v1/billing/subscription").await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(
        (s.body["plan"].as_str(), s.body["status"].as_str()),
        (Some("starter"), Some("none"))
    );
    assert_eq!(s.body["limits"]["max_agents"], 10);
    assert_eq!(s.body["limits"]["rule_coverage"], json!(["core"]));
    assert!(
        fake.lock().unwrap().calls.is_empty(),
        "no customer yet: Stripe is not asked"
    );

    assert_eq!(
        app.client(NW)
            .bearer(&analyst)
            .post(
                "/api/v1/billing/checkout",
                json!({"plan": "professional", "billing_cycle": "annual"})
            )
            .await
            .status,
        403
    );
    for bad in [
        json!({}),
        json!({"plan": "free", "billing_cycle": "annual"}),
        json!({"plan": "gold", "billing_cycle": "annual"}),
        json!({"plan": "professional"}),
        json!({"plan": "professional", "billing_cycle": "weekly"}),
    ] {
        assert_eq!(
            c.post("/api/v1/billing/checkout", bad.clone()).await.status,
            400,
            "{bad}"
        );
    }
    let unpriced = c
        .post(
            "/api/v1/billing/checkout",
            json!({"plan": "business", "billing_cycle": "monthly"}),
        )
        .await;
    assert_eq!(unpriced.status, 503, "{}", unpriced.body);
    let r = c
        .post(
            "/api/v1/billing/checkout",
            json!({"plan": "professional", "billing_cycle": "annual"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["url"]
        .as_str()
        .unwrap()
        .starts_with("https://checkout.stripe.com/"));
    {
        let state = fake.lock().unwrap();
        let calls = &state.calls;
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert_eq!(calls[0].path, "/v1/customers");
        assert_eq!(
            calls[0].field("metadata[tenant_id]"),
            Some(tenant.to_string().as_str())
        );
        assert_eq!(calls[1].path, "/v1/checkout/sessions");
        assert!(calls
            .iter()
            .all(|c| c.authorization == "Bearer sk_test_netwatch"));
        assert_eq!(
            calls[1].field("line_items[0][price]"),
            Some("price_pro_annual")
        );
        assert_eq!(calls[1].field("customer"), Some("cus_test_1"));
        assert_eq!(calls[1].field("mode"), Some("subscription"));
        assert_eq!(
            calls[1].field("subscription_data[metadata][plan]"),
            Some("professional")
        );
    }
    let portal = c.post("/api/v1/billing/portal", json!({})).await;
    assert_eq!(portal.status, 200, "{}", portal.body);
    assert!(portal.body["url"]
        .as_str()
        .unwrap()
        .starts_with("https://billing.stripe.com/"));
    assert_eq!(
        fake.lock().unwrap().calls[2].field("customer"),
        Some("cus_test_1")
    );

    // Stripe reports the subscription active: the plan reaches the licences.
    fake.lock().unwrap().subscriptions = vec![json!({"id": "sub_1", "status": "active",
        "metadata": {"plan": "professional", "billing_cycle": "annual", "tenant_id": tenant}, "current_period_end": 1830000000})];
    let s = app
        .client(NW)
        .bearer(&analyst)
        .get("/api/v1/billing/subscription")
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(s.body["plan"], "professional");
    assert_eq!(s.body["status"], "active");
    assert_eq!(s.body["billing_cycle"], "annual");
    assert_eq!(s.body["stripe_subscription_id"], "sub_1");
    assert_eq!(
        s.body["limits"]["rule_coverage"],
        json!(["core", "extended"])
    );
    let q = fake.lock().unwrap().calls.last().cloned().unwrap();
    assert_eq!(
        (q.method.as_str(), q.path.as_str(), q.field("customer")),
        ("GET", "/v1/subscriptions", Some("cus_test_1"))
    );

    // The price decides over stale metadata; an ended subscription goes back to free.
    fake.lock().unwrap().subscriptions = vec![json!({"id": "sub_1", "status": "active",
        "items": {"data": [{"price": {"id": "price_pro_annual"}}]}, "metadata": {"plan": "starter"}})];
    let s = c.get("/api/v1/billing/subscription").await.body;
    assert_eq!(
        (s["plan"].as_str(), s["billing_cycle"].as_str()),
        (Some("professional"), Some("annual")),
        "{s}"
    );
    fake.lock().unwrap().subscriptions[0]["status"] = json!("canceled");
    let s = c.get("/api/v1/billing/subscription").await.body;
    assert_eq!(
        (s["plan"].as_str(), s["status"].as_str()),
        (Some("free"), Some("canceled")),
        "{s}"
    );

    // Stripe failing: 502 with the detail, nothing changed.
    fake.lock().unwrap().failing = true;
    for r in [
        c.get("/api/v1/billing/subscription").await,
        c.post("/api/v1/billing/portal", json!({})).await,
        c.post(
            "/api/v1/billing/checkout",
            json!({"plan": "professional", "billing_cycle": "annual"}),
        )
        .await,
    ] {
        assert_eq!(r.status, 502, "{}", r.body);
        assert!(r.body["detail"].as_str().unwrap().contains("bad day"));
    }
    // No customer yet in another tenant: the portal has nothing to open.
    fake.lock().unwrap().failing = false;
    let other = app
        .netwatch_user("globex", "gus@globex.test", "admin")
        .await;
    assert_eq!(
        app.client(NW)
            .bearer(&other)
            .post("/api/v1/billing/portal", json!({}))
            .await
            .status,
        404
    );
}
