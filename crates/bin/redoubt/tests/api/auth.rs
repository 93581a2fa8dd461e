//! JWT and API-key authentication: expiry, wrong secret, `alg: none`, another service's token,
//! roles; keys shown once and stored only as a hash; keys scoped to their service and tenant.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use platform::ServiceName;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::*;

fn claims(user: uuid::Uuid, tenant: uuid::Uuid, aud: &str, iat: i64, exp: i64) -> Value {
    json!({ "sub": user, "email": "alice@acme.fr", "tenant_id": tenant, "role": "admin", "aud": aud, "iat": iat, "exp": exp })
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    let app = spawn_app().await;
    let (tenant, user) = app
        .user("acme", "alice@acme.fr", ServiceName::Guard, "admin")
        .await;
    let url = app.url(ServiceName::Guard, "/api/v1/audit-log");
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
        get_json(&app.http, &url, Some(&good)).await.0,
        200,
        "control: a well-formed token passes"
    );

    let expired = encode(
        &Header::default(),
        &claims(user, tenant, "guard", now - 90_000, now - 3_600),
        &EncodingKey::from_secret(&secret),
    )
    .unwrap();
    let (status, _, body) = get_json(&app.http, &url, Some(&expired)).await;
    assert_eq!((status, body), (401, json!({ "error": "Token expired" })));

    let wrong_secret = encode(
        &Header::default(),
        &claims(user, tenant, "guard", now, now + 60),
        &EncodingKey::from_secret(b"not-the-server-secret-not-the-server-secret"),
    )
    .unwrap();
    let (status, _, body) = get_json(&app.http, &url, Some(&wrong_secret)).await;
    assert_eq!((status, body), (401, json!({ "error": "Invalid token" })));

    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(user, tenant, "guard", now, now + 60).to_string());
    for forged in [
        format!("{none_header}.{payload}."),
        format!("{none_header}.{payload}"),
    ] {
        assert_eq!(
            get_json(&app.http, &url, Some(&forged)).await.0,
            401,
            "alg none"
        );
    }

    let testops_token = app.token(ServiceName::Testops, user, tenant, "admin");
    assert_eq!(
        get_json(&app.http, &url, Some(&testops_token)).await.0,
        401,
        "a testops token at guard"
    );

    let (status, _, body) = get_json(&app.http, &url, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "No token provided in Authorization header");
    app.stop().await;
}

#[tokio::test]
async fn roles_gate_endpoints_with_403() {
    let app = spawn_app().await;
    app.user("acme", "viewer@acme.fr", ServiceName::Guard, "viewer")
        .await;
    let token = app.guard_login("viewer@acme.fr").await;
    let (status, _, body) = get_json(
        &app.http,
        &app.url(ServiceName::Guard, "/api/v1/audit-log"),
        Some(&token),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"],
        "This action requires one of the following roles: admin. Your role: viewer."
    );
    app.stop().await;
}

#[tokio::test]
async fn an_api_key_is_stored_only_as_its_hash_and_works_once_issued() {
    let app = spawn_app().await;
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

    let capacity = app.url(ServiceName::Vision, "/v1/status/capacity");
    let response = app
        .http
        .get(&capacity)
        .header("X-API-Key", &issued.key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["used_system_capacity"], 0.0);

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
        let response = app
            .http
            .get(&capacity)
            .header("X-API-Key", &bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized");
    }

    assert!(app
        .platform
        .api_keys()
        .revoke(tenant.id, ServiceName::Vision, issued.id)
        .await
        .unwrap());
    let response = app
        .http
        .get(&capacity)
        .header("X-API-Key", &issued.key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "a revoked key is refused");
    app.stop().await;
}

#[tokio::test]
async fn api_keys_never_cross_tenants() {
    let app = spawn_app().await;
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
