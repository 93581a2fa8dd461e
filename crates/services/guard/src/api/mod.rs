//! guard's handlers and their request and response types, one module per resource. They call
//! `GuardStore` and the domain in `model`, never SQL.

pub mod alerts;
pub mod audit_log;
pub mod auth;
pub mod classify;
pub mod health;
pub mod interactions;
pub mod inventory;
pub mod policies;
pub mod stats;
pub mod tenants;
pub mod users;
pub mod webhooks;
pub mod ws;
