//! guard users and tenants over HTTP: invitations (pending, 409, roles), member lists with
//! filters and sorting, the tenant view and its settings, admin-only access.

use platform::ServiceName;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::interactions::{get, post};

#[tokio::test]
async fn admins_invite_and_list_users() {
    let app = spawn_app().await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (_, other) = app.guard_user("globex", "gina@globex.com", "admin").await;

    let (status, _, invited) = post(
        &app,
        &token,
        "/api/v1/users/invite",
        json!({ "email": "Bob@Acme.fr", "role": "viewer", "display_name": "Bob Durand" }),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    assert_eq!(invited["email"], "bob@acme.fr");
    assert_eq!(invited["status"], "pending");
    assert_eq!(invited["role"], "viewer");
    assert_eq!(invited["invited_by"], "alice@acme.fr");
    assert_eq!(invited["tenant_id"], tenant.to_string());
    assert!(invited["invitation_expires_at"].is_string());

    assert_eq!(
        post(
            &app,
            &token,
            "/api/v1/users/invite",
            json!({ "email": "bob@acme.fr", "role": "viewer" })
        )
        .await
        .0,
        409
    );
    assert_eq!(
        post(
            &app,
            &token,
            "/api/v1/users/invite",
            json!({ "email": "carl@acme.fr", "role": "owner" })
        )
        .await
        .0,
        400
    );
    assert_eq!(
        post(
            &app,
            &token,
            "/api/v1/users/invite",
            json!({ "email": "nobody", "role": "viewer" })
        )
        .await
        .0,
        400
    );
    assert_eq!(
        post(
            &app,
            &viewer,
            "/api/v1/users/invite",
            json!({ "email": "d@acme.fr", "role": "viewer" })
        )
        .await
        .0,
        403
    );

    // A pending user cannot log in.
    let (status, _, _) = call(
        &app,
        ServiceName::Guard,
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({ "email": "bob@acme.fr", "password": "any-password-at-all" })),
    )
    .await;
    assert_eq!(status, 401);

    let (status, headers, list) = get(&app, &token, "/api/v1/users?sort=email").await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-total-count"], "3");
    let emails: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["alice@acme.fr", "bob@acme.fr", "victor@acme.fr"]);
    let (_, _, list) = get(&app, &token, "/api/v1/users?sort=-email&limit=1").await;
    assert_eq!(list["users"][0]["email"], "victor@acme.fr");
    let (_, headers, _) = get(&app, &token, "/api/v1/users?status=pending").await;
    assert_eq!(headers["x-total-count"], "1");
    let (_, headers, _) = get(&app, &token, "/api/v1/users?role=admin").await;
    assert_eq!(headers["x-total-count"], "1");
    for bad in ["?sort=name", "?role=owner", "?status=gone"] {
        assert_eq!(
            get(&app, &token, &format!("/api/v1/users{bad}")).await.0,
            400,
            "{bad}"
        );
    }
    assert_eq!(get(&app, &viewer, "/api/v1/users").await.0, 403);
    let (_, headers, _) = get(&app, &other, "/api/v1/users").await;
    assert_eq!(
        headers["x-total-count"], "1",
        "other tenants see only their own"
    );
}

#[tokio::test]
async fn the_tenant_and_its_settings() {
    let app = spawn_app().await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, viewer) = app.guard_user("acme", "victor@acme.fr", "viewer").await;
    let (status, _, me) = get(&app, &token, "/api/v1/tenants/me").await;
    assert_eq!(status, 200, "{me}");
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

    let update = json!({ "name": "Acme SAS", "data_residency": "us", "audit_log_retention_days": 400,
        "ip_whitelist": ["10.0.0.0/8", "192.168.1.10"] });
    let put = |body: serde_json::Value, t: &str| {
        let t = t.to_string();
        let app = &app;
        async move {
            call(
                app,
                ServiceName::Guard,
                Method::PUT,
                "/api/v1/tenants/me/settings",
                Some(&t),
                Some(body),
            )
            .await
        }
    };
    let (status, _, updated) = put(update, &token).await;
    assert_eq!(status, 200, "{updated}");
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
        assert_eq!(put(bad.clone(), &token).await.0, 400, "{bad}");
    }
    app.guard_user("globex", "gina@globex.com", "admin").await;
    assert_eq!(put(json!({ "name": "globex" }), &token).await.0, 409);
    let (_, _, again) = get(&app, &token, "/api/v1/tenants/me").await;
    assert_eq!(again["name"], "Acme SAS", "refused updates change nothing");
    assert_eq!(put(json!({ "data_residency": "eu" }), &viewer).await.0, 403);
    assert_eq!(get(&app, &viewer, "/api/v1/tenants/me").await.0, 403);
    let (_, _, audit) = get(&app, &token, "/api/v1/audit-log").await;
    assert_eq!(audit["entries"][0]["action"], "tenant.settings.update");
}
