//! `LiveSessions`: the sessions whose sandboxes live on this node, over the sandbox engine;
//! destruction with a CDP (one destroyer per session, whoever comes first: DELETE or the
//! reaper), the TTL reaper, and recovery of sessions a previous run of this node left live.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::http::ApiError;
use platform::settings::SandboxSettings;
use sandbox::{Engine, EngineConfig, Sandbox};
use serde_json::{json, Value};

use crate::destruction::{self, Reason, SessionFacts};
use crate::model::{destroyed_body, stamp, Finished};
use crate::store::EnclaveStore;

pub struct LiveSessions {
    engine: Result<Arc<Engine>, String>,
    pub node: String,
    live: Mutex<HashMap<String, Arc<LiveSession>>>,
    store: EnclaveStore,
}

/// A session whose sandbox lives on this node.
pub struct LiveSession {
    pub id: String,
    pub customer_id: String,
    pub jurisdiction: String,
    pub data_classification: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// `None` once a destroyer has taken it.
    sandbox: tokio::sync::Mutex<Option<Arc<Sandbox>>>,
    pub executing: AtomicBool,
    pub input_buffers_zeroized: AtomicU64,
}

/// The DELETE response body (also rebuilt from storage for a repeated DELETE).
pub struct Destroyed {
    pub body: Value,
}

impl LiveSessions {
    /// Starts the engine, the reaper and the recovery of what a previous run left live.
    pub fn start(settings: &SandboxSettings, store: EnclaveStore) -> Arc<LiveSessions> {
        let engine = Engine::new(engine_config(settings))
            .map(Arc::new)
            .map_err(|e| e.to_string());
        if let Err(e) = &engine {
            tracing::warn!(error = %e, "enclave: sandbox engine unavailable; sessions cannot be created");
        }
        let runtime = Arc::new(LiveSessions {
            engine,
            node: node_name(),
            live: Mutex::default(),
            store,
        });
        spawn_reaper(
            Arc::downgrade(&runtime),
            Duration::from_millis(settings.reap_interval_ms.max(10)),
        );
        runtime
    }

    pub fn engine(&self) -> Result<&Arc<Engine>, &str> {
        self.engine.as_ref().map_err(String::as_str)
    }

    pub fn get(&self, id: &str) -> Option<Arc<LiveSession>> {
        self.live.lock().unwrap().get(id).cloned()
    }

    /// Creates the sandbox of a new session and registers it as live.
    pub async fn create_sandbox(
        &self,
        id: &str,
        limits: sandbox::Limits,
    ) -> Result<Arc<Sandbox>, ApiError> {
        let engine = self
            .engine()
            .map_err(|e| ApiError::unavailable(format!("Sandbox engine unavailable: {e}")))?
            .clone();
        // The engine's calls block briefly (mount, mkdir, writes); keep them off the reactor.
        let id = id.to_string();
        let created = tokio::task::spawn_blocking(move || engine.create(&id, limits))
            .await
            .map_err(|e| ApiError::internal().with_source(e))?;
        created.map(Arc::new).map_err(|e| {
            ApiError::internal().with_source(anyhow::Error::new(e).context("creating a sandbox"))
        })
    }

    pub fn register(&self, session: LiveSession) {
        self.live
            .lock()
            .unwrap()
            .insert(session.id.clone(), Arc::new(session));
    }

    /// Destroys `live`'s sandbox and stores its CDP. `None` when another destroyer got there
    /// first (the caller then reads what it stored).
    pub async fn destroy(
        &self,
        live: &LiveSession,
        reason: Reason,
    ) -> anyhow::Result<Option<Destroyed>> {
        let mut slot = live.sandbox.lock().await;
        let Some(sandbox) = slot.take() else {
            return Ok(None);
        };
        let for_teardown = sandbox.clone();
        let teardown = tokio::task::spawn_blocking(move || for_teardown.destroy()).await?;
        let facts = SessionFacts {
            session_id: &live.id,
            created_at: &stamp(live.created_at),
            destroyed_at: &stamp(platform::store::now()),
            hostname: Some(sandbox.hostname()),
            tmpfs_noswap: Some(sandbox.tmpfs_noswap()),
            input_buffers_zeroized: live.input_buffers_zeroized.load(Ordering::Relaxed),
            reason,
        };
        let body = self
            .seal(
                &facts,
                &teardown,
                &live.customer_id,
                &live.jurisdiction,
                &live.data_classification,
            )
            .await?;
        drop(slot);
        self.live.lock().unwrap().remove(&live.id);
        Ok(Some(Destroyed { body }))
    }

