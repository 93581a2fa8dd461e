//! guard's domain: interactions and their analysis, policy rules and their evaluation, and
//! alerts. No HTTP and no SQL: handlers and the store both build on these types.

pub mod alert;
pub mod analysis;
pub mod evaluate;
pub mod interaction;
pub mod rules;
pub mod vocabulary;
