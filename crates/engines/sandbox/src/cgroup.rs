//! Per-sandbox cgroups: memory, pids and CPU limits, a list of every process the sandbox runs,
//! and removal that waits for the group to empty. cgroup v2 where the host has it; the v1
//! controllers otherwise (this machine kind is a hybrid: memory/pids/cpu live in v1); none at
//! all on a host where neither can be written (rlimits remain the floor).

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Limits, SandboxError};

const CGROUP_FS: &str = "/sys/fs/cgroup";
const PARENT_NAME: &str = "redoubt-sbx";
const V1_CONTROLLERS: [&str; 3] = ["pids", "memory", "cpu"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CgroupMode {
    V2,
    V1,
    None,
}

/// Where sandbox cgroups are made: one parent (v2) or one per v1 controller, each under the
/// cgroup this process already belongs to, so its own limits still cover the sandboxes.
pub(crate) struct Cgroups {
    mode: CgroupMode,
    parents: Vec<PathBuf>,
}

/// One sandbox's cgroup: a directory per hierarchy; the first one lists the processes.
#[derive(Debug)]
pub(crate) struct Cgroup {
    pub mode: CgroupMode,
    pub dirs: Vec<PathBuf>,
}

/// Switches the kernel's cgroup migration lock to favour dynamic modifications (the
/// `favordynmods` option of the cgroup2 mount, Linux ≥ 6.0). Every exec moves a new process
/// into its session's group; with the default the lock's writer waits for an RCU grace period,
/// which put 15–20 ms into one exec in a hundred here (the p99 went from 16–24 ms to 6–7 ms).
/// The lock is global, so this helps v1 controllers too. Forks and exits elsewhere get slightly
/// dearer — the kernel's documented trade-off, right for a host whose job is sandboxes.
/// Returns whether the option is in effect; a remount keeps every other option of the mount.
pub(crate) fn favor_dynamic_modifications() -> bool {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    // `id parent dev root mount-point mount-options … - fstype source super-options`
    let Some((point, mount_opts, super_opts)) = mountinfo
        .lines()
        .find_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let fields: Vec<&str> = left.split(' ').collect();
            let mut tail = right.split(' ');
            (tail.next()? == "cgroup2")
                .then(|| (fields.get(4).copied(), fields.get(5).copied(), tail.nth(1)))
        })
        .and_then(|(p, m, s)| Some((p?.to_string(), m?.to_string(), s?.to_string())))
    else {
        return false;
    };
    if super_opts.split(',').any(|o| o == "favordynmods") {
        return true;
    }
    use nix::mount::MsFlags;
    let mut flags = MsFlags::MS_REMOUNT;
    for (name, flag) in [
        ("nosuid", MsFlags::MS_NOSUID),
        ("nodev", MsFlags::MS_NODEV),
        ("noexec", MsFlags::MS_NOEXEC),
        ("ro", MsFlags::MS_RDONLY),
        ("relatime", MsFlags::MS_RELATIME),
        ("noatime", MsFlags::MS_NOATIME),
    ] {
        if mount_opts.split(',').any(|o| o == name) {
            flags |= flag;
        }
    }
    let kept: Vec<&str> = super_opts
        .split(',')
        .filter(|o| *o != "rw" && *o != "ro")
        .collect();
    let data = kept
        .into_iter()
        .chain(["favordynmods"])
        .collect::<Vec<_>>()
        .join(",");
    nix::mount::mount(
        None::<&str>,
        point.as_str(),
        None::<&str>,
        flags,
        Some(data.as_str()),
    )
    .is_ok()
}

impl Cgroups {
    pub fn prepare() -> Cgroups {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        if Path::new(CGROUP_FS).join("cgroup.controllers").exists() {
            if let Some(parent) = prepare_v2(&own) {
                return Cgroups {
                    mode: CgroupMode::V2,
                    parents: vec![parent],
                };
            }
        } else {
            let parents: Vec<PathBuf> = V1_CONTROLLERS
                .iter()
                .filter_map(|c| prepare_v1(&own, c))
                .collect();
            if !parents.is_empty() {
                return Cgroups {
                    mode: CgroupMode::V1,
                    parents,
                };
            }
        }
        Cgroups {
            mode: CgroupMode::None,
            parents: Vec::new(),
        }
    }

    pub fn mode(&self) -> CgroupMode {
        self.mode
    }

    /// Makes the sandbox's groups and writes its limits.
    pub fn create(&self, id: &str, limits: &Limits) -> Result<Cgroup, SandboxError> {
        let group = self.existing(id);
        for dir in &group.dirs {
            std::fs::create_dir(dir)
                .map_err(|e| SandboxError::io(format!("creating cgroup {}", dir.display()), e))?;
        }
        if let Err(e) = write_limits(&group, limits) {
            let _ = group.remove(Instant::now() + Duration::from_millis(100));
            return Err(e);
        }
        Ok(group)
    }

    /// The groups a sandbox named `id` has (or would have).
    pub fn existing(&self, id: &str) -> Cgroup {
        Cgroup {
            mode: self.mode,
            dirs: self.parents.iter().map(|p| p.join(id)).collect(),
        }
    }
}

fn prepare_v2(own: &str) -> Option<PathBuf> {
    let path = own.lines().find_map(|l| l.strip_prefix("0::"))?;
    let mine = Path::new(CGROUP_FS).join(path.trim_start_matches('/'));
    // Controllers must be enabled down to our parent; this fails where this process's own
    // group holds processes (the no-internal-process rule) and then v2 is not used.
    std::fs::write(mine.join("cgroup.subtree_control"), "+memory +pids +cpu").ok()?;
    let parent = mine.join(PARENT_NAME);
    ensure_dir(&parent)?;
    std::fs::write(parent.join("cgroup.subtree_control"), "+memory +pids +cpu").ok()?;
    Some(parent)
}

