//! JWT and API-key authentication: expiry, wrong secret, `alg: none`, another service's token,
//! roles; keys shown once and stored only as a hash; keys scoped to their service and tenant.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use platform::ServiceName;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::guard::spawn_guard;
use crate::helpers::{spawn_platform, spawn_with, AppOptions};

fn claims(user: uuid::Uuid, tenant: uuid::Uuid, aud: &str, iat: i64, exp: i64) -> Value {
    json!({ "sub": user, "email": "alice@acme.fr", "tenant_id": tenant, "role": "admin", "aud": aud, "iat": iat, "exp": exp })
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    let app = spawn_guard().await;
    let (tenant, user) = app
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let audit_log = |token: &str| {
        let client = app.guard(token);
        async move { client.get("/api/v1/audit-log").await }
    };
    let now = chrono::Utc::now().timestamp();
    let secret = std::fs::read_to_string(app.data_dir.join("jwt_secret")).unwrap();
    let secret = base64::engine::general_purpose::STANDARD
        .decode(secret.trim())
        .unwrap();

    let good = encode(
        &Header::default(),
        &claims(user, tenant, "guard", now, now + 60),
        &EncodingKey::from_secret(&secret),
    )
    .unwrap();
    assert_eq!(
        audit_log(&good).await.status,
        200,
        "control: a well-formed token passes"
    );

    let expired = encode(
        &Header::default(),
        &claims(user, tenant, "guard", now - 90_000, now - 3_600),
        &EncodingKey::from_secret(&secret),
    )
    .unwrap();
    let r = audit_log(&expired).await;
    assert_eq!(
        (r.status, r.body),
        (401, json!({ "error": "Token expired" }))
    );

    let wrong_secret = encode(
        &Header::default(),
        &claims(user, tenant, "guard", now, now + 60),
        &EncodingKey::from_secret(b"not-the-server-secret-not-the-server-secret"),
    )
    .unwrap();
    let r = audit_log(&wrong_secret).await;
    assert_eq!(
        (r.status, r.body),
        (401, json!({ "error": "Invalid token" }))
    );

    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(user, tenant, "guard", now, now + 60).to_string());
    let testops_token = app.token(ServiceName::Testops, user, tenant, "admin");
    for (case, token) in [
        (
            "alg none, signature empty",
            format!("{none_header}.{payload}."),
        ),
        ("alg none, no signature", format!("{none_header}.{payload}")),
        ("a testops token at guard", testops_token),
    ] {
        assert_eq!(audit_log(&token).await.status, 401, "{case}");
    }

    let r = app
        .client(ServiceName::Guard)
        .get("/api/v1/audit-log")
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "No token provided in Authorization header");
    app.stop().await;
}

#[tokio::test]
async fn roles_gate_endpoints_with_403() {
    let app = spawn_guard().await;
    let (_, token) = app.guard_user("acme", "viewer@acme.fr", "viewer").await;
    let r = app.guard(&token).get("/api/v1/audit-log").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body["error"],
        "This action requires one of the following roles: admin. Your role: viewer."
    );
    app.stop().await;
}

#[tokio::test]
async fn an_api_key_is_stored_only_as_its_hash_and_works_once_issued() {
    let app = spawn_with(AppOptions::default().services(&[ServiceName::Vision])).await;
    let (tenant, _) = app.platform.accounts().ensure_tenant("acme").await.unwrap();
    let issued = app
        .platform
        .api_keys()
        .create(tenant.id, ServiceName::Vision, "ci", None)
        .await
        .unwrap();
    assert!(issued.key.starts_with("vsk_live_"));
    assert_eq!(issued.key.len(), "vsk_live_".len() + 43);
    assert!(issued.key.starts_with(&issued.prefix) && issued.prefix.len() < issued.key.len());

    // Read the row as stored: every text column, and the hash.
    let sql = "SELECT name, prefix, service, key_hash FROM api_keys WHERE id = $1";
    let (name, prefix, service, hash): (String, String, String, Vec<u8>) =
        platform::on_db!(app.platform.db(), |p| sqlx::query_as(sql)
            .bind(issued.id)
            .fetch_one(p)
            .await)
        .unwrap();
    assert_eq!(hash, Sha256::digest(issued.key.as_bytes()).to_vec());
    for column in [&name, &prefix, &service] {
        assert!(
            !column.contains(&issued.key[issued.prefix.len()..]),
            "the secret part is not stored"
        );
    }

    let capacity = |key: &str| {
        let client = app.client(ServiceName::Vision).header("X-API-Key", key);
        async move { client.get("/v1/status/capacity").await }
    };
    let r = capacity(&issued.key).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["used_system_capacity"], 0.0);

    // A vision key is not an enclave or testops key; a mangled key is nothing.
    let other = app
        .platform
        .api_keys()
        .create(tenant.id, ServiceName::Testops, "ci", None)
        .await
        .unwrap();
    for bad in [
        other.key.clone(),
        format!("{}x", issued.key),
        "vsk_live_".to_string(),
    ] {
        let r = capacity(&bad).await;
        assert_eq!(r.status, 401, "{bad}");
        assert_eq!(r.body["error"], "unauthorized", "{bad}");
    }

    assert!(app
        .platform
        .api_keys()
        .revoke(tenant.id, ServiceName::Vision, issued.id)
        .await
        .unwrap());
    assert_eq!(
        capacity(&issued.key).await.status,
        401,
        "a revoked key is refused"
    );
    app.stop().await;
}

#[tokio::test]
async fn api_keys_never_cross_tenants() {
    let app = spawn_platform().await;
    let accounts = app.platform.accounts();
    let (a, _) = accounts.ensure_tenant("tenant-a").await.unwrap();
    let (b, _) = accounts.ensure_tenant("tenant-b").await.unwrap();
    let keys = app.platform.api_keys();
    let key_a = keys
        .create(a.id, ServiceName::Enclave, "a", None)
        .await
        .unwrap();
    keys.create(b.id, ServiceName::Enclave, "b", None)
        .await
        .unwrap();

    let listed_b = keys.list(b.id, ServiceName::Enclave).await.unwrap();
    assert_eq!(listed_b.len(), 1);
    assert!(listed_b
        .iter()
        .all(|k| k.tenant_id == b.id && k.id != key_a.id));
    assert!(
        !keys
            .revoke(b.id, ServiceName::Enclave, key_a.id)
            .await
            .unwrap(),
        "tenant B cannot revoke A's key"
    );
    let still = keys
        .authenticate(ServiceName::Enclave, &key_a.key)
        .await
        .unwrap()
        .expect("A's key still works");
    assert_eq!(still.tenant_id, a.id);
    let used = keys.list(a.id, ServiceName::Enclave).await.unwrap();
    assert!(
        used[0].last_used_at.is_some(),
        "authenticating records last use"
    );
    app.stop().await;
}