    /// Issues, stores and returns the CDP of a torn-down session.
    async fn seal(
        &self,
        facts: &SessionFacts<'_>,
        teardown: &sandbox::Teardown,
        customer_id: &str,
        jurisdiction: &str,
        classification: &str,
    ) -> anyhow::Result<Value> {
        let issued = destruction::issue(facts, teardown);
        let mut cdp = issued.cdp;
        cdp.regulatory_context = Some(crate::regulatory::context(jurisdiction, classification));
        cdp.session_context =
            Some(json!({ "jurisdiction": jurisdiction, "data_classification": classification }));
        let status = facts.reason.status(issued.clean);
        let document = serde_json::to_string(&cdp)?;
        let evidence = Value::Array(issued.evidence);
        let finished = Finished {
            id: facts.session_id,
            customer_id,
            status,
            destroyed_at: DateTime::parse_from_rfc3339(facts.destroyed_at)?.with_timezone(&Utc),
            document,
            evidence: evidence.to_string(),
            clean: issued.clean,
            key_id: &cdp.attestation.key_id,
            public_key: &cdp.attestation.public_key,
        };
        self.store.finish_session(&finished).await?;
        if !issued.clean {
            tracing::warn!(
                session = facts.session_id,
                "enclave: destruction incomplete; session marked expired_unclean"
            );
        }
        Ok(destroyed_body(
            facts.session_id,
            status,
            serde_json::to_value(&cdp)?,
            evidence,
        ))
    }

    /// Sessions this node's database rows say are live but that no sandbox of this process
    /// holds: a previous run died with them. Tear down what they left and issue their CDPs.
    pub async fn recover_orphans(&self) -> anyhow::Result<usize> {
        let Ok(engine) = self.engine().cloned() else {
            return Ok(0);
        };
        let rows = self.store.live_sessions_on(&self.node).await?;
        let mut recovered = 0;
        for row in rows.into_iter().filter(|r| self.get(&r.id).is_none()) {
            let (engine, id) = (engine.clone(), row.id.clone());
            let teardown = tokio::task::spawn_blocking(move || engine.recover(&id)).await??;
            let customer = self.store.customer(&row.customer_id).await?;
            let jurisdiction = customer
                .map(|c| c.jurisdiction)
                .unwrap_or_else(|| "US".into());
            let facts = SessionFacts {
                session_id: &row.id,
                created_at: &stamp(row.created_at),
                destroyed_at: &stamp(platform::store::now()),
                hostname: None,
                tmpfs_noswap: None,
                input_buffers_zeroized: 0,
                reason: Reason::Recovered,
            };
            self.seal(
                &facts,
                &teardown,
                &row.customer_id,
                &jurisdiction,
                &row.data_classification,
            )
            .await?;
            recovered += 1;
        }
        Ok(recovered)
    }

    async fn reap(&self) {
        let now = platform::store::now();
        let due: Vec<Arc<LiveSession>> = self
            .live
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.expires_at <= now)
            .cloned()
            .collect();
        for session in due {
            if let Err(e) = self.destroy(&session, Reason::Expired).await {
                tracing::error!(session = %session.id, error = %format!("{e:#}"), "enclave: reaping failed");
            }
        }
    }
}

impl LiveSession {
    pub fn new(
        id: String,
        customer_id: String,
        jurisdiction: String,
        data_classification: String,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        sandbox: Arc<Sandbox>,
    ) -> LiveSession {
        LiveSession {
            id,
            customer_id,
            jurisdiction,
            data_classification,
            created_at,
            expires_at,
            sandbox: tokio::sync::Mutex::new(Some(sandbox)),
            executing: AtomicBool::new(false),
            input_buffers_zeroized: AtomicU64::new(0),
        }
    }

    /// The sandbox, unless the session is being or has been destroyed.
    pub async fn sandbox(&self) -> Option<Arc<Sandbox>> {
        self.sandbox.lock().await.clone()
    }
}

/// A dropped runtime (the server stopped) leaves no sandbox behind: each is torn down without a
/// CDP; the next start finds the sessions live in the database and recovers them with one.
impl Drop for LiveSessions {
    fn drop(&mut self) {
        for (_, session) in self.live.lock().unwrap().drain() {
            if let Ok(mut slot) = session.sandbox.try_lock() {
                if let Some(sandbox) = slot.take() {
                    sandbox.destroy();
                }
            }
        }
    }
}

fn spawn_reaper(runtime: Weak<LiveSessions>, every: Duration) {
    tokio::spawn(async move {
        if let Some(rt) = runtime.upgrade() {
            match rt.recover_orphans().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    sessions = n,
                    "enclave: recovered sessions left live by a previous run"
                ),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "enclave: recovery failed"),
            }
        }
        loop {
            tokio::time::sleep(every).await;
            let Some(rt) = runtime.upgrade() else { return };
            rt.reap().await;
        }
    });
}

fn engine_config(settings: &SandboxSettings) -> EngineConfig {
    EngineConfig {
        root: settings.root.clone(),
        init: settings.init.clone().into(),
        kill_grace: Duration::from_millis(settings.kill_grace_ms),
        output_cap: settings.output_cap_bytes,
        favor_dynamic_cgroups: settings.favor_dynamic_cgroups,
        ..EngineConfig::default()
    }
}

fn node_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}
