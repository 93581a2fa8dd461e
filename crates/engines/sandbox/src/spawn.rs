//! Entering a sandbox between fork and exec, by syscalls (no helper binary): join the session's
//! cgroup, drop to its host uid, unshare every namespace, map uid 1000 inside to that uid, fork
//! the namespace's init, build a fresh read-only root (system directories read-only, the
//! session tmpfs as /work, /tmp and /dev/shm, a minimal /dev, a new /proc), pivot into it, and
//! apply the seccomp programs. The init then execs `tini`, which runs the command and reaps.
//!
//! Everything the child needs is prepared here before the fork: between fork and exec only
//! async-signal-safe libc calls are made, and nothing allocates.

use std::ffi::{CStr, CString};
use std::path::Path;

use crate::Limits;

/// Uid and gid of the command inside the sandbox (mapped to the sandbox's host uid).
pub(crate) const INNER_ID: u32 = 1000;

/// A bind mount into the new root: host source, target inside it, read-only or not.
struct Bind {
    source: CString,
    target: CString,
    dir: bool,
    read_only: bool,
}

/// What a new procfs still says about the host: its kernel command line and build, kernel
/// symbols and keys, timers and scheduler internals (the files container runtimes mask too).
/// Each is read as empty; the `uname` syscall itself cannot be masked (docs/decisions.md).
const PROC_MASKS: [&str; 9] = [
    "proc/cmdline",
    "proc/version",
    "proc/kallsyms",
    "proc/keys",
    "proc/kcore",
    "proc/timer_list",
    "proc/sched_debug",
    "proc/latency_stats",
    "proc/sys/kernel/version",
];

pub(crate) struct Plan {
    /// The server process: if it is already gone when the death signal is armed, stop there.
    server_pid: libc::pid_t,
    cgroup_procs: Vec<CString>,
    host_uid: Option<u32>,
    id_map: Vec<u8>,
    limits: Limits,
    new_root: CString,
    dirs: Vec<CString>,
    symlinks: Vec<(CString, CString)>,
    binds: Vec<Bind>,
    proc_dir: CString,
    /// Files of the new /proc that describe the host, not the sandbox, covered with /dev/null.
    proc_masks: Vec<CString>,
    dev_dir: CString,
    dev_binds: Vec<(CString, CString)>,
    dev_links: Vec<(CString, CString)>,
    hostname: CString,
    landlock: Option<crate::landlock::Policy>,
    seccomp: Vec<&'static [u8]>,
}

fn c(text: &str) -> CString {
    CString::new(text).expect("no NUL in sandbox paths")
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_encoded_bytes()).expect("no NUL in sandbox paths")
}

pub(crate) struct PlanInputs<'a> {
    pub new_root: &'a Path,
    pub session_dir: &'a Path,
    pub cgroup_procs: Vec<CString>,
    pub host_uid: Option<u32>,
    pub own_uid: u32,
    pub limits: Limits,
    pub hostname: &'a str,
    pub seccomp: bool,
    /// The kernel's Landlock ABI (0: none); the sandbox restricts itself with it when present.
    pub landlock_abi: i32,
}

