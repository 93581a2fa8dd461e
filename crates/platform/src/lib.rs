//! The Redoubt platform: storage, identity, audit, jobs, rate limits and the HTTP kit that every
//! service stands on. Services depend on this crate; it depends on no service.

pub mod audit;
pub mod billing;
pub mod blobs;
pub mod events;
pub mod http;
pub mod identity;
pub mod jobs;
mod platform;
pub mod ratelimit;
pub mod sealed;
pub mod secrets;
pub mod service;
pub mod settings;
pub mod store;
pub mod webhooks;

pub use platform::Platform;
pub use service::{ServiceName, ServiceState};
