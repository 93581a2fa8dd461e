//! Facts about the host that a sandbox's guarantees depend on, read once and reported as-is.

use std::path::Path;

use serde::Serialize;

use crate::CgroupMode;

#[derive(Debug, Clone, Serialize)]
pub struct HostFacts {
    pub engine: &'static str,
    pub init_version: String,
    pub kernel: String,
    pub cgroup_mode: CgroupMode,
    /// The cgroup migration lock favours dynamic modifications (`favordynmods`).
    pub cgroup_favordynmods: bool,
    /// Swap devices are active (tmpfs pages could then reach disk unless mounted `noswap`).
    pub swap_active: bool,
    /// Freed pages are zeroed by the kernel (`init_on_free=1` on the command line).
    pub init_on_free: bool,
    /// Running as root: sandboxes then run as host uids of their own, never as root.
    pub root: bool,
    /// Session filesystems are mounted in a mount namespace private to this process, so a
    /// crash of the process unmounts them (false: in the host's namespace).
    pub session_mounts_private: bool,
    /// The kernel's Landlock ABI version (0: none): each sandbox's second layer of file access
    /// rules.
    pub landlock_abi: i32,
}

impl HostFacts {
    pub(crate) fn read(
        init_version: String,
        cgroup_mode: CgroupMode,
        cgroup_favordynmods: bool,
        session_mounts_private: bool,
    ) -> HostFacts {
        let (swap_active, init_on_free) = memory_facts();
        HostFacts {
            engine: "namespaces + seccomp by syscalls (in-process), tini as init",
            init_version,
            kernel: nix::sys::utsname::uname()
                .map(|u| u.release().to_string_lossy().into_owned())
                .unwrap_or_default(),
            cgroup_mode,
            cgroup_favordynmods,
            swap_active,
            init_on_free,
            root: is_root(),
            session_mounts_private,
            landlock_abi: crate::landlock::abi(),
        }
    }
}

pub(crate) fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// `(swap active, init_on_free)`.
pub(crate) fn memory_facts() -> (bool, bool) {
    let swaps = std::fs::read_to_string("/proc/swaps").unwrap_or_default();
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    (
        swaps.lines().count() > 1,
        cmdline.split_whitespace().any(|w| w == "init_on_free=1"),
    )
}

/// `<init> --version`, or why it cannot run. It must sit under /usr: that is all a sandbox
/// sees of the host.
pub(crate) fn init_version(init: &Path) -> Result<String, String> {
    if !init.starts_with("/usr/") {
        return Err(format!(
            "{} must be an absolute path under /usr",
            init.display()
        ));
    }
    let out = std::process::Command::new(init)
        .arg("--version")
        .output()
        .map_err(|e| format!("{} cannot be run ({e}); install tini", init.display()))?;
    if !out.status.success() {
        return Err(format!("{} --version failed", init.display()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
