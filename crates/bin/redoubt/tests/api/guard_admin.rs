//! guard users and tenants over HTTP: invitations (pending, 409, roles), member lists with
//! filters and sorting, the tenant view and its settings, admin-only access.

use platform::ServiceName;
use serde_json::json;

use crate::helpers::guard::spawn_guard;

#[tokio::test]
async fn admins_invite_and_list_users() {
    let app = spawn_guard().await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (_, other) = app.guard_user("globex", "gina@globex.com", "admin").await;
    let (admin, viewer, other) = (app.guard(&token), app.guard(&viewer), app.guard(&other));

    let r = admin
        .post(
            "/api/v1/users/invite",
            json!({ "email": "Bob@Acme.fr", "role": "viewer", "display_name": "Bob Durand" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let invited = r.body;
    assert_eq!(invited["email"], "bob@acme.fr");
    assert_eq!(invited["status"], "pending");
    assert_eq!(invited["role"], "viewer");
    assert_eq!(invited["invited_by"], "alice@acme.fr");
    assert_eq!(invited["tenant_id"], tenant.to_string());
    assert!(invited["invitation_expires_at"].is_string());

    for (case, client, body, expected) in [
        (
            "the same email again",
            &admin,
            json!({ "email": "bob@acme.fr", "role": "viewer" }),
            409,
        ),
        (
            "an unknown role",
            &admin,
            json!({ "email": "carl@acme.fr", "role": "owner" }),
            400,
        ),
        (
            "not an email",
            &admin,
            json!({ "email": "nobody", "role": "viewer" }),
            400,
        ),
        (
            "a viewer inviting",
            &viewer,
            json!({ "email": "d@acme.fr", "role": "viewer" }),
            403,
        ),
    ] {
        let r = client.post("/api/v1/users/invite", body).await;
        assert_eq!(r.status, expected, "{case}: {}", r.body);
    }

    // A pending user cannot log in.
    let r = app
        .client(ServiceName::Guard)
        .post(
            "/api/v1/auth/login",
            json!({ "email": "bob@acme.fr", "password": "any-password-at-all" }),
        )
        .await;
    assert_eq!(r.status, 401);

    let r = admin.get("/api/v1/users?sort=email").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-total-count"), "3");
    let emails: Vec<&str> = r.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["alice@acme.fr", "bob@acme.fr", "victor@acme.fr"]);
    let list = admin.get("/api/v1/users?sort=-email&limit=1").await.body;
    assert_eq!(list["users"][0]["email"], "victor@acme.fr");
    for (query, total) in [("?status=pending", "1"), ("?role=admin", "1")] {
        let r = admin.get(&format!("/api/v1/users{query}")).await;
        assert_eq!(r.header("x-total-count"), total, "{query}");
    }
    for bad in ["?sort=name", "?role=owner", "?status=gone"] {
        assert_eq!(
            admin.get(&format!("/api/v1/users{bad}")).await.status,
            400,
            "{bad}"
        );
    }
    assert_eq!(viewer.get("/api/v1/users").await.status, 403);
    assert_eq!(
        other.get("/api/v1/users").await.header("x-total-count"),
        "1",
        "other tenants see only their own"
    );
}

#[tokio::test]
async fn the_tenant_and_its_settings() {
    let app = spawn_guard().await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (admin, viewer) = (app.guard(&token), app.guard(&viewer));
    let r = admin.get("/api/v1/tenants/me").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let me = r.body;
    assert_eq!(me["id"], tenant.to_string());
    assert_eq!(me["name"], "acme");
    assert_eq!(me["domain"], "acme.fr");
    assert_eq!(me["settings"]["data_residency"], "eu");
    assert_eq!(me["limits"]["api_requests_per_minute"], 1000);
    assert_eq!(me["usage"]["active_users"], 2);
    let secret = me["settings"]["webhook_signing_secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_…") && secret.chars().count() == 11,
        "masked: {secret}"
    );

    let settings = "/api/v1/tenants/me/settings";
    let update = json!({ "name": "Acme SAS", "data_residency": "us", "audit_log_retention_days": 400,
        "ip_whitelist": ["10.0.0.0/8", "192.168.1.10"] });
    let r = admin.put(settings, update).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let updated = r.body;
    assert_eq!(updated["name"], "Acme SAS");
    assert_eq!(updated["settings"]["data_residency"], "us");
    assert_eq!(updated["settings"]["audit_log_retention_days"], 400);
    assert_eq!(
        updated["settings"]["ip_whitelist"],
        json!(["10.0.0.0/8", "192.168.1.10"])
    );
    for bad in [
        json!({ "data_residency": "mars" }),
        json!({ "audit_log_retention_days": 30 }),
        json!({ "ip_whitelist": ["10.0.0.0/33"] }),
        json!({ "name": "" }),
        json!({ "colour": "red" }),
    ] {
        assert_eq!(admin.put(settings, bad.clone()).await.status, 400, "{bad}");
    }
    app.guard_user("globex", "gina@globex.com", "admin").await;
    assert_eq!(
        admin
            .put(settings, json!({ "name": "globex" }))
            .await
            .status,
        409,
        "another tenant's name"
    );
    let again = admin.get("/api/v1/tenants/me").await.body;
    assert_eq!(again["name"], "Acme SAS", "refused updates change nothing");
    assert_eq!(
        viewer
            .put(settings, json!({ "data_residency": "eu" }))
            .await
            .status,
        403
    );
    assert_eq!(viewer.get("/api/v1/tenants/me").await.status, 403);
    let audit = admin.get("/api/v1/audit-log").await.body;
    assert_eq!(audit["entries"][0]["action"], "tenant.settings.update");
}
