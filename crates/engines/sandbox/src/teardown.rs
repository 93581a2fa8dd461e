//! Destroying a sandbox step by step, and the evidence of each step: what was done and what
//! was then checked. A step that could not be completed says so; nothing is claimed unchecked.

use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use serde::Serialize;

use crate::cgroup::{Cgroup, CgroupMode};
use crate::keeper::Keeper;
use crate::{tmpfs, Running};

/// How long teardown waits for processes to die and groups to empty.
const KILL_DEADLINE: Duration = Duration::from_secs(5);

/// Step 1: the process tree.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProcessEvidence {
    pub cgroup_mode: Option<CgroupMode>,
    /// Processes found and sent SIGKILL.
    pub killed: usize,
    /// Processes still in the group after waiting (must be none).
    pub remaining: usize,
    pub waited_us: u64,
}

/// Steps 3 and 6: the overwrite of every byte the session left, and its readback.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WipeEvidence {
    pub passes: u32,
    pub pattern: String,
    pub files: u64,
    pub directories: u64,
    /// Symlinks, FIFOs and sockets: unlinked, no data of their own.
    pub other_entries: u64,
    pub bytes_overwritten: u64,
    pub bytes_read_back: u64,
    /// Sparse regions: never allocated, so nothing to overwrite.
    pub hole_bytes: u64,
    /// 4 KiB blocks read back (the Merkle leaves).
    pub blocks: u64,
    pub nonzero_blocks: u64,
    pub readback_all_zero: bool,
    /// Root of the Merkle tree over the blocks as read back (hex SHA-256).
    pub merkle_root: String,
    /// Entries still in the tmpfs after unlinking (must be none).
    pub entries_left: u64,
    pub errors: Vec<String>,
}

/// Step 2: the tmpfs mount.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MountEvidence {
    pub mount_point: String,
    /// The session mounts live in a mount namespace private to the server process, which the
    /// kernel destroys with it: after a crash, `was_mounted` false is that namespace gone.
    pub private_namespace: bool,
    /// A mount was also found in the host's namespace (left by a server without private
    /// mounts) and was wiped and unmounted there.
    pub host_namespace_mount: bool,
    pub was_mounted: bool,
    pub absent_from_mountinfo: bool,
    pub mount_point_removed: bool,
    pub error: Option<String>,
}

/// The cgroup.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CgroupEvidence {
    pub mode: Option<CgroupMode>,
    pub paths: Vec<String>,
    pub removed: bool,
    /// Times rmdir answered EBUSY and teardown waited for the group to empty again.
    pub ebusy_waits: u32,
    /// After a crash: the previous process's crash watcher removed the group once the server
    /// was gone (its report says so); teardown then finds it absent.
    pub removed_by_crash_watcher: bool,
    pub error: Option<String>,
}

/// The host uid the sandbox ran as.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UidEvidence {
    pub uid: u32,
    /// Live (non-zombie) processes of that uid anywhere on the host after teardown (must be
    /// none).
    pub processes_left: usize,
}

/// Everything a destroy did and checked.
#[derive(Debug, Clone, Serialize)]
pub struct Teardown {
    pub processes: ProcessEvidence,
    pub wipe: WipeEvidence,
    pub mount: MountEvidence,
    pub cgroup: CgroupEvidence,
    pub uid: Option<UidEvidence>,
    pub swap_active: bool,
    pub init_on_free: bool,
    pub duration_us: u64,
}

impl Teardown {
    /// Every step completed and checked.
    pub fn clean(&self) -> bool {
        self.processes.remaining == 0
            && self.wipe.readback_all_zero
            && self.wipe.entries_left == 0
            && self.mount.absent_from_mountinfo
            && self.mount.error.is_none()
            && self.cgroup.error.is_none()
            && self.uid.as_ref().is_none_or(|u| u.processes_left == 0)
    }
}