impl Plan {
    pub fn new(inputs: PlanInputs) -> Plan {
        let root = inputs.new_root;
        let inner = |p: &str| c_path(&root.join(p.trim_start_matches('/')));
        let mut dirs = vec![
            inner("proc"),
            inner("dev"),
            inner("work"),
            inner("tmp"),
            inner("etc"),
            inner("usr"),
            inner(".old"),
        ];
        let mut symlinks = Vec::new();
        let mut binds = vec![Bind {
            source: c("/usr"),
            target: inner("usr"),
            dir: true,
            read_only: true,
        }];
        for top in ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"] {
            match std::fs::read_link(top) {
                Ok(target) => symlinks.push((c_path(&target), inner(top))),
                Err(_) if Path::new(top).is_dir() => {
                    dirs.push(inner(top));
                    binds.push(Bind {
                        source: c(top),
                        target: inner(top),
                        dir: true,
                        read_only: true,
                    });
                }
                Err(_) => {}
            }
        }
        for etc in ["/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"] {
            // The host's target, not a link: localtime is usually a symlink into /usr.
            let Ok(real) = std::fs::canonicalize(etc) else {
                continue;
            };
            binds.push(Bind {
                source: c_path(&real),
                target: inner(etc),
                dir: real.is_dir(),
                read_only: true,
            });
        }
        let session = inputs.session_dir;
        binds.push(Bind {
            source: c_path(session),
            target: inner("work"),
            dir: true,
            read_only: false,
        });
        binds.push(Bind {
            source: c_path(&session.join(".tmp")),
            target: inner("tmp"),
            dir: true,
            read_only: false,
        });
        let dev_binds = ["null", "zero", "full", "random", "urandom", "tty"]
            .iter()
            .map(|d| (c(&format!("/dev/{d}")), inner(&format!("dev/{d}"))))
            .collect();
        let dev_links = [
            ("/proc/self/fd", "fd"),
            ("/proc/self/fd/0", "stdin"),
            ("/proc/self/fd/1", "stdout"),
            ("/proc/self/fd/2", "stderr"),
        ]
        .iter()
        .map(|(t, l)| (c(t), inner(&format!("dev/{l}"))))
        .collect();
        let uid = inputs.host_uid.unwrap_or(inputs.own_uid);
        Plan {
            server_pid: std::process::id() as libc::pid_t,
            cgroup_procs: inputs.cgroup_procs,
            host_uid: inputs.host_uid,
            id_map: format!("{INNER_ID} {uid} 1").into_bytes(),
            limits: inputs.limits,
            new_root: c_path(root),
            dirs,
            symlinks,
            binds,
            proc_dir: inner("proc"),
            proc_masks: PROC_MASKS.iter().map(|p| inner(p)).collect(),
            dev_dir: inner("dev"),
            dev_binds,
            dev_links,
            hostname: c(inputs.hostname),
            landlock: crate::landlock::Policy::for_abi(inputs.landlock_abi),
            seccomp: if inputs.seccomp {
                crate::seccomp::programs()
                    .iter()
                    .map(Vec::as_slice)
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Runs in the forked child. Returns only in the namespace's init, ready to exec.
    pub fn enter(&self) -> std::io::Result<()> {
        unsafe {
            for path in &self.cgroup_procs {
                write_file(path, b"0")?;
            }
            let _ = write_file(c"/proc/self/oom_score_adj", b"1000");
            set_limit(libc::RLIMIT_NOFILE, 1024)?;
            set_limit(libc::RLIMIT_CORE, 0)?;
            set_limit(libc::RLIMIT_FSIZE, self.limits.tmpfs_bytes)?;
            if let Some(uid) = self.host_uid {
                // A uid of its own: the process limit then counts this sandbox alone.
                set_limit(libc::RLIMIT_NPROC, self.limits.pids + 16)?;
                check(libc::setgroups(0, std::ptr::null()))?;
                check(libc::setresgid(uid, uid, uid))?;
                check(libc::setresuid(uid, uid, uid))?;
                // The uid change made the process non-dumpable, which would put its own
                // /proc/self/uid_map out of reach. No sandboxed code runs before the exec,
                // which makes it non-dumpable again for everything the sandbox can see.
                check(libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0))?;
            }
            // After the uid change, which clears it: the sandbox dies with the service. A server
            // that died before the signal was armed is seen here, and nothing runs.
            check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL))?;
            if libc::getppid() != self.server_pid {
                libc::_exit(1);
            }
            let namespaces = libc::CLONE_NEWUSER
                | libc::CLONE_NEWNS
                | libc::CLONE_NEWPID
                | libc::CLONE_NEWNET
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWUTS
                | libc::CLONE_NEWCGROUP;
            check(libc::unshare(namespaces))?;
            write_file(c"/proc/self/setgroups", b"deny")?;
            write_file(c"/proc/self/uid_map", &self.id_map)?;
            write_file(c"/proc/self/gid_map", &self.id_map)?;
            // A new pid namespace starts with the next child: fork its init. This process
            // stays outside, waits for it and exits with its status; it keeps no descriptor,
            // so the parent learns of the init's exec, and of the end of its output, from the
            // sandbox's own processes.
            let init = check(libc::fork())?;
            if init > 0 {
                libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32);
                let mut status = 0;
                while libc::waitpid(init, &mut status, 0) < 0 {}
                let code = if libc::WIFEXITED(status) {
                    libc::WEXITSTATUS(status)
                } else {
                    128 + libc::WTERMSIG(status)
                };
                libc::_exit(code);
            }
            check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL))?;
            loopback_up()?;
            self.build_root()?;
            check(libc::sethostname(
                self.hostname.as_ptr(),
                self.hostname.as_bytes().len(),
            ))?;
            check(libc::setsid())?;
            check(libc::chdir(c"/work".as_ptr()))?;
            check(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))?;
            if let Some(policy) = &self.landlock {
                policy.apply()?;
            }
            for program in &self.seccomp {
                let prog = libc::sock_fprog {
                    len: (program.len() / 8) as u16,
                    filter: program.as_ptr() as *mut libc::sock_filter,
                };
                check(libc::prctl(
                    libc::PR_SET_SECCOMP,
                    libc::SECCOMP_MODE_FILTER,
                    &prog as *const libc::sock_fprog,
                ))?;
            }
        }
        Ok(())
    }

    unsafe fn build_root(&self) -> std::io::Result<()> {
        let none = std::ptr::null::<libc::c_char>();
        let no_data = std::ptr::null::<libc::c_void>();
        check(libc::mount(
            none,
            c"/".as_ptr(),
            none,
            libc::MS_REC | libc::MS_PRIVATE,
            no_data,
        ))?;
        check(libc::mount(
            c"tmpfs".as_ptr(),
            self.new_root.as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            c"size=1m,nr_inodes=256,mode=0755".as_ptr().cast(),
        ))?;
        for dir in &self.dirs {
            check(libc::mkdir(dir.as_ptr(), 0o755))?;
        }
        for (target, link) in &self.symlinks {
            check(libc::symlink(target.as_ptr(), link.as_ptr()))?;
        }
        for bind in &self.binds {
            if bind.dir {
                let r = libc::mkdir(bind.target.as_ptr(), 0o755);
                if r < 0 && *libc::__errno_location() != libc::EEXIST {
                    return Err(std::io::Error::last_os_error());
                }
            } else {
                touch(&bind.target)?;
            }
            check(libc::mount(
                bind.source.as_ptr(),
                bind.target.as_ptr(),
                none,
                libc::MS_BIND | libc::MS_REC,
                no_data,
            ))?;
            if bind.read_only {
                check(libc::mount(
                    none,
                    bind.target.as_ptr(),
                    none,
                    libc::MS_BIND
                        | libc::MS_REMOUNT
                        | libc::MS_RDONLY
                        | libc::MS_NOSUID
                        | libc::MS_NODEV,
                    no_data,
                ))?;
            }
        }
        check(libc::mount(
            c"proc".as_ptr(),
            self.proc_dir.as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            no_data,
        ))?;
        for mask in &self.proc_masks {
            // Only what this kernel has; a file that cannot be covered is an error.
            if libc::access(mask.as_ptr(), libc::F_OK) == 0 {
                check(libc::mount(
                    c"/dev/null".as_ptr(),
                    mask.as_ptr(),
                    none,
                    libc::MS_BIND,
                    no_data,
                ))?;
            }
        }
        check(libc::mount(
            c"tmpfs".as_ptr(),
            self.dev_dir.as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NOEXEC,
            c"size=64k,nr_inodes=64,mode=0755".as_ptr().cast(),
        ))?;
        for (host, inner) in &self.dev_binds {
            touch(inner)?;
            check(libc::mount(
                host.as_ptr(),
                inner.as_ptr(),
                none,
                libc::MS_BIND,
                no_data,
            ))?;
        }
        for (target, link) in &self.dev_links {
            check(libc::symlink(target.as_ptr(), link.as_ptr()))?;
        }
        check(libc::chdir(self.dev_dir.as_ptr()))?;
        check(libc::mkdir(c"shm".as_ptr(), 0o755))?;
        check(libc::mount(
            c"../work/.shm".as_ptr(),
            c"shm".as_ptr(),
            none,
            libc::MS_BIND,
            no_data,
        ))?;
        check(libc::mount(
            none,
            self.dev_dir.as_ptr(),
            none,
            libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NOEXEC,
            no_data,
        ))?;
        check(libc::chdir(self.new_root.as_ptr()))?;
        check(libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".old".as_ptr()) as libc::c_int)?;
        check(libc::chdir(c"/".as_ptr()))?;
        check(libc::umount2(c"/.old".as_ptr(), libc::MNT_DETACH))?;
        check(libc::rmdir(c"/.old".as_ptr()))?;
        check(libc::mount(
            none,
            c"/".as_ptr(),
            none,
            libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
            no_data,
        ))?;
        Ok(())
    }
}

