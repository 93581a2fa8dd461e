//! `GuardStore`: the only code that reads or writes guard's tables. Handlers call its named
//! methods, which take and return domain types; each table has one owner module here
//! (`policies`: guard_policies; `interactions`: guard_interactions and guard_findings;
//! `alerts`: guard_alerts; `tenant_settings`: guard_tenant_settings), and `reports` reads them
//! for the dashboard and the inventory. Platform tables are reached through the platform.
//!
//! Column lists: one idiom, a `macro_rules!` that expands to a string literal, joined with
//! `concat!`. The SQL stays a `&'static str`, which sqlx takes as safe as it is (a `format!`ed
//! string needs `AssertSqlSafe`, cloned because `on_db!` expands its body once per backend),
//! and the list is written once for the SELECT and the INSERT.
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
