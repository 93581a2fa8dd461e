//! The `Db` seam: one SQLite or PostgreSQL pool, the migrations of each owner, and the `on_db!`
//! dispatch.
//!
//! Queries are written once in portable SQL with `$N` placeholders; `on_db!(db, |p| …)`
//! monomorphises the same body for each concrete pool, so bind and decode types are checked for
//! both drivers.
//!
//! Column lists, everywhere (platform and services): a `macro_rules! columns` that expands to a
//! string literal, joined into each statement with `concat!`. The SQL stays a `&'static str`,
//! which sqlx takes as it is; a `format!`ed string would need `sqlx::AssertSqlSafe` and a clone
//! per backend (`on_db!` expands its body twice), and a `const` cannot be spliced into another
//! literal. Only statements whose shape depends on the request (optional filters) are built at
//! run time, from caller-side constants, never from input.

mod filter;
mod migrations;
mod recent;

pub use filter::{fetch_page, fetch_window, Filter, SqlArg};
pub use migrations::{check_owners, compose, Migrations, PLATFORM};
pub use recent::Recent;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$db` holds.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}

/// Copies the SQLite WAL back into the database every second, from a task of its own. With
/// SQLite's automatic checkpoints, the commit that crosses 1000 WAL pages runs the checkpoint
/// (and its fsync) itself: one request in a few hundred took 4–5 ms longer (enclave DELETE p99
/// 6.9 → 3.1 ms without). A passive checkpoint never blocks readers or writers; the task ends
/// when the pool is closed.
fn spawn_checkpointer(pool: sqlx::SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "sqlite: WAL checkpoint failed");
            }
        }
    });
}

/// Which backend a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

impl Db {
    /// Opens a pool for `url`: `postgres://…` selects PostgreSQL, anything else SQLite
    /// (`sqlite://path` or a bare path), created if missing, in WAL mode with foreign keys on.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        match Backend::of_url(url) {
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Ok(Db::Postgres(pool))
            }
            Backend::Sqlite => {
                let url = if url.starts_with("sqlite:") {
                    url.to_string()
                } else {
                    format!("sqlite://{url}")
                };
                let options = SqliteConnectOptions::from_str(&url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // Checkpoints run in the background (below), not inside a commit.
                    .pragma("wal_autocheckpoint", "0");
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                spawn_checkpointer(pool.clone());
                Ok(Db::Sqlite(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// True when a trivial query succeeds: what readiness probes report.
    pub async fn ping(&self) -> bool {
        let probe = on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()));
        probe.is_ok()
    }

    /// Connections open and idle, for the pool gauges.
    pub fn pool_stats(&self) -> (u32, usize) {
        on_db!(self, |pool| (pool.size(), pool.num_idle()))
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

/// The current time at microsecond precision, which both backends store without loss.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// True when `err` is a unique-constraint violation on either backend.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