pub(crate) fn run(
    dir: &Path,
    cgroup: &Cgroup,
    uid: Option<u32>,
    running: Option<&Running>,
    keeper: &Keeper,
) -> Teardown {
    let started = Instant::now();
    let deadline = started + KILL_DEADLINE;
    let processes = kill_everything(cgroup, running, deadline);
    // A mount left in the host's namespace (by a server that predates private mounts, or that
    // could not make its namespace private) is wiped and unmounted there, on this thread.
    let in_host = keeper.private() && tmpfs::is_mounted(dir);
    if in_host {
        let _ = tmpfs::wipe(dir);
        let _ = tmpfs::unmount(dir);
    }
    // The mount point is opened on the mount thread, where the tmpfs is mounted; the wipe then
    // runs here, through the descriptor, so a large wipe holds up no other session's work.
    // After a crash the mount is gone; whatever the mount point holds is still wiped, so
    // anything written there outside the tmpfs would be found and counted.
    let at = dir.to_path_buf();
    let root = keeper.run(move || at.exists().then(|| tmpfs::open_root(&at).ok()).flatten());
    let wipe = match &root {
        Some(fd) => tmpfs::wipe(Path::new(&format!("/proc/self/fd/{}", fd.as_raw_fd()))),
        None => WipeEvidence {
            readback_all_zero: true,
            merkle_root: crate::merkle::MerkleBuilder::default().root_hex(),
            ..WipeEvidence::default()
        },
    };
    drop(root);
    let at = dir.to_path_buf();
    let mut mount = keeper.run(move || tmpfs::unmount(&at));
    mount.private_namespace = keeper.private();
    mount.host_namespace_mount = in_host;
    let cgroup_evidence = remove_cgroup(cgroup, deadline);
    let uid = uid
        .filter(|u| *u != nix::unistd::getuid().as_raw())
        .map(|uid| UidEvidence {
            uid,
            processes_left: processes_of(uid),
        });
    let host = crate::host::memory_facts();
    Teardown {
        processes,
        wipe,
        mount,
        cgroup: cgroup_evidence,
        uid,
        swap_active: host.0,
        init_on_free: host.1,
        duration_us: started.elapsed().as_micros() as u64,
    }
}

fn kill_everything(
    cgroup: &Cgroup,
    running: Option<&Running>,
    deadline: Instant,
) -> ProcessEvidence {
    let started = Instant::now();
    let mut evidence = ProcessEvidence {
        cgroup_mode: Some(cgroup.mode),
        ..ProcessEvidence::default()
    };
    if cgroup.mode == CgroupMode::None {
        // No group to list: the outer process's death takes the pid namespace with it.
        if let Some(pid) = running.and_then(|r| *r.lock().unwrap()).filter(|p| *p > 0) {
            let alive =
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), Signal::SIGKILL)
                    .is_ok();
            evidence.killed = alive as usize;
            while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    } else {
        evidence.killed = cgroup.procs().len();
        evidence.remaining = cgroup.kill_until_empty(deadline).len();
    }
    evidence.waited_us = started.elapsed().as_micros() as u64;
    evidence
}

fn remove_cgroup(cgroup: &Cgroup, deadline: Instant) -> CgroupEvidence {
    let mut evidence = CgroupEvidence {
        mode: Some(cgroup.mode),
        paths: cgroup
            .dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect(),
        ..CgroupEvidence::default()
    };
    match cgroup.remove(deadline) {
        Ok(waits) => evidence.ebusy_waits = waits,
        Err(e) => evidence.error = Some(e),
    }
    evidence.removed = !cgroup.exists();
    if !evidence.removed && evidence.error.is_none() {
        evidence.error = Some("the cgroup still exists".into());
    }
    evidence
}

fn is_zombie(proc_dir: &Path) -> bool {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).unwrap_or_default();
    // `pid (comm) S …`: the state follows the last ')'.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_none_or(|state| state == "Z" || state == "X")
}

/// Processes on the host owned by `uid` (the owner of `/proc/<pid>` is the process's euid).
fn processes_of(uid: u32) -> usize {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                })
                .filter(|e| e.metadata().is_ok_and(|m| m.uid() == uid))
                // A zombie has left its cgroup and holds nothing; its parent reaps it later.
                .filter(|e| !is_zombie(&e.path()))
                .count()
        })
        .unwrap_or(0)
}
