//! `GET /v1/health` (public), in the contract's documented shape.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use platform::http::health::health_response;
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `healthy`, or `degraded` (503) when a check fails.
    status: &'static str,
    /// One flag per sandbox engine this build has; empty until the engines land.
    engines: BTreeMap<&'static str, bool>,
    database: bool,
    uptime_seconds: u64,
    #[schema(value_type = String, example = "2026-03-09T12:00:00Z")]
    timestamp: String,
}

#[utoipa::path(get, path = "/v1/health", tag = "health", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<ServiceState>) -> Response {
    let database = state.platform.db().ping().await;
    let now: DateTime<Utc> = Utc::now();
    let body = Health {
        status: if database { "healthy" } else { "degraded" },
        engines: BTreeMap::new(),
        database,
        uptime_seconds: state.platform.uptime_secs(),
        timestamp: now.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    health_response(database, body)
}
