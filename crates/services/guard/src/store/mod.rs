//! `GuardStore`: the only code that reads or writes guard's tables. Handlers call its named
//! methods, which take and return domain types; each table has one owner module here
//! (`policies`: guard_policies; `interactions`: guard_interactions and guard_findings;
//! `alerts`: guard_alerts; `tenant_settings`: guard_tenant_settings), and `reports` reads them
//! for the dashboard and the inventory. Platform tables are reached through the platform.
//!
//! Column lists follow the house idiom (a `macro_rules! columns` literal joined with `concat!`;
//! the reason is in `platform::store`).
//!
//! Every call carries `.context(..)` saying what failed; the cause reaches the log through
//! `ApiError`'s source, with the request id.

mod alerts;
mod interactions;
mod policies;
mod reports;
mod tenant_settings;

use platform::store::Db;

pub use policies::{PolicyRow, WriteError};
pub use tenant_settings::SettingsRow;

#[derive(Clone)]
pub struct GuardStore {
    db: Db,
}

impl GuardStore {
    pub fn new(db: Db) -> GuardStore {
        GuardStore { db }
    }
}
