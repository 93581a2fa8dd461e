//! Linux sandboxes for one session each, and evidence of how each one was torn down.
//!
//! A [`Sandbox`] owns a size-capped tmpfs (its working directory, wiped on destroy), a cgroup
//! (memory, pids, CPU) and a host uid of its own. Every exec runs in a fresh sandbox over that
//! tmpfs, entered by syscalls between fork and exec: user, pid, mount, net, ipc, uts and cgroup
//! namespaces, read-only system directories, no network, a seccomp deny-list, `tini` as the
//! namespace's init. Destroy kills the tree, overwrites and reads
//! back every byte the session wrote, unmounts, removes the cgroup and reports what it checked
//! ([`Teardown`]). Knows nothing of HTTP, databases or proofs; everything here is blocking.

mod armed;
mod cgroup;
mod config;
mod exec;
mod host;
mod keeper;
mod landlock;
pub mod merkle;
pub mod seccomp;
mod spawn;
mod teardown;
mod tmpfs;
mod uid;
mod watcher;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use armed::MAX_COMMAND_BYTES;
pub use cgroup::CgroupMode;
pub use config::{EngineConfig, Limits};
pub use exec::{ExecOutcome, ExecRequest};
pub use host::HostFacts;
pub use teardown::{
    CgroupEvidence, MountEvidence, ProcessEvidence, Teardown, UidEvidence, WipeEvidence,
};

use cgroup::{Cgroup, Cgroups};
use keeper::Keeper;
use uid::UidPool;
use watcher::Watcher;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox id must be 1-64 characters of [A-Za-z0-9_-]")]
    BadId,
    #[error("the sandbox engine is not usable here: {0}")]
    Unavailable(String),
    #[error("a command is already running in this sandbox")]
    Busy,
    #[error("this sandbox has been destroyed")]
    Destroyed,
    #[error("input/data could not be written: {0}")]
    Input(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl SandboxError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> SandboxError {
        SandboxError::Io {
            context: context.into(),
            source,
        }
    }
}

/// Creates sandboxes; one per process is enough.
pub struct Engine {
    config: EngineConfig,
    cgroups: Cgroups,
    uids: UidPool,
    facts: HostFacts,
    keeper: Arc<Keeper>,
    watcher: Option<Arc<Watcher>>,
    /// Sandbox mount points found under the root at start: what a previous process left.
    left_at_start: Vec<String>,
}

impl Engine {
    /// Checks the init binary, prepares the sandbox root and the cgroup parent.
    pub fn new(config: EngineConfig) -> Result<Engine, SandboxError> {
        let version = host::init_version(&config.init).map_err(SandboxError::Unavailable)?;
        let new_root = config.root.join(NEW_ROOT);
        std::fs::create_dir_all(&new_root)
            .map_err(|e| SandboxError::io(format!("creating {}", new_root.display()), e))?;
        let _ = std::fs::set_permissions(
            &config.root,
            std::os::unix::fs::PermissionsExt::from_mode(0o711),
        );
        let _ = std::fs::set_permissions(
            &new_root,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        );
        let left_at_start = sandbox_dirs(&config.root);
        let cgroups = Cgroups::prepare();
        let favordynmods = config.favor_dynamic_cgroups && cgroup::favor_dynamic_modifications();
        let keeper = Arc::new(Keeper::start());
        let report = config.root.join(format!(
            "{}{}-{}",
            watcher::REPORT_PREFIX,
            std::process::id(),
            rand::random::<u32>()
        ));
        let watcher = (cgroups.mode() != CgroupMode::None)
            .then(|| Watcher::start(&report))
            .flatten()
            .map(Arc::new);
        let facts = HostFacts::read(version, cgroups.mode(), favordynmods, keeper.private());
        Ok(Engine {
            uids: UidPool::new(config.uid_base, config.uid_count),
            config,
            cgroups,
            facts,
            keeper,
            watcher,
            left_at_start,
        })
    }

    /// The ids of sandboxes a previous process left under the root (their mount points), for
    /// [`Engine::recover`].
    pub fn left_at_start(&self) -> &[String] {
        &self.left_at_start
    }

