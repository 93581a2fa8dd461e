//! enclave's handlers and their request and response types, one module per resource. They
//! call the store and the live sessions, never SQL.

pub mod billing;
pub mod customers;
pub mod health;
pub mod proofs;
pub mod sessions;
