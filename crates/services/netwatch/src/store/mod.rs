//! `NetwatchStore`: the only code that reads or writes netwatch's tables (one module per table
//! family). Column lists follow the house idiom (`macro_rules!` literals joined with `concat!`).

mod agents;
mod alerts;
mod licenses;
mod rules;
mod tokens;
mod whitelist;

use platform::store::Db;

pub use agents::AgentHello;
pub use alerts::{AlertQuery, NewAlert};

#[derive(Clone)]
pub struct NetwatchStore {
    db: Db,
}

impl NetwatchStore {
    pub fn new(db: Db) -> NetwatchStore {
        NetwatchStore { db }
    }
}