    pub fn facts(&self) -> &HostFacts {
        &self.facts
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// A fresh sandbox named `id`: tmpfs mounted, cgroup limits set, nothing running yet.
    pub fn create(&self, id: &str, limits: Limits) -> Result<Sandbox, SandboxError> {
        check_id(id)?;
        let started = Instant::now();
        let uid = self.uids.take();
        let dir = self.config.root.join(id);
        let made = (|| {
            let (at, size) = (dir.clone(), limits.tmpfs_bytes);
            let mount = self.keeper.run(move || tmpfs::mount(&at, size, uid))?;
            let cgroup = match self.cgroups.create(id, &limits) {
                Ok(cgroup) => {
                    if let Some(w) = &self.watcher {
                        w.added(&cgroup.dirs);
                    }
                    cgroup
                }
                Err(e) => {
                    let at = dir.clone();
                    let _ = self.keeper.run(move || tmpfs::unmount(&at));
                    return Err(e);
                }
            };
            Ok((mount, cgroup))
        })();
        let (noswap, cgroup) = match made {
            Ok(done) => done,
            Err(e) => {
                self.uids.give_back(uid);
                return Err(e);
            }
        };
        Ok(Sandbox {
            id: id.to_string(),
            dir,
            uid,
            noswap,
            limits,
            cgroup,
            hostname: format!("sbx-{:08x}", rand::random::<u32>()),
            running: Mutex::new(None),
            armed: Mutex::new(None),
            destroyed: Mutex::new(false),
            engine: EngineHandle {
                init: self.config.init.clone(),
                new_root: self.config.root.join(NEW_ROOT),
                grace: self.config.kill_grace,
                output_cap: self.config.output_cap,
                run_as_uid: host::is_root(),
                seccomp: self.config.seccomp,
                keeper: self.keeper.clone(),
                watcher: self.watcher.clone(),
                landlock_abi: self.facts.landlock_abi,
            },
            uids: self.uids.clone(),
            created_in: started.elapsed(),
        })
    }

    /// Tears down what a sandbox named `id` may have left behind (after a crash of the process
    /// that made it): kills what runs in its cgroup, wipes and unmounts its tmpfs, removes the
    /// cgroup. The evidence says what was found.
    pub fn recover(&self, id: &str) -> Result<Teardown, SandboxError> {
        check_id(id)?;
        let dir = self.config.root.join(id);
        let cgroup = self.cgroups.existing(id);
        let absent_before = !cgroup.exists();
        let mut teardown = teardown::run(&dir, &cgroup, None, None, &self.keeper);
        // A group the previous process's watcher already removed: say so, from its report.
        teardown.cgroup.removed_by_crash_watcher = absent_before
            && !cgroup.dirs.is_empty()
            && cgroup
                .dirs
                .iter()
                .all(|d| watcher::reported(&self.config.root, d) == Some(true));
        Ok(teardown)
    }
}

/// Names under `root` that are sandbox ids (dot-entries are the engine's own).
fn sandbox_dirs(root: &std::path::Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| check_id(name).is_ok())
        .collect();
    found.sort();
    found
}

/// Under the engine root: the mount point of every sandbox's private root.
const NEW_ROOT: &str = ".root";

fn check_id(id: &str) -> Result<(), SandboxError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then_some(()).ok_or(SandboxError::BadId)
}

/// What an exec needs from the engine, copied so a sandbox outlives nothing.
#[derive(Clone)]
pub(crate) struct EngineHandle {
    pub init: PathBuf,
    /// An empty directory each sandbox mounts its own root over, in its own mount namespace.
    pub new_root: PathBuf,
    pub grace: std::time::Duration,
    pub output_cap: usize,
    /// Root drops to the sandbox's own host uid before entering the namespaces.
    pub run_as_uid: bool,
    pub seccomp: bool,
    /// The thread whose mount namespace holds the session tmpfs.
    pub keeper: Arc<Keeper>,
    /// Removes the session cgroups if this process dies without destroying them.
    pub watcher: Option<Arc<Watcher>>,
    pub landlock_abi: i32,
}

/// One session's sandbox. Shared between the thread running an exec and the one destroying it.
pub struct Sandbox {
    id: String,
    dir: PathBuf,
    uid: u32,
    noswap: bool,
    limits: Limits,
    cgroup: Cgroup,
    hostname: String,
    running: Mutex<Option<u32>>,
    /// The next exec's sandbox, prepared ahead by [`Sandbox::arm`].
    armed: Mutex<Option<armed::Armed>>,
    destroyed: Mutex<bool>,
    engine: EngineHandle,
    uids: UidPool,
    created_in: std::time::Duration,
}

