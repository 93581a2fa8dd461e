//! Migrations by owner: every folder has its twin on the other backend, owners stay in their
//! version ranges, and a database made before the migrations moved to their owners (versions
//! 1–4, all in the platform crate, guard's webhooks in guard_webhooks) migrates forward
//! without losing a row.

use std::collections::BTreeMap;
use std::path::Path;

use platform::identity::Accounts;
use platform::store::{check_owners, Backend, Db, Migrations, PLATFORM};
use platform::{on_db, ServiceName};
use sqlx::migrate::{Migration, Migrator};

use crate::helpers::{fresh_database_url, spawn_with, AppOptions, PASSWORD};

fn owners() -> [&'static Migrations; 3] {
    [&PLATFORM, &guard::MIGRATIONS, &enclave::MIGRATIONS]
}

/// Tables and their columns, as the CREATE TABLE statements of `dir` declare them.
fn schema(dir: &Path, tables: &mut BTreeMap<String, Vec<String>>) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let sql = std::fs::read_to_string(&file).unwrap();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in sql.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                current = Some((rest.trim_end_matches(" (").trim().to_string(), vec![]));
            } else if line.starts_with(");") {
                if let Some((name, columns)) = current.take() {
                    tables.insert(name, columns);
                }
            } else if let Some((_, columns)) = current.as_mut() {
                let first = line.split_whitespace().next().unwrap_or_default();
                if !first.is_empty()
                    && first.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && first != "unique"
                    && first != "primary"
                {
                    columns.push(first.to_string());
                }
            }
        }
    }
}

#[test]
fn every_folder_has_its_twin_and_every_owner_its_own_range() {
    check_owners(&owners()).unwrap();
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let folders = ["platform", "services/guard", "services/enclave"];
    let (mut sqlite, mut postgres) = (BTreeMap::new(), BTreeMap::new());
    for folder in folders {
        let dir = crates.join(folder).join("migrations");
        schema(&dir.join("sqlite"), &mut sqlite);
        schema(&dir.join("postgres"), &mut postgres);
        for entry in std::fs::read_dir(dir.join("sqlite")).unwrap() {
            let name = entry.unwrap().file_name();
            let twin = dir.join("postgres").join(&name);
            assert!(twin.exists(), "{folder}: {name:?} has no PostgreSQL twin");
        }
    }
    assert!(sqlite.len() >= 12, "parsed {sqlite:?}");
    assert_eq!(sqlite, postgres);
    // Every service folder on disk is one the server composes.
    for entry in std::fs::read_dir(crates.join("services")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let service: ServiceName = name.parse().unwrap();
        assert_eq!(
            path.join("migrations").exists(),
            redoubt::serve::service_migrations(service).is_some(),
            "{name}"
        );
    }
}

/// What `main` at 77c4311 applied: the same files under their old version numbers, and none
/// of the migrations written since.
fn as_before(backend: Backend) -> Migrator {
    let mut old = Vec::new();
    for set in owners() {
        for m in set.for_backend(backend).iter() {
            let before = set
                .renumbered
                .iter()
                .find(|(_, new)| *new == m.version)
                .map(|(old, _)| *old);
            match before {
                Some(version) => old.push(Migration {
                    version,
                    ..m.clone()
                }),
                None if m.version == 1 => old.push(m.clone()),
                None => {}
            }
        }
    }
    Migrator::with_migrations(old)
}

async fn versions(db: &Db) -> Vec<i64> {
    let sql = "SELECT version FROM _sqlx_migrations ORDER BY version";
    on_db!(db, |p| sqlx::query_scalar(sql).fetch_all(p).await).unwrap()
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    on_db!(db, |p| sqlx::query_scalar(sql).fetch_one(p).await).unwrap()
}

