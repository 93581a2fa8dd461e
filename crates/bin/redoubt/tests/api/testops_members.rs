//! testops members over HTTP: invitations (created by admins within the plan's users, tokens
//! validated publicly, used at signup or accepted by an existing user, single use, revocable),
//! the member list, role changes and removals with the self and last-admin rules.

use platform::ServiceName;
use serde_json::json;

use crate::helpers::testops::{is_object_id, STRONG};
use crate::helpers::*;

async fn spawn() -> TestApp {
    spawn_with(AppOptions::default().services(&[ServiceName::Testops])).await
}

#[tokio::test]
async fn invitations_from_creation_to_signup_and_their_refusals() {
    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let inv = app
        .testops(&admin.token)
        .post(
            "/api/invitations",
            json!({"email": "Dev@Acme.test", "role": "developer"}),
        )
        .await;
    assert_eq!(inv.status, 201, "{}", inv.body);
    let i = &inv.body["invitation"];
    assert!(is_object_id(&i["id"]));
    assert_eq!(
        (
            i["email"].as_str(),
            i["role"].as_str(),
            i["actionType"].as_str(),
            i["userExists"].as_bool()
        ),
        (
            Some("dev@acme.test"),
            Some("developer"),
            Some("signup"),
            Some(false)
        )
    );
    assert_eq!(
        inv.body["message"],
        "Invitation sent. User will create an account."
    );
    let token = i["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    let stored: Vec<u8> = platform::on_db!(app.platform.db(), |p| sqlx::query_scalar(
        "SELECT token_hash FROM testops_invitations"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(stored.len(), 32, "only the SHA-256 is stored");

    for (body, status, error) in [
        (
            json!({"email": "dev@acme.test", "role": "developer"}),
            409,
            "Invitation already sent",
        ),
        (
            json!({"email": "alice@acme.test", "role": "viewer"}),
            409,
            "User already in organization",
        ),
        (
            json!({"email": "x@acme.test", "role": "owner"}),
            400,
            "Invalid role",
        ),
        (
            json!({"email": "nope", "role": "viewer"}),
            400,
            "Invalid email format",
        ),
        (json!({"role": "viewer"}), 400, "Missing required fields"),
    ] {
        let r = app
            .testops(&admin.token)
            .post("/api/invitations", body.clone())
            .await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (status, Some(error)),
            "{body}: {}",
            r.body
        );
    }

    let anon = app.client(ServiceName::Testops);
    let v = anon
        .get(&format!("/api/invitations/validate/{token}"))
        .await;
    assert_eq!(v.status, 200, "{}", v.body);
    assert_eq!(
        (
            v.body["valid"].as_bool(),
            v.body["organizationName"].as_str(),
            v.body["role"].as_str()
        ),
        (Some(true), Some("Acme"), Some("developer"))
    );
    assert_eq!(v.body["inviterName"], "alice");
    let bad = anon.get("/api/invitations/validate/zzz").await;
    assert_eq!(
        (
            bad.status,
            bad.body["valid"].as_bool(),
            bad.body["error"].as_str()
        ),
        (400, Some(false), Some("Invalid token format"))
    );
    let unknown = anon
        .get(&format!("/api/invitations/validate/{}", "0".repeat(64)))
        .await;
    assert_eq!(
        (unknown.status, unknown.body["error"].as_str()),
        (404, Some("Invitation not found or already used"))
    );

    let list = app.testops(&admin.token).get("/api/invitations").await;
    assert_eq!(list.body["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["invitations"][0]["invitedByName"], "alice");
    assert!(!list.text.contains(&token), "tokens are not listed");

    // Signing up with another email than the invited one is refused; the right one joins.
    let wrong = anon.post("/api/auth/signup", json!({"email": "eve@evil.test", "password": STRONG, "name": "Eve", "inviteToken": token})).await;
    assert_eq!(
        (wrong.status, wrong.body["error"].as_str()),
        (403, Some("Email mismatch"))
    );
    let joined = anon.post("/api/auth/signup", json!({"email": "dev@acme.test", "password": STRONG, "name": "Dev", "inviteToken": token})).await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    assert_eq!(
        (
            joined.body["user"]["role"].as_str(),
            joined.body["user"]["organizationId"].as_str()
        ),
        (Some("developer"), Some(admin.org_id.as_str()))
    );
    let reused = anon.post("/api/auth/signup", json!({"email": "dev2@acme.test", "password": STRONG, "name": "Dev", "inviteToken": token})).await;
    assert_eq!(
        (reused.status, reused.body["error"].as_str()),
        (400, Some("Invalid or expired invitation")),
        "single use"
    );
    assert_eq!(
        anon.get(&format!("/api/invitations/validate/{token}"))
            .await
            .status,
        404
    );
    assert!(
        app.testops(&admin.token).get("/api/invitations").await.body["invitations"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Revoking: the token stops working. Non-admins cannot invite or list.
    let dev_token = joined.body["token"].as_str().unwrap();
    assert_eq!(
        app.testops(dev_token)
            .post(
                "/api/invitations",
                json!({"email": "v@acme.test", "role": "viewer"})
            )
            .await
            .status,
        403
    );
    assert_eq!(
        app.testops(dev_token).get("/api/invitations").await.status,
        403
    );
    let second = app
        .testops(&admin.token)
        .post(
            "/api/invitations",
            json!({"email": "v@acme.test", "role": "viewer"}),
        )
        .await;
    let (id, token2) = (
        second.body["invitation"]["id"].as_str().unwrap(),
        second.body["invitation"]["token"].as_str().unwrap(),
    );
    assert_eq!(
        app.testops(&admin.token)
            .delete("/api/invitations/nothex")
            .await
            .status,
        400
    );
    let other = app.testops_signup("Beta", "bob@beta.test").await;
    assert_eq!(
        app.testops(&other.token)
            .delete(&format!("/api/invitations/{id}"))
            .await
            .status,
        404,
        "another organisation's"
    );
    let revoked = app
        .testops(&admin.token)
        .delete(&format!("/api/invitations/{id}"))
        .await;
    assert_eq!(
        (revoked.status, revoked.body["message"].as_str()),
        (200, Some("Invitation revoked successfully"))
    );
    assert_eq!(
        anon.get(&format!("/api/invitations/validate/{token2}"))
            .await
            .status,
        404
    );
    app.stop().await;
}

#[tokio::test]
async fn pending_invitations_count_against_the_plans_users() {
    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    for email in ["a@acme.test", "b@acme.test"] {
        assert_eq!(
            app.testops(&admin.token)
                .post(
                    "/api/invitations",
                    json!({"email": email, "role": "viewer"})
                )
                .await
                .status,
            201
        );
    }
    let r = app
        .testops(&admin.token)
        .post(
            "/api/invitations",
            json!({"email": "c@acme.test", "role": "viewer"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (403, Some("User limit exceeded")),
        "{}",
        r.body
    );
    assert_eq!(r.body["upgradeUrl"], "/settings?tab=billing");
    assert_eq!(
        r.body["usage"],
        json!({"used": 3, "limit": 3, "percentUsed": 100})
    );
    app.stop().await;
}

#[tokio::test]
async fn an_existing_user_accepts_and_moves_to_the_inviting_organization() {
    let app = spawn().await;
    let alice = app.testops_signup("Acme", "alice@acme.test").await;
    let bob = app.testops_signup("Beta", "bob@beta.test").await;
    let key = app
        .testops(&bob.token)
        .post("/api/auth/api-keys", json!({"name": "old"}))
        .await
        .body["apiKey"]
        .as_str()
        .unwrap()
        .to_string();
    let inv = app
        .testops(&alice.token)
        .post(
            "/api/invitations",
            json!({"email": "bob@beta.test", "role": "viewer"}),
        )
        .await;
    assert_eq!(
        (
            inv.body["invitation"]["actionType"].as_str(),
            inv.body["invitation"]["userExists"].as_bool()
        ),
        (Some("join"), Some(true))
    );
    let token = inv.body["invitation"]["token"].as_str().unwrap();
    let carol = app.testops_signup("Gamma", "carol@gamma.test").await;
    let mismatch = app
        .testops(&carol.token)
        .post("/api/invitations/accept", json!({"token": token}))
        .await;
    assert_eq!(
        (mismatch.status, mismatch.body["error"].as_str()),
        (403, Some("Email mismatch"))
    );
    let accepted = app
        .testops(&bob.token)
        .post("/api/invitations/accept", json!({"token": token}))
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["message"], "Successfully joined Acme");
    assert_eq!(accepted.body["organization"]["id"], alice.org_id.as_str());
    // The old token names the old organisation, and the old organisation's key is revoked.
    assert_eq!(
        app.testops(&bob.token).get("/api/auth/me").await.status,
        401
    );
    assert_eq!(app.testops_key(&key).get("/api/auth/me").await.status, 401);
    let again = app.testops_login("bob@beta.test").await;
    assert_eq!(again.org_id, alice.org_id);
    let me = app.testops(&again.token).get("/api/auth/me").await;
    assert_eq!(
        (
            me.body["data"]["role"].as_str(),
            me.body["data"]["id"].as_str()
        ),
        (Some("viewer"), Some(bob.user_id.as_str()))
    );
    let twice = app
        .testops(&again.token)
        .post("/api/invitations/accept", json!({"token": token}))
        .await;
    assert_eq!(twice.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn members_roles_and_removals_keep_an_admin() {
    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let dev = app
        .testops_invite_signup(&admin, "dev@acme.test", "developer")
        .await;
    let list = app.testops(&dev.token).get("/api/users").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let users = list.body["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0]["email"], "alice@acme.test");
    assert!(users
        .iter()
        .all(|u| is_object_id(&u["id"]) && u["status"] == "active" && u["createdAt"].is_string()));
    let one = app
        .testops(&dev.token)
        .get(&format!("/api/users/{}", admin.user_id))
        .await;
    assert_eq!(
        (one.status, one.body["user"]["role"].as_str()),
        (200, Some("admin"))
    );
    assert!(one.body["user"]["updatedAt"].is_string());
    assert_eq!(
        app.testops(&dev.token).get("/api/users/xyz").await.body["error"],
        "Invalid user ID format"
    );
    let outsider = app.testops_signup("Beta", "bob@beta.test").await;
    assert_eq!(
        app.testops(&outsider.token)
            .get(&format!("/api/users/{}", admin.user_id))
            .await
            .status,
        404
    );

    let role = |who: &str, target: &str, role: &str| {
        let (who, path) = (who.to_string(), format!("/api/users/{target}/role"));
        let body = json!({"role": role});
        let app = &app;
        async move { app.testops(&who).patch(&path, body).await }
    };
    let r = role(&dev.token, &admin.user_id, "viewer").await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (403, Some("Insufficient permissions"))
    );
    let r = role(&admin.token, &admin.user_id, "viewer").await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (403, Some("Cannot change own role"))
    );
    let r = role(&admin.token, &dev.user_id, "superuser").await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (400, Some("Invalid role"))
    );
    let r = role(&admin.token, &dev.user_id, "admin").await;
    assert_eq!(
        (r.status, r.body["message"].as_str()),
        (200, Some("User role updated to admin")),
        "{}",
        r.body
    );
    // The new role applies at once, to the token the developer already holds.
    assert_eq!(
        app.testops(&dev.token).get("/api/invitations").await.status,
        200
    );
    let r = role(&dev.token, &admin.user_id, "viewer").await;
    assert_eq!(r.status, 200, "two admins: one may step down: {}", r.body);
    let r = role(&admin.token, &dev.user_id, "viewer").await;
    assert_eq!(r.status, 403, "alice is a viewer now");
    let r = app
        .testops(&dev.token)
        .delete(&format!("/api/users/{}", dev.user_id))
        .await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (403, Some("Cannot delete yourself"))
    );
    let removed = app
        .testops(&dev.token)
        .delete(&format!("/api/users/{}", admin.user_id))
        .await;
    assert_eq!(
        (removed.status, removed.body["message"].as_str()),
        (
            200,
            Some("User alice@acme.test has been removed from the organization")
        ),
        "{}",
        removed.body
    );
    assert_eq!(
        app.testops(&admin.token).get("/api/auth/me").await.status,
        401,
        "a removed user's token stops working"
    );
    let users = app.testops(&dev.token).get("/api/users").await;
    assert_eq!(users.body["users"].as_array().unwrap().len(), 1);
    let tenant = app
        .platform
        .accounts()
        .user_by_email("dev@acme.test")
        .await
        .unwrap()
        .unwrap()
        .tenant_id;
    let actions: Vec<String> = app
        .platform
        .audit()
        .page(tenant, 100, 0)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.iter().any(|a| a == "user.role_changed")
            && actions.iter().any(|a| a == "user.removed"),
        "{actions:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn admin_actions_have_the_strict_tier_and_admins_cannot_remove_themselves() {
    let app = spawn_with(AppOptions::contract_limits().services(&[ServiceName::Testops])).await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let dev = app
        .testops_invite_signup(&admin, "dev@acme.test", "developer")
        .await;
    // The invitation above was one strict request; nine more are allowed, then 429.
    let mut statuses = Vec::new();
    for i in 0..10 {
        let role = if i % 2 == 0 { "viewer" } else { "developer" };
        let r = app
            .testops(&admin.token)
            .patch(
                &format!("/api/users/{}/role", dev.user_id),
                json!({"role": role}),
            )
            .await;
        statuses.push(r.status);
        if r.status == 429 {
            assert_eq!(r.body["error"], "Too Many Requests");
            assert_eq!(
                r.body["message"],
                "Rate limit exceeded. Please wait before trying again."
            );
            assert_eq!(
                (r.body["limit"].as_u64(), r.body["window"].as_u64()),
                (Some(10), Some(60_000))
            );
            assert!(r.body["retryAfter"].as_u64().unwrap() >= 1);
            let reset: i64 = r.header("x-ratelimit-reset").parse().unwrap();
            assert!(reset > chrono::Utc::now().timestamp() - 1, "Unix seconds");
        }
    }
    assert_eq!(&statuses[..9], &[200; 9], "{statuses:?}");
    assert_eq!(statuses[9], 429);
    assert_eq!(
        app.testops(&admin.token).get("/api/users").await.status,
        200,
        "the API tier is separate"
    );
    app.stop().await;

    let app = spawn().await;
    let admin = app.testops_signup("Acme", "alice@acme.test").await;
    let viewer = app
        .testops_invite_signup(&admin, "v@acme.test", "viewer")
        .await;
    let r = app
        .testops(&admin.token)
        .delete(&format!("/api/users/{}", admin.user_id))
        .await;
    assert_eq!(r.body["error"], "Cannot delete yourself");
    assert_eq!(
        app.testops(&viewer.token)
            .delete(&format!("/api/users/{}", admin.user_id))
            .await
            .status,
        403
    );
    app.stop().await;
}