impl Sandbox {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn hostname(&self) -> &str {
        &self.hostname
    }
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
    pub fn host_uid(&self) -> u32 {
        self.uid
    }
    pub fn tmpfs_noswap(&self) -> bool {
        self.noswap
    }
    pub fn created_in(&self) -> std::time::Duration {
        self.created_in
    }

    /// Runs `request.command` with `/bin/sh -c` in a fresh namespace sandbox over this
    /// session's tmpfs, after writing `input/data`. One exec at a time.
    pub fn exec(&self, request: &ExecRequest) -> Result<ExecOutcome, SandboxError> {
        if *self.destroyed.lock().unwrap() {
            return Err(SandboxError::Destroyed);
        }
        {
            let mut running = self.running.lock().unwrap();
            if running.is_some() {
                return Err(SandboxError::Busy);
            }
            *running = Some(0);
        }
        let result = (|| {
            if let Some(data) = &request.input_data {
                let dir = self.dir.clone();
                let root = self.engine.keeper.run(move || tmpfs::open_root(&dir))?;
                tmpfs::write_input(&root, data, self.uid)?;
            }
            exec::run(self, request)
        })();
        *self.running.lock().unwrap() = None;
        result
    }

    /// Prepares the next exec ahead of its command: forks the sandbox process, enters every
    /// namespace, builds its root and confines it, so that the exec only hands it the command
    /// line. Does nothing if one is already armed.
    pub fn arm(&self) -> Result<(), SandboxError> {
        let mut slot = self.armed.lock().unwrap();
        if *self.destroyed.lock().unwrap() {
            return Err(SandboxError::Destroyed);
        }
        if slot.is_none() {
            *slot = Some(self.launch()?);
        }
        Ok(())
    }

    fn launch(&self) -> Result<armed::Armed, SandboxError> {
        armed::arm(exec::plan(self), &self.engine.init, &self.engine.keeper)
    }

    /// The armed sandbox for an exec: the one prepared ahead if it is still waiting, else a new
    /// one.
    pub(crate) fn take_armed(&self) -> Result<armed::Armed, SandboxError> {
        let ahead = self.armed.lock().unwrap().take();
        if let Some(mut armed) = ahead {
            if armed.ready().is_ok() {
                return Ok(armed);
            }
        }
        let mut armed = self.launch()?;
        armed.ready()?;
        Ok(armed)
    }

    /// Destroys the sandbox: kills anything running (a running exec returns killed), then
    /// wipes, unmounts and removes everything, reporting each step. Idempotent in effect: a
    /// second call finds nothing left and says so.
    pub fn destroy(&self) -> Teardown {
        *self.destroyed.lock().unwrap() = true;
        // A sandbox armed ahead ran nothing of the session's: it is killed, reaped and gone
        // from the group before the teardown counts what the session ran.
        if let Some(armed) = self.armed.lock().unwrap().take() {
            drop(armed);
            self.cgroup
                .kill_until_empty(Instant::now() + self.engine.grace);
        }
        let teardown = teardown::run(
            &self.dir,
            &self.cgroup,
            Some(self.uid),
            Some(&self.running),
            &self.engine.keeper,
        );
        // Only a group really gone leaves the watcher's list: one teardown could not remove
        // is still its to remove if this process dies.
        if let Some(w) = self
            .engine
            .watcher
            .as_ref()
            .filter(|_| teardown.cgroup.removed)
        {
            w.removed(&self.cgroup.dirs);
        }
        self.uids.give_back(self.uid);
        teardown
    }
}

/// A sandbox dropped without `destroy` (a panic, a forgotten handle) is still torn down, so it
/// leaves no process, mount or cgroup behind; only the evidence is lost.
impl Drop for Sandbox {
    fn drop(&mut self) {
        let destroyed = *self.destroyed.lock().unwrap_or_else(|e| e.into_inner());
        if !destroyed {
            self.destroy();
        }
    }
}

pub(crate) type Running = Mutex<Option<u32>>;

/// The engine's sandboxes are shared between request handlers and the reaper.
pub type SharedSandbox = Arc<Sandbox>;
