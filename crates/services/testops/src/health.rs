//! `GET /health` (public), in the contract's shape.

use axum::extract::State;
use axum::response::Response;
use chrono::{SecondsFormat, Utc};
use platform::http::health::health_response;
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Checks {
    /// `healthy` | `unhealthy`.
    database: &'static str,
    /// `healthy` | `unhealthy` | `unknown` (not configured).
    redis: &'static str,
    /// This build uses the database job queue, not RabbitMQ: always `unknown`.
    rabbitmq: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `healthy`, or `degraded` (503).
    status: &'static str,
    timestamp: String,
    service: &'static str,
    version: &'static str,
    /// Seconds since start.
    uptime: u64,
    checks: Checks,
}

#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<ServiceState>) -> Response {
    let platform = &state.platform;
    let database = platform.db().ping().await;
    let redis = match platform.rate_limiter() {
        platform::ratelimit::RateLimiter::Redis(_) => "healthy",
        platform::ratelimit::RateLimiter::Memory(_) => "unknown",
    };
    let body = Health {
        status: if database { "healthy" } else { "degraded" },
        timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        service: "redoubt-testops",
        version: env!("CARGO_PKG_VERSION"),
        uptime: platform.uptime_secs(),
        checks: Checks {
            database: if database { "healthy" } else { "unhealthy" },
            redis,
            rabbitmq: "unknown",
        },
    };
    health_response(database, body)
}

#[derive(Serialize, ToSchema)]
pub struct Root {
    message: &'static str,
}

/// Liveness in the vendor's shape (`{message}`).
#[utoipa::path(get, path = "/", tag = "health", responses((status = 200, body = Root)))]
pub async fn root() -> axum::Json<Root> {
    axum::Json(Root {
        message: "Redoubt testops service is running!",
    })
}
