//! `GET /v1/health` (public), in the contract's documented shape. Each engine flag is a real
//! check, run at most every 30 s and cached:
//! - `eee` — a sandbox is created, runs `true`, and tears down clean;
//! - `dire` — an Ed25519 per-session key signs and its seed is zeroized;
//! - `rzl` — the CDP chain reproduces the contract's test vector;
//! - `fgx` — an issued CDP verifies and a tampered one does not;
//! - `ave` — the public-key store answers (attestations can be checked against `/v1/keys`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use platform::http::health::health_response;
use platform::ServiceState;
use serde::Serialize;
use utoipa::ToSchema;

use crate::live::LiveSessions;
use crate::store::EnclaveStore;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `healthy`, or `degraded` (503) when a check fails.
    status: &'static str,
    /// eee, dire, rzl, fgx, ave.
    engines: BTreeMap<&'static str, bool>,
    database: bool,
    uptime_seconds: u64,
    #[schema(value_type = String, example = "2026-03-09T12:00:00Z")]
    timestamp: String,
}

const CACHE_FOR: Duration = Duration::from_secs(30);

/// The last engine checks and when they ran; one per service instance (each server checks
/// its own).
#[derive(Default)]
pub struct EngineChecks(Mutex<Option<(Instant, BTreeMap<&'static str, bool>)>>);

#[utoipa::path(get, path = "/v1/health", tag = "health", responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(
    State(state): State<ServiceState>,
    State(store): State<EnclaveStore>,
    State(runtime): State<Arc<LiveSessions>>,
    State(checks): State<Arc<EngineChecks>>,
) -> Response {
    let database = state.platform.db().ping().await;
    let cached = checks
        .0
        .lock()
        .unwrap()
        .as_ref()
        .filter(|(at, _)| at.elapsed() < CACHE_FOR)
        .map(|(_, e)| e.clone());
    let engines = match cached {
        Some(engines) => engines,
        None => {
            let ave = database && store.keys_answer().await;
            let (eee, (dire, rzl, fgx)) = (probe_sandbox(&runtime).await, probe_proofs());
            let engines = BTreeMap::from([
                ("eee", eee),
                ("dire", dire),
                ("rzl", rzl),
                ("fgx", fgx),
                ("ave", ave),
            ]);
            *checks.0.lock().unwrap() = Some((Instant::now(), engines.clone()));
            engines
        }
    };
    let healthy = database && engines.values().all(|ok| *ok);
    let now: DateTime<Utc> = Utc::now();
    let body = Health {
        status: if healthy { "healthy" } else { "degraded" },
        engines,
        database,
        uptime_seconds: state.platform.uptime_secs(),
        timestamp: now.to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    health_response(healthy, body)
}

async fn probe_sandbox(runtime: &LiveSessions) -> bool {
    let Ok(engine) = runtime.engine().cloned() else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let id = format!("health-{}", hex::encode(rand::random::<[u8; 6]>()));
        let Ok(sandbox) = engine.create(&id, sandbox::Limits::for_memory(64 << 20)) else {
            return false;
        };
        let ran = sandbox.exec(&sandbox::ExecRequest {
            command: "true".into(),
            input_data: None,
            timeout: Duration::from_secs(5),
        });
        let clean = sandbox.destroy().clean();
        clean && ran.is_ok_and(|o| o.exit_code == 0)
    })
    .await
    .unwrap_or(false)
}

/// (dire, rzl, fgx).
fn probe_proofs() -> (bool, bool, bool) {
    use proof::cdp::{self, HashAlg, STEPS};
    let labels: Vec<&str> = STEPS.iter().map(|s| s.subsystem).collect();
    let rzl = cdp::chain_links(HashAlg::Sha512, &labels, "2026-05-08T00:00:00Z")
        .last()
        .is_some_and(|l| l.starts_with("d21930f23d04006d"));
    let hashes: [String; 8] =
        std::array::from_fn(|i| cdp::evidence_hash(&serde_json::json!({ "probe": i })));
    let (doc, key) = cdp::issue(
        "sess_0000000000000000",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        hashes,
    );
    let dire = key.seed_zeroized;
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    let fgx_ok = cdp::verify(&value).valid;
    value["chain"][0]["chain_hash"] = serde_json::json!("sha512:00");
    let fgx = fgx_ok && !cdp::verify(&value).valid;
    (dire, rzl, fgx)
}
