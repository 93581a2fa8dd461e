//! The `redoubt` binary's library half: configuration, the server, admin and verify commands.
//! `main.rs` only parses the command line and calls in here, so tests start the same server.

pub mod admin;
pub mod cli;
pub mod config;
pub mod serve;
pub mod telemetry;