fn prepare_v1(own: &str, controller: &str) -> Option<PathBuf> {
    let mount = Path::new(CGROUP_FS).join(controller);
    if !mount.join("cgroup.procs").exists() {
        return None;
    }
    // Lines are `id:controller[,controller…]:/path`.
    let path = own.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        controllers
            .split(',')
            .any(|c| c == controller)
            .then_some(path)
    })?;
    let parent = mount.join(path.trim_start_matches('/')).join(PARENT_NAME);
    ensure_dir(&parent)?;
    Some(parent)
}

fn ensure_dir(dir: &Path) -> Option<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => Some(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Some(()),
        Err(_) => None,
    }
}

fn write_limits(group: &Cgroup, limits: &Limits) -> Result<(), SandboxError> {
    let quota_us = limits.cpu_millis_per_sec * 100;
    for dir in &group.dirs {
        let files: Vec<(&str, String, bool)> = match group.mode {
            CgroupMode::V2 => vec![
                ("memory.max", limits.memory_bytes.to_string(), true),
                ("memory.swap.max", "0".into(), false),
                ("pids.max", limits.pids.to_string(), true),
                ("cpu.max", format!("{quota_us} 100000"), true),
            ],
            CgroupMode::V1 => match controller_of(dir) {
                "memory" => vec![
                    (
                        "memory.limit_in_bytes",
                        limits.memory_bytes.to_string(),
                        true,
                    ),
                    (
                        "memory.memsw.limit_in_bytes",
                        limits.memory_bytes.to_string(),
                        false,
                    ),
                    ("memory.swappiness", "0".into(), false),
                ],
                "pids" => vec![("pids.max", limits.pids.to_string(), true)],
                "cpu" => vec![
                    ("cpu.cfs_period_us", "100000".into(), true),
                    ("cpu.cfs_quota_us", quota_us.to_string(), true),
                ],
                _ => vec![],
            },
            CgroupMode::None => vec![],
        };
        for (file, value, required) in files {
            if let Err(e) = std::fs::write(dir.join(file), &value) {
                if required {
                    return Err(SandboxError::io(format!("setting {file}={value}"), e));
                }
            }
        }
    }
    Ok(())
}

/// `/sys/fs/cgroup/<controller>/…/redoubt-sbx/<id>` → `<controller>`.
fn controller_of(dir: &Path) -> &str {
    dir.strip_prefix(CGROUP_FS)
        .ok()
        .and_then(|rest| rest.components().next())
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or("")
}

impl Cgroup {
    /// The `cgroup.procs` files a child writes `0` into to join, as C strings prepared before
    /// fork (nothing may allocate between fork and exec).
    pub fn join_paths(&self) -> Vec<CString> {
        self.dirs
            .iter()
            .filter_map(|d| {
                CString::new(d.join("cgroup.procs").into_os_string().into_encoded_bytes()).ok()
            })
            .collect()
    }

    /// Host pids of every process in the group.
    pub fn procs(&self) -> Vec<i32> {
        let Some(dir) = self.dirs.first() else {
            return Vec::new();
        };
        std::fs::read_to_string(dir.join("cgroup.procs"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    pub fn exists(&self) -> bool {
        self.dirs.iter().any(|d| d.exists())
    }

    /// OOM kills so far (v1 `memory.oom_control`, v2 `memory.events`).
    pub fn oom_kills(&self) -> u64 {
        let file = match self.mode {
            CgroupMode::V2 => "memory.events",
            CgroupMode::V1 => "memory.oom_control",
            CgroupMode::None => return 0,
        };
        self.dirs
            .iter()
            .filter_map(|d| std::fs::read_to_string(d.join(file)).ok())
            .flat_map(|text| {
                text.lines()
                    .filter_map(|l| {
                        l.strip_prefix("oom_kill ")
                            .and_then(|n| n.trim().parse::<u64>().ok())
                    })
                    .collect::<Vec<_>>()
            })
            .sum()
    }

    /// Sends `signal` to every process in the group except `spare`; how many were signalled.
    pub fn signal_all(&self, signal: nix::sys::signal::Signal, spare: &[i32]) -> usize {
        let mut sent = 0;
        for pid in self.procs() {
            if !spare.contains(&pid)
                && nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).is_ok()
            {
                sent += 1;
            }
        }
        sent
    }

    /// SIGKILLs until the group is empty or `deadline` passes; the processes still there.
    pub fn kill_until_empty(&self, deadline: Instant) -> Vec<i32> {
        let mut pause = Duration::from_micros(50);
        loop {
            let left = self.procs();
            if left.is_empty() || Instant::now() >= deadline {
                return left;
            }
            for pid in &left {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(*pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_micros(500));
        }
    }

    /// Removes the group's directories once empty. An EBUSY right after the last task left
    /// means the kernel has not finished uncharging it: wait for emptiness again (bounded by
    /// `deadline`) rather than spinning on rmdir. Returns how many waits that took.
    pub fn remove(&self, deadline: Instant) -> Result<u32, String> {
        let mut waits = 0;
        for dir in &self.dirs {
            loop {
                match std::fs::remove_dir(dir) {
                    Ok(()) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                    Err(e)
                        if e.raw_os_error() == Some(libc::EBUSY) && Instant::now() < deadline =>
                    {
                        waits += 1;
                        self.kill_until_empty(deadline);
                        std::thread::sleep(Duration::from_micros(200));
                    }
                    Err(e) => return Err(format!("rmdir {}: {e}", dir.display())),
                }
            }
        }
        Ok(waits)
    }
}
