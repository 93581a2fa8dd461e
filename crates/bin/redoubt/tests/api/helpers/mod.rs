//! `spawn_app()`: a fresh database, data directory and server per test (`spawn_with(opts)` with
//! `AppOptions::default().services(..)` boots only the services a test uses); `client` holds the
//! request helpers (`app.guard(&token).post(path, json)`), `guard` and `enclave` the helpers of
//! those services (`spawn_guard()`, `with_text`, `signup`, …).

mod client;
pub mod enclave;
pub mod guard;
pub mod netwatch;
pub mod receiver;
pub mod s3;
pub mod stripe;
pub mod testops;
pub mod vision;

pub use client::TestResponse;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use platform::settings::LimitOverride;
use platform::{Platform, ServiceName};
use redoubt::config::{Config, Ports};
use redoubt::serve::{self, Server};
use sqlx::Connection;
use tempfile::TempDir;
use uuid::Uuid;

pub const PASSWORD: &str = "correct-horse-battery";

/// A change to the test server's configuration.
pub type Configure = std::sync::Arc<dyn Fn(&mut Config) + Send + Sync>;

pub struct AppOptions {
    /// Use the Redis store (`TEST_REDIS_URL`, default redis://127.0.0.1:6379).
    pub redis: bool,
    /// Redis key namespace; nodes sharing it share budgets. Default: unique per app.
    pub namespace: Option<String>,
    pub overrides: BTreeMap<String, LimitOverride>,
    /// Share this database (and data dir) instead of creating new ones.
    pub reuse: Option<(String, std::path::PathBuf)>,
    pub hsts: bool,
    /// Let webhooks target http:// and private addresses (receivers on 127.0.0.1).
    pub private_webhooks: bool,
    /// Any further configuration (enclave quotas, a fake Stripe, …).
    pub configure: Option<Configure>,
    /// The services to start (and migrate); `None`: all five.
    pub services: Option<Vec<ServiceName>>,
}

impl Default for AppOptions {
    /// Login limits are raised so tests can log in freely; rate-limit tests use `contract_limits`.
    fn default() -> Self {
        let high = LimitOverride {
            requests: 10_000,
            per_seconds: 60,
        };
        let overrides = ["guard.login", "testops.auth", "netwatch.sign_in"]
            .into_iter()
            .map(|r| (r.to_string(), high))
            .collect();
        AppOptions {
            redis: false,
            namespace: None,
            overrides,
            reuse: None,
            hsts: false,
            private_webhooks: false,
            configure: None,
            services: None,
        }
    }
}

impl AppOptions {
    pub fn contract_limits() -> AppOptions {
        AppOptions {
            overrides: BTreeMap::new(),
            ..AppOptions::default()
        }
    }

    /// Boots only `services` (the others' listeners, and enclave's sandbox engine, stay off).
    pub fn services(mut self, services: &[ServiceName]) -> AppOptions {
        self.services = Some(services.to_vec());
        self
    }

    pub fn limit(mut self, rule: &str, requests: u32, per_seconds: u64) -> AppOptions {
        self.overrides.insert(
            rule.to_string(),
            LimitOverride {
                requests,
                per_seconds,
            },
        );
        self
    }
}

pub struct TestApp {
    pub server: Server,
    pub platform: Platform,
    pub http: reqwest::Client,
    pub database_url: String,
    pub data_dir: std::path::PathBuf,
    _tmp: Option<TempDir>,
}

/// Whether a test tool is missing (the test then skips); with REDOUBT_REQUIRE_MODELS=1
/// (scripts/test, which installs them) a missing one fails the test instead.
pub fn tool_missing(present: bool, what: &str) -> bool {
    if !present {
        assert_ne!(
            std::env::var("REDOUBT_REQUIRE_MODELS").as_deref(),
            Ok("1"),
            "{what} is missing (scripts/test installs it)"
        );
        eprintln!("skipped: {what} is missing");
    }
    !present
}

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub fn is_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

/// A database nobody else uses: a SQLite file in `dir`, or a new PostgreSQL database on the
/// server of `TEST_DATABASE_URL`.
pub async fn fresh_database_url(dir: &Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let name = format!("redoubt_t_{}", Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("connecting to TEST_DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut conn)
                .await
                .expect("creating a test database");
            let (base, query) = match admin.split_once('?') {
                Some((b, q)) => (b, format!("?{q}")),
                None => (admin.as_str(), String::new()),
            };
            let base = &base[..base
                .rfind('/')
                .expect("a database path in TEST_DATABASE_URL")];
            format!("{base}/{name}{query}")
        }
        _ => format!("sqlite://{}", dir.join("redoubt.db").display()),
    }
}