#[tokio::test]
async fn a_database_made_before_owners_had_their_migrations_migrates_forward() {
    let tmp = tempfile::tempdir().unwrap();
    let url = fresh_database_url(tmp.path()).await;
    let db = Db::connect(&url).await.unwrap();
    match &db {
        Db::Sqlite(p) => as_before(Backend::Sqlite).run(p).await.unwrap(),
        Db::Postgres(p) => as_before(Backend::Postgres).run(p).await.unwrap(),
    }
    assert_eq!(versions(&db).await, [1, 2, 3, 4]);
    // Rows in every owner's tables, written as that version of the server wrote them.
    let accounts = Accounts::new(db.clone());
    let (tenant, _) = accounts.ensure_tenant("acme").await.unwrap();
    accounts
        .create_user(
            tenant.id,
            "alice@acme.fr",
            None,
            PASSWORD,
            ServiceName::Guard,
            "admin",
        )
        .await
        .unwrap();
    let now = platform::store::now();
    let policy = "INSERT INTO guard_policies (id, tenant_id, name, description, rules, enabled, priority, created_at, updated_at) \
                  VALUES ($1, $2, 'Block PII', '', $3, TRUE, 10, $4, $4)";
    let rules = r#"{"action":"block","conditions":[{"field":"platform_id","operator":"eq","value":"chatgpt"}]}"#;
    let hook = "INSERT INTO guard_webhooks (id, tenant_id, url, events, description, active, headers, auth_token, signing_secret, created_at) \
                VALUES ('whk_before', $1, 'https://hooks.example.com/in', '[\"alert.created\"]', 'old', TRUE, '{\"X-Team\":\"sec\"}', '', 'sealed', $2)";
    let customer =
        "INSERT INTO enclave_customers (id, tenant_id, email, jurisdiction, tier, created_at) \
                    VALUES ('cust_before', $1, 'ops@clinic.example', 'EU', 'pro', $2)";
    let enclave_tenant = accounts
        .ensure_tenant("enclave:cust_before")
        .await
        .unwrap()
        .0;
    on_db!(&db, |p| async {
        sqlx::query(policy)
            .bind(uuid::Uuid::now_v7())
            .bind(tenant.id)
            .bind(rules)
            .bind(now)
            .execute(p)
            .await?;
        sqlx::query(hook)
            .bind(tenant.id)
            .bind(now)
            .execute(p)
            .await?;
        sqlx::query(customer)
            .bind(enclave_tenant.id)
            .bind(now)
            .execute(p)
            .await?;
        Ok::<(), sqlx::Error>(())
    }
    .await)
    .unwrap();
    db.close().await;

    // Today's server on that database: guard alone first (enclave's rows must not trouble it),
    // then everything.
    let data = tmp.path().join("data");
    for services in [vec![ServiceName::Guard], ServiceName::ALL.to_vec()] {
        let opts = AppOptions {
            reuse: Some((url.clone(), data.clone())),
            ..AppOptions::default()
        };
        let app = spawn_with(opts.services(&services)).await;
        let token = app.guard_login("alice@acme.fr").await;
        let guard = app.guard(&token);
        let policies = guard.get("/api/v1/policies").await;
        assert_eq!(
            policies.body["policies"][0]["name"], "Block PII",
            "{}",
            policies.body
        );
        assert_eq!(policies.body["policies"][0]["rules"]["action"], "block");
        let hooks = guard.get("/api/v1/webhooks").await;
        let moved = &hooks.body["webhooks"][0];
        assert_eq!(moved["id"], "whk_before", "{}", hooks.body);
        assert_eq!(moved["url"], "https://hooks.example.com/in");
        assert_eq!(moved["events"], serde_json::json!(["alert.created"]));
        assert_eq!(moved["header_names"], serde_json::json!(["X-Team"]));
        let db = app.platform.db();
        // The old database had no netwatch or vision tables: they come when those first start on it.
        let mut expected = vec![1, 2, 1001, 1002, 1003, 3001];
        if services.contains(&ServiceName::Netwatch) {
            expected.splice(5..5, [2001, 2002, 2003]);
        }
        if services.contains(&ServiceName::Vision) {
            expected.extend([4001, 4002, 4003]);
        }
        if services.contains(&ServiceName::Testops) {
            expected.push(5001);
        }
        assert_eq!(versions(db).await, expected);
        let customers =
            "SELECT COUNT(*) FROM enclave_customers WHERE id = 'cust_before' AND tier = 'pro'";
        assert_eq!(count(db, customers).await, 1);
        let subscriptions = "SELECT COUNT(*) FROM webhook_subscriptions WHERE service = 'guard'";
        assert_eq!(count(db, subscriptions).await, 1);
        app.stop().await;
    }
}
