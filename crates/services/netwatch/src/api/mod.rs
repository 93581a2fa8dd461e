//! netwatch's handlers, one module per resource.

pub mod agents;
pub mod alerts;
pub mod analytics;
pub mod audit_log;
pub mod billing;
pub mod compliance;
pub mod config;
pub mod detections;
pub mod export_archive;
pub mod health;
pub mod reports;
pub mod tenant;
pub mod token;
pub mod traces;
pub mod whitelist;

use platform::http::pagination::{OffsetPage, OffsetParams};
use platform::http::ApiError;

/// Lists take `limit` (at most 100: a larger one is clamped, as clients expect) and `offset`.
pub fn clamped(params: OffsetParams, default_limit: u64) -> Result<OffsetPage, ApiError> {
    let params = OffsetParams {
        limit: params.limit.map(|l| l.min(100)),
        offset: params.offset,
    };
    params.resolve(default_limit, 100)
}
