//! `LiveSessions`: the sessions whose sandboxes live on this node, over the sandbox engine;
//! spare sandboxes made and armed ahead of the sessions that take them; destruction with a CDP
//! (one destroyer per session, whoever comes first: DELETE or the reaper), the TTL reaper, and
//! recovery of sessions a previous run of this node left live.

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
    spares: Spares,
    store: EnclaveStore,
}

/// Sandboxes created and armed (`Sandbox::arm`) before any session asks for one, `per_limits`
/// of each tier's limits once that tier has asked: a session takes one and its first exec only
/// hands the waiting sandbox its command. A spare has its own session id, tmpfs, cgroup and
/// uid, and has run nothing; it is never given to a second session.
struct Spares {
    ready: Mutex<Vec<Arc<Sandbox>>>,
    /// Limits asked for since start (one entry per tier's limits), refilled after each take.
    wanted: Mutex<Vec<sandbox::Limits>>,
    refilling: AtomicBool,
    per_limits: usize,
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
            spares: Spares {
                ready: Mutex::default(),
                wanted: Mutex::default(),
                refilling: AtomicBool::new(false),
                per_limits: settings.spare_sandboxes,
            },
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

    /// A sandbox for a new session and the session's id: a spare armed ahead when one of these
    /// limits is ready, else one created now. Either way the spares are then topped up, off the
    /// request path.
    pub async fn take_sandbox(
        self: &Arc<Self>,
        limits: sandbox::Limits,
    ) -> Result<(String, Arc<Sandbox>), ApiError> {
        let engine = self
            .engine()
            .map_err(|e| ApiError::unavailable(format!("Sandbox engine unavailable: {e}")))?
            .clone();
        let spare = {
            let mut ready = self.spares.ready.lock().unwrap();
            let at = ready.iter().position(|s| *s.limits() == limits);
            at.map(|i| ready.swap_remove(i))
        };
        self.refill_spares(limits);
        if let Some(sandbox) = spare {
            return Ok((sandbox.id().to_string(), sandbox));
        }
        let id = new_session_id();
        // The engine's calls block briefly (mount, mkdir, writes); keep them off the reactor.
        let for_engine = id.clone();
        let created = tokio::task::spawn_blocking(move || engine.create(&for_engine, limits))
            .await
            .map_err(|e| ApiError::internal().with_source(e))?;
        let sandbox = created.map(Arc::new).map_err(|e| {
            ApiError::internal().with_source(anyhow::Error::new(e).context("creating a sandbox"))
        })?;
        Ok((id, sandbox))
    }

    /// Tops up the spares of every limits asked for since start, one sandbox at a time on the
    /// blocking pool; one refill runs at once.
    fn refill_spares(self: &Arc<Self>, limits: sandbox::Limits) {
        let spares = &self.spares;
        if spares.per_limits == 0 {
            return;
        }
        {
            let mut wanted = spares.wanted.lock().unwrap();
            if !wanted.contains(&limits) {
                wanted.push(limits);
            }
        }
        if spares.refilling.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(engine) = self.engine().cloned() else {
            spares.refilling.store(false, Ordering::Release);
            return;
        };
        let runtime = Arc::downgrade(self);
        tokio::task::spawn_blocking(move || {
            while let Some(rt) = runtime.upgrade() {
                let Some(limits) = rt.spares.short().or_else(|| {
                    rt.spares.refilling.store(false, Ordering::Release);
                    // A take between the count and the flag found the flag still set: look
                    // again, unless a new refill has started meanwhile.
                    let short = rt.spares.short()?;
                    (!rt.spares.refilling.swap(true, Ordering::AcqRel)).then_some(short)
                }) else {
                    return;
                };
                let made = engine
                    .create(&new_session_id(), limits)
                    .and_then(|sandbox| sandbox.arm().map(|()| sandbox));
                match made {
                    Ok(sandbox) => rt.spares.ready.lock().unwrap().push(Arc::new(sandbox)),
                    Err(e) => {
                        tracing::warn!(error = %e, "enclave: could not prepare a spare sandbox");
                        rt.spares.refilling.store(false, Ordering::Release);
                        return;
                    }
                }
            }
        });
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
        let sessions: std::collections::HashSet<String> =
            rows.iter().map(|r| r.id.clone()).collect();
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
        // Spares a previous run left (no row: they never held a session's data) are torn down
        // without a CDP.
        for id in engine
            .left_at_start()
            .iter()
            .filter(|id| !sessions.contains(*id))
        {
            let (engine, id) = (engine.clone(), id.clone());
            let teardown = tokio::task::spawn_blocking(move || engine.recover(&id)).await??;
            if !teardown.clean() {
                tracing::warn!(evidence = ?teardown, "enclave: a spare sandbox left by a previous run was not torn down cleanly");
            }
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

impl Spares {
    /// Limits asked for that have fewer spares ready than wanted.
    fn short(&self) -> Option<sandbox::Limits> {
        let wanted = self.wanted.lock().unwrap().clone();
        let ready = self.ready.lock().unwrap();
        wanted
            .into_iter()
            .find(|l| ready.iter().filter(|s| s.limits() == l).count() < self.per_limits)
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

/// A session id: 64 random bits.
fn new_session_id() -> String {
    format!("sess_{}", hex::encode(rand::random::<[u8; 8]>()))
}

fn node_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}