pub fn test_config(database_url: &str, data_dir: &Path, opts: &AppOptions) -> Config {
    let mut config = Config {
        data_dir: data_dir.to_path_buf(),
        database_url: Some(database_url.to_string()),
        ports: Ports {
            guard: 0,
            netwatch: 0,
            enclave: 0,
            vision: 0,
            testops: 0,
        },
        ..Config::default()
    };
    config.platform.jobs.poll_interval_ms = 100;
    config.platform.jobs.heartbeat_secs = 1;
    config.platform.jobs.stale_after_secs = 3;
    config.platform.http.shutdown_grace_secs = 5;
    config.platform.http.hsts = opts.hsts;
    config.platform.webhooks.allow_private_targets = opts.private_webhooks;
    config.platform.rate_limit.overrides = opts.overrides.clone();
    config.platform.sandbox.root = data_dir.with_file_name("sandboxes");
    config.platform.sandbox.kill_grace_ms = 500;
    config.platform.sandbox.reap_interval_ms = 100;
    config.models_dir = Some(vision::models_dir());
    config.services = opts.services.clone();
    if opts.redis {
        config.platform.rate_limit.redis_url = Some(redis_url());
        config.platform.rate_limit.namespace = opts
            .namespace
            .clone()
            .unwrap_or_else(|| format!("redoubt-test-{}", Uuid::new_v4().simple()));
    }
    config
}

pub async fn spawn_app() -> TestApp {
    spawn_with(AppOptions::default()).await
}

/// The platform alone (database, audit, jobs, accounts): no service listens.
pub async fn spawn_platform() -> TestApp {
    spawn_with(AppOptions::default().services(&[])).await
}

pub async fn spawn_with(opts: AppOptions) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        redoubt::telemetry::init("pretty", "info");
    }
    let (tmp, database_url, data_dir) = match &opts.reuse {
        Some((url, dir)) => (None, url.clone(), dir.clone()),
        None => {
            let tmp = tempfile::tempdir().expect("temp dir");
            let data_dir = tmp.path().join("data");
            let url = fresh_database_url(tmp.path()).await;
            (Some(tmp), url, data_dir)
        }
    };
    let mut config = test_config(&database_url, &data_dir, &opts);
    if let Some(configure) = &opts.configure {
        configure(&mut config);
    }
    let server = serve::start(&config).await.expect("server starts");
    let platform = server.platform.clone();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        server,
        platform,
        http,
        database_url,
        data_dir,
        _tmp: tmp,
    }
}

impl TestApp {
    pub fn addr(&self, service: ServiceName) -> SocketAddr {
        self.server.addr(service)
    }

    pub fn url(&self, service: ServiceName, path: &str) -> String {
        format!("http://{}{}", self.addr(service), path)
    }

    /// Creates (or reuses) `tenant` and a user with `role` in `service`.
    pub async fn user(
        &self,
        tenant: &str,
        email: &str,
        service: ServiceName,
        role: &str,
    ) -> (Uuid, Uuid) {
        let accounts = self.platform.accounts();
        let (tenant, _) = accounts.ensure_tenant(tenant).await.unwrap();
        let user = accounts
            .create_user(tenant.id, email, None, PASSWORD, service, role)
            .await
            .unwrap();
        (tenant.id, user.id)
    }

    /// A guard user with `role` in `tenant`, logged in through the real endpoint: (tenant id, token).
    pub async fn guard_user(&self, tenant: &str, email: &str, role: &str) -> (Uuid, String) {
        let (tenant_id, _) = self.user(tenant, email, ServiceName::Guard, role).await;
        (tenant_id, self.guard_login(email).await)
    }

    /// Logs in through guard's real endpoint and returns the token.
    pub async fn guard_login(&self, email: &str) -> String {
        let response = self
            .client(ServiceName::Guard)
            .post(
                "/api/v1/auth/login",
                serde_json::json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(response.status, 200, "login of {email}: {}", response.body);
        response.body["token"].as_str().unwrap().to_string()
    }

    /// A token for `service` signed with the server's secret (for services without a login).
    pub fn token(&self, service: ServiceName, user: Uuid, tenant: Uuid, role: &str) -> String {
        self.platform
            .jwt()
            .issue(service, user, "someone@example.org", tenant, role)
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }

    /// Stops the server but keeps its database and data directory (for a restart on them).
    pub async fn stop_keeping_data(self) -> (AppOptions, Option<TempDir>) {
        let reuse = Some((self.database_url.clone(), self.data_dir.clone()));
        self.server.stop().await;
        (
            AppOptions {
                reuse,
                ..AppOptions::default()
            },
            self._tmp,
        )
    }
}

/// What an attacker with raw database access runs first: lifts the append-only trigger.
pub async fn lift_audit_guard(db: &platform::store::Db) {
    let sql = if is_postgres() {
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"
    } else {
        "DROP TRIGGER audit_log_no_update"
    };
    platform::on_db!(db, |p| sqlx::query(sql).execute(p).await.map(|_| ())).unwrap();
}

impl TestApp {
    /// GET `path` on `service` and return the body as text (metrics, YAML, HTML).
    pub async fn get_text(&self, service: ServiceName, path: &str) -> String {
        self.client(service).get(path).await.text
    }
}
