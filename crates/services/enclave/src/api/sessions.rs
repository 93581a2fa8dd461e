//! `/v1/sessions`: create, get, exec, delete. A session is a sandbox on this node plus a row;
//! another customer's session is a 404, as if it did not exist.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::TimeDelta;
use platform::http::fields::{Field, Vocabulary};
use platform::http::{ApiError, AppJson};
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use utoipa::ToSchema;
use zeroize::Zeroize;

use crate::auth::Customer;
use crate::destruction::Reason;
use crate::live::{LiveSession, LiveSessions};
use crate::model::{destroyed_body, stamp, DataClassification, SessionRow, LIVE};
use crate::store::EnclaveStore;
use crate::tiers::{sandbox_limits, ENTERPRISE_DEFAULT_TTL};
use crate::ErrorBody;
const MAX_COMMAND_BYTES: usize = 64 * 1024;
/// The longest a single command may run (the business tier's TTL); longer sessions run
/// several commands.
pub const MAX_EXEC: Duration = Duration::from_secs(30 * 60);

#[derive(Deserialize, ToSchema, Default)]
pub struct CreateSession {
    /// Default general.
    #[serde(default)]
    #[schema(value_type = Option<DataClassification>)]
    data_classification: Field<DataClassification>,
    /// Redoubt extension: a TTL shorter than the tier's maximum, in seconds.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1)]
    ttl_seconds: Field<Number>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionCreated {
    #[schema(example = "sess_a8f3e71c4b2d9f06")]
    session_id: String,
    #[schema(example = "active")]
    status: String,
    #[schema(example = 300)]
    ttl_seconds: i64,
    #[schema(value_type = String, example = "2026-03-01T14:00:00Z")]
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    session_id: String,
    /// active, executing, destroyed, expired, expired_unclean.
    status: String,
    ttl_seconds: i64,
    #[schema(value_type = String)]
    created_at: String,
    data_classification: String,
    /// Redoubt extension: when the reaper destroys it.
    #[schema(value_type = String)]
    expires_at: String,
    /// Redoubt extension: set once destroyed.
    #[schema(value_type = Option<String>)]
    destroyed_at: Option<String>,
}

impl From<&SessionRow> for SessionView {
    fn from(row: &SessionRow) -> SessionView {
        SessionView {
            session_id: row.id.clone(),
            status: row.status.clone(),
            ttl_seconds: row.ttl_seconds,
            created_at: stamp(row.created_at),
            data_classification: row.data_classification.clone(),
            expires_at: stamp(row.expires_at),
            destroyed_at: row.destroyed_at.map(stamp),
        }
    }
}

#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = CreateSession,
    responses((status = 201, body = SessionCreated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 402, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn create_session(
    State(state): State<ServiceState>,
    State(runtime): State<Arc<LiveSessions>>,
    State(store): State<EnclaveStore>,
    customer: Customer,
    raw: axum::body::Bytes,
) -> Result<impl IntoResponse, ApiError> {
    // The body is optional: none (or whitespace) means every default.
    let body: CreateSession = if raw.iter().all(u8::is_ascii_whitespace) {
        CreateSession::default()
    } else {
        platform::http::input::refuse_nul(&raw)?;
        serde_json::from_slice(&raw)
            .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?
    };
    let classification = body
        .data_classification
        .one_of("data_classification", DataClassification::General)?
        .as_str()
        .to_string();
    let row = &customer.row;
    let limits = row
        .tier()
        .limits(state.platform.settings().sandbox.free_cdps_per_month);
    let max_ttl = limits.max_ttl.unwrap_or(ENTERPRISE_DEFAULT_TTL).as_secs() as i64;
    let ttl = match body.ttl_seconds.optional("ttl_seconds", "an integer")? {
        None => max_ttl,
        Some(n) => n
            .as_i64()
            .filter(|t| (1..=max_ttl).contains(t))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "ttl_seconds must be an integer from 1 to {max_ttl}"
                ))
            })?,
    };
    // Counted only where the tier caps something (a read less on the request path otherwise).
    let capped = limits.monthly_cdps.is_some() || limits.concurrent_sessions.is_some();
    let live = if capped {
        store.live_session_count(&row.id).await?
    } else {
        0
    };
    if let Some(cap) = limits.monthly_cdps {
        let now = platform::store::now();
        let issued = store
            .proof_count_since(&row.id, row.billing_cycle_start(now))
            .await?;
        // Every live session will issue a CDP when it ends.
        if issued + live >= cap as u64 {
            return Err(ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                format!("Free tier limit of {cap} CDPs/month exceeded. Upgrade to continue."),
            ));
        }
    }
    if let Some(cap) = limits.concurrent_sessions {
        if live >= cap as u64 {
            return Err(ApiError::rate_limited(format!("Concurrent session limit of {cap} for the {} tier reached; destroy a session first.", row.tier)));
        }
    }
    let (id, sandbox) = runtime.take_sandbox(sandbox_limits(&limits)).await?;
    let created_at = platform::store::now();
    let session = SessionRow {
        id: id.clone(),
        customer_id: row.id.clone(),
        node: runtime.node.clone(),
        status: "active".into(),
        data_classification: classification.clone(),
        ttl_seconds: ttl,
        created_at,
        expires_at: created_at + TimeDelta::seconds(ttl),
        destroyed_at: None,
    };
    if let Err(e) = store.insert_session(&session).await {
        tokio::task::spawn_blocking(move || sandbox.destroy());
        return Err(e.into());
    }
    runtime.register(LiveSession::new(
        id.clone(),
        row.id.clone(),
        row.jurisdiction.clone(),
        classification,
        created_at,
        session.expires_at,
        sandbox,
    ));
    Ok((
        StatusCode::CREATED,
        Json(SessionCreated {
            session_id: id,
            status: "active".into(),
            ttl_seconds: ttl,
            created_at: stamp(created_at),
        }),
    ))
}

