//! vision: asynchronous image and video analysis (contract: seeds/vision-media-analysis-api.txt).
//! Paths under `/v1` (the contract prints none; see docs/decisions.md); API key in `X-API-Key`
//! or `Authorization: Bearer vsk_live_…`; errors are `{"error": "<snake_case code>", "message"}`.

mod api;
pub mod decoder;
mod health;
mod model;
mod store;
mod webhook;
mod worker;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRef};
use axum::Router;
use platform::blobs::BlobStore;
use platform::http::docs::{ApiKeyHeaderScheme, DocsPaths};
use platform::http::stack::{assemble, ServiceSpec};
use platform::http::{ApiError, ErrorEnvelope};
use platform::ratelimit::{limited, KeyBy, RateRule};
use platform::ServiceState;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{allowlist, images, settings, status, video};
use crate::store::VisionStore;
use crate::worker::{Analyser, ModelPool};

pub static MIGRATIONS: platform::store::Migrations = platform::store::Migrations {
    owner: "vision",
    versions: 4000..=4999,
    sqlite: sqlx::migrate!("./migrations/sqlite"),
    postgres: sqlx::migrate!("./migrations/postgres"),
    renumbered: &[],
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Redoubt vision API", description = "Asynchronous image and video analysis with polling and signed webhooks."),
    modifiers(&ApiKeyHeaderScheme),
    tags(
        (name = "Request", description = "Submit new analysis requests"),
        (name = "Results", description = "Retrieve analysis results"),
        (name = "Status", description = "System-level status and capacity"),
        (name = "Allowlist", description = "Ours: faces whose matches are flagged `allowlisted`"),
        (name = "Settings", description = "Ours: the tenant's switch for biometric face attributes"),
        (name = "health")
    )
)]
struct VisionApi;

/// Every vision error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine code, snake_case: bad_request, unauthorized, not_found, rate_limited, …
    pub error: String,
    pub message: String,
}

pub struct VisionEnvelope;

/// `NotFound` → `not_found`.
fn snake_case(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 4);
    for (i, c) in code.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

impl ErrorEnvelope for VisionEnvelope {
    fn body(&self, err: &ApiError) -> serde_json::Value {
        platform::http::envelope::to_body(ErrorBody {
            error: snake_case(err.code),
            message: err.message.clone(),
        })
    }
}

/// Not in the contract: 600 requests per minute per API key (see docs/decisions.md).
pub const API: RateRule = RateRule::per_minute(
    "vision.api",
    600,
    KeyBy::ApiKey,
    "Rate limit exceeded: 600 requests per minute per API key",
);

/// Everything a vision handler may ask for by type.
#[derive(Clone)]
pub struct VisionState {
    shared: ServiceState,
    store: VisionStore,
    media: BlobStore,
    analyser: Analyser,
    /// Analysis workers on this node.
    workers: usize,
}

impl VisionState {
    /// The server's setting, unless the tenant switched face attributes off (or on) itself.
    pub async fn face_attributes_enabled(&self, tenant_id: uuid::Uuid) -> anyhow::Result<bool> {
        self.analyser.face_attributes_enabled(tenant_id).await
    }
}

impl FromRef<VisionState> for ServiceState {
    fn from_ref(state: &VisionState) -> ServiceState {
        state.shared.clone()
    }
}

impl FromRef<VisionState> for VisionStore {
    fn from_ref(state: &VisionState) -> VisionStore {
        state.store.clone()
    }
}

/// Analysis workers: as configured, else one per core up to two (ONNX Runtime runs each with
/// one thread; on this machine kind two vCPUs give ~1.4× one, docs/decisions.md).
fn worker_count(configured: Option<usize>) -> usize {
    configured.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 2)
    })
}

pub fn router(state: ServiceState) -> Router {
    let settings = state.platform.settings().vision.clone();
    let store = VisionStore::new(state.platform.db().clone());
    let media = match BlobStore::open(
        &state.platform.settings().object_store,
        "vision",
        &settings.media_dir,
    ) {
        Ok(media) => media,
        Err(e) => {
            // A bucket named but unusable: say so and keep to this node's media folder.
            tracing::error!(error = %format!("{e:#}"), "vision: the S3 media store is misconfigured; using the local media folder");
            BlobStore::local(&settings.media_dir)
        }
    };
    let pool = Arc::new(ModelPool::new(media::Models::open(&settings.models_dir)));
    let sandbox = &state.platform.settings().sandbox;
    let decoders_root = sandbox.root.with_file_name(format!(
        "{}-vision",
        sandbox
            .root
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("sandboxes")
    ));
    let decoders = Arc::new(decoder::Decoders::start(&decoders_root, &sandbox.init));
    let analyser = Analyser {
        platform: state.platform.clone(),
        store: store.clone(),
        media: media.clone(),
        pool,
        decoders,
    };
    let workers = worker_count(settings.workers);
    worker::start(analyser.clone(), workers);
    let submit = OpenApiRouter::new()
        .routes(routes!(images::submit))
        .layer(DefaultBodyLimit::max(settings.max_batch_bytes));
    let upload = OpenApiRouter::new()
        .routes(routes!(video::submit))
        .layer(DefaultBodyLimit::max(settings.max_video_bytes as usize));
    let api = limited(
        OpenApiRouter::new()
            .merge(submit)
            .merge(upload)
            .routes(routes!(images::get, images::delete))
            .routes(routes!(video::get, video::delete))
            .routes(routes!(allowlist::enrol, allowlist::list))
            .routes(routes!(allowlist::remove))
            .routes(routes!(settings::get, settings::put))
            .routes(routes!(status::latency))
            .routes(routes!(status::capacity)),
        &state,
        API,
    );
    let api = OpenApiRouter::with_openapi(VisionApi::openapi())
        .merge(api)
        .routes(routes!(health::health));
    let docs = DocsPaths {
        ui: "/v1/docs",
        json: "/v1/openapi.json",
        yaml: None,
    };
    let spec = ServiceSpec::new(VisionEnvelope, docs).body_limit(
        settings
            .max_batch_bytes
            .max(settings.max_video_bytes as usize),
    );
    let state = VisionState {
        shared: state,
        store,
        media,
        analyser,
        workers,
    };
    assemble(api, state, spec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_become_snake_case() {
        assert_eq!(super::snake_case("NotFound"), "not_found");
        assert_eq!(super::snake_case("RateLimited"), "rate_limited");
        assert_eq!(super::snake_case("BadRequest"), "bad_request");
    }

    #[test]
    fn forbidden_and_bad_request_render_in_the_envelope() {
        use super::{ApiError, ErrorEnvelope, VisionEnvelope};
        let body = VisionEnvelope.body(&ApiError::forbidden("no"));
        assert_eq!(
            body,
            serde_json::json!({ "error": "forbidden", "message": "no" })
        );
        let body = VisionEnvelope.body(&ApiError::bad_request("media_type is required"));
        assert_eq!(
            body,
            serde_json::json!({ "error": "bad_request", "message": "media_type is required" })
        );
    }
}
