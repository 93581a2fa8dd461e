//! The audit log: tenant isolation, append-only storage, and tamper detection.

use platform::audit::AuditEvent;
use platform::{on_db, ServiceName};
use serde_json::json;

use crate::helpers::guard::spawn_guard;
use crate::helpers::{lift_audit_guard, spawn_platform, TestApp};

async fn append(app: &TestApp, tenant: uuid::Uuid, n: usize) {
    for i in 0..n {
        let event = AuditEvent {
            service: ServiceName::Guard,
            actor: "tester".into(),
            action: "policy.update".into(),
            target: format!("policy:{i}"),
            details: json!({ "i": i, "note": "x" }),
        };
        app.platform.audit().append(tenant, event).await.unwrap();
    }
}

#[tokio::test]
async fn each_tenant_sees_only_its_own_rows() {
    let app = spawn_guard().await;
    let (a, _) = app
        .user("tenant-a", "admin@a.example", ServiceName::Guard, "admin")
        .await;
    let (b, _) = app
        .user("tenant-b", "admin@b.example", ServiceName::Guard, "admin")
        .await;
    append(&app, a, 3).await;
    append(&app, b, 5).await;
    let token_a = app.guard_login("admin@a.example").await;
    let r = app.guard(&token_a).get("/api/v1/audit-log?limit=500").await;
    assert_eq!(r.status, 200);
    // user.create is not written by the library helper; A has 3 appended + 1 login.
    assert_eq!(r.header("x-total-count"), "4");
    let entries = r.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let (rows_b, _) = app.platform.audit().page(b, 100, 0).await.unwrap();
    for entry in entries {
        assert!(
            rows_b
                .iter()
                .all(|r| r.id.to_string() != entry["id"].as_str().unwrap()),
            "no row of B is shown to A"
        );
    }
    // Each chain starts at seq 1 and verifies on its own.
    assert_eq!(entries.last().unwrap()["seq"], 1);
    assert!(app.platform.audit().verify(a).await.unwrap().valid);
    assert!(app.platform.audit().verify(b).await.unwrap().valid);
    app.stop().await;
}

#[tokio::test]
async fn pagination_headers_walk_the_log() {
    let app = spawn_guard().await;
    let (a, _) = app
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    append(&app, a, 6).await;
    let token = app.guard_login("alice@acme.fr").await;
    let guard = app.guard(&token);
    let mut seqs = vec![];
    for page in 1..=3 {
        let r = guard
            .get(&format!("/api/v1/audit-log?page={page}&limit=3"))
            .await;
        assert_eq!(r.status, 200, "page {page}");
        assert_eq!(r.header("x-total-count"), "7", "page {page}");
        assert_eq!(r.header("x-page"), page.to_string());
        assert_eq!(r.header("x-total-pages"), "3", "page {page}");
        let entries = r.body["entries"].as_array().unwrap();
        assert_eq!(r.header("x-per-page"), entries.len().to_string());
        seqs.extend(entries.iter().map(|e| e["seq"].as_i64().unwrap()));
    }
    assert_eq!(seqs, vec![7, 6, 5, 4, 3, 2, 1]);
    // Past the last page: no rows, but the total is still told.
    let r = guard.get("/api/v1/audit-log?page=4&limit=3").await;
    assert_eq!(
        (r.status, r.body["entries"].as_array().unwrap().len()),
        (200, 0)
    );
    assert_eq!(
        (r.header("x-total-count"), r.header("x-per-page")),
        ("7", "0")
    );
    for bad in ["page=0", "limit=0", "limit=501", "page=abc"] {
        let r = guard.get(&format!("/api/v1/audit-log?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.body["error"].is_string(), "{bad}: {}", r.body);
    }
    app.stop().await;
}

#[tokio::test]
async fn rows_cannot_be_edited_and_tampering_is_detected() {
    let app = spawn_platform().await;
    let (tenant, _) = app.platform.accounts().ensure_tenant("acme").await.unwrap();
    append(&app, tenant.id, 4).await;
    let audit = app.platform.audit();
    assert_eq!(audit.verify(tenant.id).await.unwrap().entries, 4);

    // The table refuses edits outright.
    let edit = "UPDATE audit_log SET action = 'forged' WHERE tenant_id = $1 AND seq = 2";
    let refused = on_db!(app.platform.db(), |p| sqlx::query(edit)
        .bind(tenant.id)
        .execute(p)
        .await
        .map(|_| ()));
    assert!(refused.is_err(), "UPDATE on audit_log must fail");

    // Someone with raw database access removes the guard and edits a row: the chain shows it.
    lift_audit_guard(app.platform.db()).await;
    on_db!(app.platform.db(), |p| sqlx::query(edit)
        .bind(tenant.id)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
    let report = audit.verify(tenant.id).await.unwrap();
    assert!(!report.valid);
    assert_eq!(report.first_bad_seq, Some(2));
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_row_breaks_the_chain() {
    let app = spawn_platform().await;
    let (tenant, _) = app.platform.accounts().ensure_tenant("acme").await.unwrap();
    append(&app, tenant.id, 5).await;
    let delete = "DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 3";
    on_db!(app.platform.db(), |p| sqlx::query(delete)
        .bind(tenant.id)
        .execute(p)
        .await
        .map(|_| ()))
    .unwrap();
    let report = app.platform.audit().verify(tenant.id).await.unwrap();
    assert!(!report.valid);
    assert_eq!(report.first_bad_seq, Some(4));
    app.stop().await;
}

#[tokio::test]
async fn concurrent_appends_never_fork_the_chain() {
    let app = spawn_platform().await;
    let (tenant, _) = app.platform.accounts().ensure_tenant("acme").await.unwrap();
    let mut tasks = vec![];
    for _ in 0..4 {
        let audit = app.platform.audit().clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                let event = AuditEvent {
                    service: ServiceName::Testops,
                    actor: "worker".into(),
                    action: "run.update".into(),
                    target: format!("run:{i}"),
                    details: json!({}),
                };
                audit.append(tenant.id, event).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = app.platform.audit().verify(tenant.id).await.unwrap();
    assert!(report.valid, "{report:?}");
    assert_eq!(report.entries, 20);
    app.stop().await;
}