async fn owned(
    store: &EnclaveStore,
    customer: &Customer,
    id: &str,
) -> Result<SessionRow, ApiError> {
    store
        .session(&customer.row.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Session not found"))
}

#[utoipa::path(get, path = "/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
    responses((status = 200, body = SessionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_session(
    State(runtime): State<Arc<LiveSessions>>,
    State(store): State<EnclaveStore>,
    customer: Customer,
    Path(id): Path<String>,
) -> Result<Json<SessionView>, ApiError> {
    let mut view = SessionView::from(&owned(&store, &customer, &id).await?);
    // A running command is known to the node that runs it; the row is not written per exec.
    let running = runtime
        .get(&id)
        .is_some_and(|live| live.executing.load(Ordering::Acquire));
    if view.status == "active" && running {
        view.status = "executing".into();
    }
    Ok(Json(view))
}

#[derive(Deserialize, ToSchema)]
pub struct ExecRequest {
    /// A shell command line: not empty, at most 64 KiB, no NUL.
    #[serde(default)]
    #[schema(value_type = String, example = "python3 classify.py", min_length = 1, max_length = 65536)]
    command: Field<String>,
    /// Written to `input/data` (in the working directory) before the command runs.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    input_data: Field<String>,
    /// Seconds before SIGTERM (SIGKILL follows after a grace period). Default and maximum: the
    /// session's remaining TTL, and at most 30 minutes per command.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1)]
    timeout: Field<Number>,
}

#[derive(Serialize, ToSchema)]
pub struct ExecResponse {
    /// stdout (invalid UTF-8 replaced).
    output: String,
    stderr: String,
    exit_code: i32,
    timed_out: bool,
    /// Redoubt extensions.
    output_truncated: bool,
    stderr_truncated: bool,
    oom_killed: bool,
    duration_ms: f64,
}

#[utoipa::path(post, path = "/v1/sessions/{id}/exec", tag = "sessions", params(("id" = String, Path)), request_body = ExecRequest,
    responses((status = 200, body = ExecResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn exec(
    State(runtime): State<Arc<LiveSessions>>,
    State(store): State<EnclaveStore>,
    customer: Customer,
    Path(id): Path<String>,
    AppJson(body): AppJson<ExecRequest>,
) -> Result<Json<ExecResponse>, ApiError> {
    // A session live on this node is known in memory; anything else is looked up, so that
    // another customer's is a 404 and a destroyed one a 409.
    let live = match runtime
        .get(&id)
        .filter(|l| l.customer_id == customer.row.id)
    {
        Some(live) => live,
        None => {
            let row = owned(&store, &customer, &id).await?;
            if row.status != LIVE {
                return Err(ApiError::conflict(format!(
                    "Session is {}; it cannot run commands",
                    row.status
                )));
            }
            return Err(ApiError::conflict(format!(
                "Session is not live on this node ({})",
                runtime.node
            )));
        }
    };
    let command = body.command.required("command", "a string")?;
    if command.trim().is_empty() || command.len() > MAX_COMMAND_BYTES || command.contains('\0') {
        return Err(ApiError::bad_request(format!(
            "command must be non-empty, at most {MAX_COMMAND_BYTES} bytes, without NUL"
        )));
    }
    let input_data = body
        .input_data
        .optional("input_data", "a string")?
        .map(String::into_bytes);
    let remaining = ((live.expires_at - platform::store::now())
        .num_milliseconds()
        .max(0) as u64)
        .min(MAX_EXEC.as_millis() as u64);
    let timeout = match body.timeout.optional("timeout", "an integer")? {
        None => Duration::from_millis(remaining),
        Some(n) => match n.as_u64() {
            Some(t) if t >= 1 => Duration::from_millis(t.saturating_mul(1000).min(remaining)),
            _ => {
                return Err(ApiError::bad_request(
                    "timeout must be a positive integer number of seconds",
                ))
            }
        },
    };
    if live.executing.swap(true, Ordering::AcqRel) {
        return Err(ApiError::conflict(
            "A command is already executing in this session",
        ));
    }
    // Cleared however this handler ends, a dropped connection included (the command itself
    // then runs on to its timeout, and the sandbox refuses another meanwhile).
    let _executing = ExecutingFlag(&live);
    run(&live, command, input_data, timeout).await.map(Json)
}

struct ExecutingFlag<'a>(&'a LiveSession);

impl Drop for ExecutingFlag<'_> {
    fn drop(&mut self) {
        self.0.executing.store(false, Ordering::Release);
    }
}

async fn run(
    live: &LiveSession,
    command: String,
    input_data: Option<Vec<u8>>,
    timeout: Duration,
) -> Result<ExecResponse, ApiError> {
    let sandbox = live
        .sandbox()
        .await
        .ok_or_else(|| ApiError::conflict("Session has been destroyed"))?;
    let had_input = input_data.is_some();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut request = sandbox::ExecRequest {
            command,
            input_data,
            timeout,
        };
        let outcome = sandbox.exec(&request);
        if let Some(data) = request.input_data.as_mut() {
            data.zeroize();
        }
        outcome
    })
    .await
    .map_err(|e| ApiError::internal().with_source(e))?;
    if had_input {
        live.input_buffers_zeroized.fetch_add(1, Ordering::Relaxed);
    }
    let outcome = outcome.map_err(|e| match e {
        sandbox::SandboxError::Destroyed => ApiError::conflict("Session has been destroyed"),
        sandbox::SandboxError::Busy => {
            ApiError::conflict("A command is already executing in this session")
        }
        sandbox::SandboxError::Input(m) => ApiError::bad_request(m),
        other => ApiError::internal().with_source(anyhow::Error::new(other).context("exec failed")),
    })?;
    if live.sandbox().await.is_none() {
        return Err(ApiError::conflict(
            "Session was destroyed while the command ran",
        ));
    }
    Ok(ExecResponse {
        output: String::from_utf8_lossy(&outcome.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&outcome.stderr).into_owned(),
        exit_code: outcome.exit_code,
        timed_out: outcome.timed_out,
        output_truncated: outcome.stdout_truncated,
        stderr_truncated: outcome.stderr_truncated,
        oom_killed: outcome.oom_killed,
        duration_ms: outcome.duration.as_secs_f64() * 1000.0,
    })
}

#[utoipa::path(delete, path = "/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
    responses((status = 200, description = "The session's CDP, its regulatory and session context, and the evidence records", body = Object),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_session(
    State(runtime): State<Arc<LiveSessions>>,
    State(store): State<EnclaveStore>,
    customer: Customer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if let Some(live) = runtime
        .get(&id)
        .filter(|l| l.customer_id == customer.row.id)
    {
        if let Some(done) = runtime.destroy(&live, Reason::Deleted).await? {
            return Ok(Json(done.body));
        }
    }
    // Already destroyed (by an earlier DELETE, the reaper, or recovery): the same answer again.
    let row = owned(&store, &customer, &id).await?;
    match store.proof(&row.id).await? {
        Some((document, evidence)) => {
            let cdp: Value = serde_json::from_str(&document).map_err(anyhow::Error::from)?;
            let evidence: Value = serde_json::from_str(&evidence).map_err(anyhow::Error::from)?;
            Ok(Json(destroyed_body(&row.id, &row.status, cdp, evidence)))
        }
        None => Err(ApiError::conflict(format!(
            "Session is not live on this node ({})",
            runtime.node
        ))),
    }
}
