//! The HTTP kit every service uses: errors and envelopes, auth extractors, pagination,
//! metrics, OpenAPI docs and the hardening layer stack.

pub mod auth;
pub mod docs;
pub mod envelope;
pub mod error;
pub mod fields;
pub mod health;
pub mod input;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod pagination;
pub mod stack;

pub use auth::{ApiKeyAuth, AuthUser};
pub use envelope::ErrorEnvelope;
pub use error::ApiError;
pub use json::AppJson;
