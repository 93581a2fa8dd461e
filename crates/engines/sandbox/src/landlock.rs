//! Landlock, where the kernel has it, as a second layer under the mount namespace: after the
//! sandbox's root is built, its init restricts itself (and so everything it runs) to reading
//! and executing the system tree, writing only beneath `/work`, `/tmp` and `/dev/shm` (the
//! session tmpfs), and reading or writing the few `/dev` nodes and its own `/proc`. A mount the
//! sandbox should not have been given would still be read-only to it. Raw syscalls: this runs
//! between fork and exec, where nothing may allocate; the rules are prepared before the fork.

use std::ffi::CString;

// Filesystem access rights (linux/landlock.h), by the ABI version that added them.
const EXECUTE: u64 = 1 << 0;
const WRITE_FILE: u64 = 1 << 1;
const READ_FILE: u64 = 1 << 2;
const READ_DIR: u64 = 1 << 3;
/// ABI 1 handles bits 0 to 12 (execute … make_sym).
const ABI1_ALL: u64 = (1 << 13) - 1;
const REFER: u64 = 1 << 13;
const TRUNCATE: u64 = 1 << 14;
const IOCTL_DEV: u64 = 1 << 15;

const CREATE_RULESET_VERSION: u32 = 1 << 0;
const RULE_PATH_BENEATH: libc::c_int = 1;

#[repr(C, packed)]
struct PathBeneath {
    allowed_access: u64,
    parent_fd: i32,
}

/// The kernel's Landlock ABI version; 0 where Landlock is absent or disabled.
pub(crate) fn abi() -> i32 {
    // SAFETY: the version query takes no attribute and changes nothing.
    let version = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    version.max(0) as i32
}

pub(crate) struct Policy {
    handled: u64,
    rules: Vec<(CString, u64)>,
}

impl Policy {
    /// The rules for `abi` (None without Landlock). Paths are those inside the sandbox.
    pub(crate) fn for_abi(abi: i32) -> Option<Policy> {
        if abi < 1 {
            return None;
        }
        let mut handled = ABI1_ALL;
        if abi >= 2 {
            handled |= REFER;
        }
        if abi >= 3 {
            handled |= TRUNCATE;
        }
        if abi >= 5 {
            handled |= IOCTL_DEV;
        }
        let read = READ_FILE | READ_DIR;
        let device = read | WRITE_FILE | (handled & (TRUNCATE | IOCTL_DEV));
        let rules = [
            ("/", read | EXECUTE),
            ("/work", handled),
            ("/tmp", handled),
            ("/dev/shm", handled),
            ("/dev", device),
            // Truncate too: a shell redirect (`> /proc/self/oom_score_adj`) opens with O_TRUNC.
            ("/proc", read | WRITE_FILE | (handled & TRUNCATE)),
        ]
        .into_iter()
        .map(|(path, access)| (CString::new(path).expect("no NUL"), access))
        .collect();
        Some(Policy { handled, rules })
    }

    /// Restricts the calling process and its future children. Call after the root is built and
    /// `PR_SET_NO_NEW_PRIVS` is set; async-signal-safe.
    ///
    /// # Safety
    /// Raw syscalls on prepared data only; meant for the child between fork and exec.
    pub(crate) unsafe fn apply(&self) -> std::io::Result<()> {
        let attr: u64 = self.handled;
        let ruleset = libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &attr as *const u64,
            std::mem::size_of::<u64>(),
            0u32,
        );
        if ruleset < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let ruleset = ruleset as libc::c_int;
        for (path, access) in &self.rules {
            let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
            if fd < 0 {
                continue; // A path this sandbox does not have gets no rule: nothing is allowed there.
            }
            let beneath = PathBeneath {
                allowed_access: *access,
                parent_fd: fd,
            };
            let added = libc::syscall(
                libc::SYS_landlock_add_rule,
                ruleset,
                RULE_PATH_BENEATH,
                &beneath as *const PathBeneath,
                0u32,
            );
            libc::close(fd);
            if added < 0 {
                let e = std::io::Error::last_os_error();
                libc::close(ruleset);
                return Err(e);
            }
        }
        let restricted = libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0u32);
        libc::close(ruleset);
        if restricted < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
}
