//! What an engine is configured with, and the limits of one sandbox.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where session tmpfs mounts are made (`<root>/<id>`); never visible inside a sandbox.
    pub root: PathBuf,
    /// The init run as pid 1 of each sandbox (reaps, forwards signals): Debian's `tini`.
    pub init: PathBuf,
    /// Between SIGTERM (timeout) and SIGKILL.
    pub kill_grace: Duration,
    /// Bytes kept of stdout and of stderr each; more kills the command and flags truncation.
    pub output_cap: usize,
    /// Host uids handed to sandboxes when running as root: `uid_base .. uid_base + uid_count`.
    pub uid_base: u32,
    pub uid_count: u32,
    /// Install the seccomp deny-list (off only to measure what it costs).
    pub seccomp: bool,
    /// Remount the host's cgroup2 hierarchy with `favordynmods` (see `cgroup.rs`): removes a
    /// 15–20 ms tail from one exec in a hundred, at a small cost to forks host-wide.
    pub favor_dynamic_cgroups: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            root: PathBuf::from("/run/redoubt/sandboxes"),
            init: PathBuf::from("/usr/bin/tini-static"),
            kill_grace: Duration::from_secs(2),
            output_cap: 1 << 20,
            uid_base: 1_500_000,
            uid_count: 65_536,
            seccomp: true,
            favor_dynamic_cgroups: true,
        }
    }
}

/// The resources one sandbox may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    /// Memory cgroup cap; covers the tmpfs pages the session writes.
    pub memory_bytes: u64,
    /// Processes and threads at once.
    pub pids: u64,
    /// CPU time per wall-clock second, in milliseconds (1000 = one core).
    pub cpu_millis_per_sec: u64,
    /// Size of the session tmpfs (working directory, /tmp and /dev/shm together).
    pub tmpfs_bytes: u64,
}

impl Limits {
    /// Limits for a memory cap: the tmpfs gets half of it.
    pub fn for_memory(memory_bytes: u64) -> Limits {
        Limits {
            memory_bytes,
            pids: 128,
            cpu_millis_per_sec: 1000,
            tmpfs_bytes: memory_bytes / 2,
        }
    }
}
