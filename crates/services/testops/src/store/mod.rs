//! `TestopsStore`: the only code that reads or writes testops' tables (one module per table
//! family). Platform tables (tenants, users, roles, API keys, audit) are reached through the
//! platform's methods.

mod invitations;
mod members;
mod orgs;
mod projects;
mod security;

use platform::store::Db;

pub use orgs::{NewOrg, OrgUpdate};
pub use projects::{EnvVarUpdate, ProjectSettingsUpdate};

#[derive(Clone)]
pub struct TestopsStore {
    db: Db,
}

impl TestopsStore {
    pub fn new(db: Db) -> TestopsStore {
        TestopsStore { db }
    }
}

/// Whether an error is a broken UNIQUE constraint (a duplicate).
pub fn is_duplicate(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sqlx::Error>()
        .is_some_and(platform::store::is_unique_violation)
}
