//! Migrations by owner: the platform and each service keep their own folders
//! (`migrations/{sqlite,postgres}` in their crate) in a version range of their own, and one run
//! applies the platform's and the enabled services' together, in version order.

use std::ops::RangeInclusive;

use anyhow::{bail, Context};
use sqlx::migrate::{Migration, Migrator};

use super::{Backend, Db};

/// One owner's migrations, for both backends.
pub struct Migrations {
    /// Who owns these tables: `platform` or a service's name.
    pub owner: &'static str,
    /// The versions this owner may use; no two owners' ranges overlap.
    pub versions: RangeInclusive<i64>,
    pub sqlite: Migrator,
    pub postgres: Migrator,
    /// `(old, new)`: versions these migrations had when the platform crate held every
    /// service's migrations (up to 77c4311). Databases made then are renumbered on the next run.
    pub renumbered: &'static [(i64, i64)],
}

/// The platform's own tables: tenants, users, API keys, audit, jobs, rate limits, webhooks.
pub static PLATFORM: Migrations = Migrations {
    owner: "platform",
    versions: 1..=999,
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
    renumbered: &[],
};

impl Migrations {
    pub fn for_backend(&self, backend: Backend) -> &Migrator {
        match backend {
            Backend::Sqlite => &self.sqlite,
            Backend::Postgres => &self.postgres,
        }
    }
}

/// Checks that every owner stays inside its range and that no two ranges overlap.
pub fn check_owners(sets: &[&Migrations]) -> anyhow::Result<()> {
    for (i, set) in sets.iter().enumerate() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            if let Some(m) = set
                .for_backend(backend)
                .iter()
                .find(|m| !set.versions.contains(&m.version))
            {
                bail!(
                    "{} migration {} is outside its range {:?}",
                    set.owner,
                    m.version,
                    set.versions
                );
            }
        }
        for other in &sets[i + 1..] {
            if set.versions.start() <= other.versions.end()
                && other.versions.start() <= set.versions.end()
            {
                bail!(
                    "{} and {} have overlapping version ranges",
                    set.owner,
                    other.owner
                );
            }
        }
    }
    Ok(())
}

/// The migrations of `sets` as one migrator for `backend`. `partial` says that some owners
/// whose migrations may already be applied are left out (services not enabled on this node):
/// their applied versions are then not an error.
pub fn compose(sets: &[&Migrations], backend: Backend, partial: bool) -> anyhow::Result<Migrator> {
    check_owners(sets)?;
    let all: Vec<Migration> = sets
        .iter()
        .flat_map(|set| set.for_backend(backend).iter().cloned())
        .collect();
    let mut migrator = Migrator::with_migrations(all);
    migrator.set_ignore_missing(partial);
    Ok(migrator)
}

impl Db {
    /// Applies every pending migration of `enabled` (the platform's and the enabled services')
    /// on this backend, after renumbering the rows of a database made before migrations moved
    /// to their owners. `known` is every owner this build has, enabled or not: all of them are
    /// renumbered, so an old version number never lingers inside another owner's range.
    pub async fn migrate(
        &self,
        enabled: &[&Migrations],
        known: &[&Migrations],
    ) -> anyhow::Result<()> {
        check_owners(known)?;
        let partial = known
            .iter()
            .any(|k| !enabled.iter().any(|e| e.owner == k.owner));
        let migrator = compose(enabled, self.backend(), partial)?;
        self.renumber_legacy(known)
            .await
            .context("renumbering migrations applied before they moved to their owners")?;
        match self {
            Db::Sqlite(pool) => migrator.run(pool).await?,
            Db::Postgres(pool) => migrator.run(pool).await?,
        }
        Ok(())
    }

    /// Moves each applied migration that still has its old version to its new one. A row moves
    /// only when its checksum is that of the migration now at the new version, so a database
    /// whose old version held something else is left for the migrator to report.
    async fn renumber_legacy(&self, sets: &[&Migrations]) -> anyhow::Result<()> {
        let update =
            "UPDATE _sqlx_migrations SET version = $1 WHERE version = $2 AND checksum = $3";
        let table_present: bool = match self {
            Db::Sqlite(p) => sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            )
            .fetch_one(p)
            .await?,
            Db::Postgres(p) => sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(p)
                .await?,
        };
        if !table_present {
            return Ok(());
        }
        for set in sets {
            let migrator = set.for_backend(self.backend());
            for &(old, new) in set.renumbered {
                let Some(migration) = migrator.iter().find(|m| m.version == new) else {
                    bail!("{}: renumbered migration {new} does not exist", set.owner);
                };
                let checksum: &[u8] = &migration.checksum;
                let moved = crate::on_db!(self, |p| sqlx::query(update)
                    .bind(new)
                    .bind(old)
                    .bind(checksum)
                    .execute(p)
                    .await
                    .map(|r| r.rows_affected()))?;
                if moved == 0 {
                    continue;
                }
                tracing::info!(owner = set.owner, old, new, "migration renumbered");
            }
        }
        Ok(())
    }
}
