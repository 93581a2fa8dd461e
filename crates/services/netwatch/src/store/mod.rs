//! `NetwatchStore`: the only code that reads or writes netwatch's tables (one module per table
//! family). Column lists follow the house idiom (`macro_rules!` literals joined with `concat!`).

mod agents;
#[macro_use]
mod alerts;
mod analytics;
mod licenses;
mod rules;
mod settings;
mod tenant;
mod tokens;
mod whitelist;

use platform::store::Db;

pub use agents::AgentHello;
pub use alerts::{AlertQuery, NewAlert};
pub use tenant::{ExportedEntry, TENANT_TABLES};

#[derive(Clone)]
pub struct NetwatchStore {
    db: Db,
}

impl NetwatchStore {
    pub fn new(db: Db) -> NetwatchStore {
        NetwatchStore { db }
    }
}