/// A new network namespace has only `lo`, and it is down: bring it up, so commands can talk to
/// themselves on 127.0.0.1 (as under bwrap). Nothing else exists to reach.
unsafe fn loopback_up() -> std::io::Result<()> {
    let sock = check(libc::socket(
        libc::AF_INET,
        libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
        0,
    ))?;
    let mut request: libc::ifreq = std::mem::zeroed();
    for (slot, byte) in request.ifr_name.iter_mut().zip(b"lo\0") {
        *slot = *byte as libc::c_char;
    }
    request.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
    let result = libc::ioctl(sock, libc::SIOCSIFFLAGS, &request);
    libc::close(sock);
    check(result).map(|_| ())
}

fn check<T: Copy + PartialOrd + Default>(result: T) -> std::io::Result<T> {
    if result < T::default() {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

unsafe fn write_file(path: &CStr, data: &[u8]) -> std::io::Result<()> {
    let fd = check(libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC))?;
    let written = libc::write(fd, data.as_ptr().cast(), data.len());
    libc::close(fd);
    check(written).map(|_| ())
}

unsafe fn touch(path: &CStr) -> std::io::Result<()> {
    let fd = check(libc::open(
        path.as_ptr(),
        libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
        0o644,
    ))?;
    libc::close(fd);
    Ok(())
}

unsafe fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    check(libc::setrlimit(resource, &limit)).map(|_| ())
}
