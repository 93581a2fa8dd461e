//! One command in one fresh bwrap sandbox over the session tmpfs: the child joins the session
//! cgroup and drops to the session's host uid before bwrap starts; output is captured up to a
//! cap; the timeout is enforced from outside (SIGTERM to the workload, SIGKILL after a grace).

use std::ffi::{CString, OsString};
use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde::Serialize;

use crate::{seccomp, Limits, Sandbox, SandboxError};

/// What to run.
#[derive(Debug, Clone)]
pub struct ExecRequest {
    /// Run as `/bin/sh -c <command>` in `/work` (the session tmpfs).
    pub command: String,
    /// Written to `/work/input/data` first.
    pub input_data: Option<Vec<u8>>,
    /// SIGTERM after this; SIGKILL after the engine's grace period.
    pub timeout: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExecOutcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The command's exit status; 128 + N when signal N ended it.
    pub exit_code: i32,
    pub timed_out: bool,
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    /// The memory cgroup OOM-killed a process of this exec.
    pub oom_killed: bool,
    /// Stopped from outside: timeout escalation, output cap, or the sandbox being destroyed.
    pub killed: bool,
    pub duration: Duration,
}

/// Sandbox uid and gid as the command sees them; mapped to the session's host uid.
const INNER_ID: &str = "1000";
/// First descriptor number handed to bwrap (seccomp programs, then the argument list).
const SECCOMP_FD_BASE: RawFd = 200;

pub(crate) fn run(sandbox: &Sandbox, request: &ExecRequest) -> Result<ExecOutcome, SandboxError> {
    let engine = &sandbox.engine;
    let programs: Vec<OwnedFd> = if engine.seccomp {
        seccomp::programs()
            .iter()
            .map(|p| memfd_with(p))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    // Arguments travel through a descriptor (`--args`), so the sandbox's /proc/1/cmdline
    // does not show host paths; the command itself must stay on the command line.
    let args = bwrap_args(sandbox, programs.len());
    let mut fds = programs;
    fds.push(memfd_with(&nul_separated(&args))?);
    let mut command = Command::new(&engine.bwrap);
    command
        .arg("--args")
        .arg((SECCOMP_FD_BASE + fds.len() as RawFd - 1).to_string())
        .args(["--", "/bin/sh", "-c", &request.command])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let setup = ChildSetup {
        cgroup_procs: sandbox.cgroup.join_paths(),
        inherited_fds: fds.iter().map(|f| f.as_raw_fd()).collect(),
        uid: engine.run_as_uid.then_some(sandbox.uid),
        limits: sandbox.limits,
    };
    // SAFETY: `ChildSetup::apply` only makes async-signal-safe libc calls on data prepared
    // before the fork; it allocates nothing.
    unsafe {
        command.pre_exec(move || setup.apply());
    }
    let oom_before = sandbox.cgroup.oom_kills();
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| SandboxError::io("starting the sandbox", e))?;
    drop(fds);
    let pid = child.id();
    *sandbox.running.lock().unwrap() = Some(pid);
    let stdout = OwnedFd::from(child.stdout.take().expect("piped"));
    let stderr = OwnedFd::from(child.stderr.take().expect("piped"));
    let watch = Watch {
        sandbox,
        pid: pid as i32,
        deadline: started + request.timeout,
        grace: engine.grace,
        cap: engine.output_cap,
    };
    let captured = watch.run(stdout, stderr)?;
    let status = child
        .wait()
        .map_err(|e| SandboxError::io("waiting for the sandbox", e))?;
    // Nothing of an exec outlives it: the namespace's init may still be exiting when bwrap
    // returns, and anything else left in the group is killed.
    sandbox
        .cgroup
        .kill_until_empty(Instant::now() + engine.grace);
    let exit_code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Ok(ExecOutcome {
        exit_code,
        timed_out: captured.timed_out,
        stdout_truncated: captured.stdout.truncated,
        stderr_truncated: captured.stderr.truncated,
        stdout: captured.stdout.bytes,
        stderr: captured.stderr.bytes,
        oom_killed: sandbox.cgroup.oom_kills() > oom_before,
        killed: captured.killed,
        duration: started.elapsed(),
    })
}

/// bwrap's arguments: every namespace, nothing of the host but read-only system directories,
/// the session tmpfs as `/work`, `/tmp` and `/dev/shm`.
fn bwrap_args(sandbox: &Sandbox, seccomp_programs: usize) -> Vec<OsString> {
    let dir = &sandbox.dir;
    let mut args: Vec<OsString> = Vec::with_capacity(80);
    let mut push = |items: &[&str]| args.extend(items.iter().map(OsString::from));
    push(&[
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid",
        INNER_ID,
        "--gid",
        INNER_ID,
        "--hostname",
        &sandbox.hostname,
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/local/bin:/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/work",
        "--setenv",
        "TMPDIR",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--ro-bind",
        "/usr",
        "/usr",
    ]);
    for top in ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"] {
        match std::fs::read_link(top) {
            Ok(target) => push(&["--symlink", &target.to_string_lossy(), top]),
            Err(_) if Path::new(top).is_dir() => push(&["--ro-bind", top, top]),
            Err(_) => {}
        }
    }
    for file in ["/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime"] {
        push(&["--ro-bind-try", file, file]);
    }
    let work = dir.to_string_lossy();
    let tmp = dir.join(".tmp");
    let shm = dir.join(".shm");
    push(&[
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--bind",
        &work,
        "/work",
        "--bind",
        &tmp.to_string_lossy(),
        "/tmp",
        "--bind",
        &shm.to_string_lossy(),
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        "/work",
    ]);
    for i in 0..seccomp_programs {
        push(&[
            "--add-seccomp-fd",
            &(SECCOMP_FD_BASE + i as RawFd).to_string(),
        ]);
    }
    args
}

fn nul_separated(args: &[OsString]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for arg in args {
        bytes.extend_from_slice(arg.as_encoded_bytes());
        bytes.push(0);
    }
    bytes
}

fn memfd_with(bytes: &[u8]) -> Result<OwnedFd, SandboxError> {
    use std::io::{Seek, Write};
    let fd =
        nix::sys::memfd::memfd_create(c"redoubt-seccomp", nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
            .map_err(|e| SandboxError::io("memfd_create", e.into()))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes)
        .and_then(|_| file.rewind())
        .map_err(|e| SandboxError::io("writing the seccomp program", e))?;
    Ok(OwnedFd::from(file))
}

/// What the child does between fork and exec of bwrap.
struct ChildSetup {
    cgroup_procs: Vec<CString>,
    /// Handed to bwrap as `SECCOMP_FD_BASE + i`: the seccomp programs, then the arguments.
    inherited_fds: Vec<RawFd>,
    uid: Option<u32>,
    limits: Limits,
}

impl ChildSetup {
    fn apply(&self) -> std::io::Result<()> {
        let fail = || Err(std::io::Error::last_os_error());
        unsafe {
            for path in &self.cgroup_procs {
                let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd < 0 || libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                    return fail();
                }
                libc::close(fd);
            }
            let fd = libc::open(
                c"/proc/self/oom_score_adj".as_ptr(),
                libc::O_WRONLY | libc::O_CLOEXEC,
            );
            if fd >= 0 {
                libc::write(fd, b"1000".as_ptr().cast(), 4);
                libc::close(fd);
            }
            let limit = |resource, value: u64| {
                let rl = libc::rlimit {
                    rlim_cur: value,
                    rlim_max: value,
                };
                libc::setrlimit(resource, &rl)
            };
            if limit(libc::RLIMIT_NOFILE, 1024) != 0
                || limit(libc::RLIMIT_CORE, 0) != 0
                || limit(libc::RLIMIT_FSIZE, self.limits.tmpfs_bytes) != 0
            {
                return fail();
            }
            for (i, fd) in self.inherited_fds.iter().enumerate() {
                if libc::dup2(*fd, SECCOMP_FD_BASE + i as RawFd) < 0 {
                    return fail();
                }
            }
            if let Some(uid) = self.uid {
                // A uid of its own: the process limit then counts this sandbox alone.
                if limit(libc::RLIMIT_NPROC, self.limits.pids + 16) != 0
                    || libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setresgid(uid, uid, uid) != 0
                    || libc::setresuid(uid, uid, uid) != 0
                {
                    return fail();
                }
            }
            // After the uid change, which clears it: the sandbox dies with the service.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return fail();
            }
        }
        Ok(())
    }
}

/// Output kept of one stream.
#[derive(Default)]
struct Capture {
    bytes: Vec<u8>,
    truncated: bool,
    eof: bool,
}

struct Captured {
    stdout: Capture,
    stderr: Capture,
    timed_out: bool,
    killed: bool,
}

/// Watches a running bwrap: reads both pipes, enforces the deadline and the output cap.
struct Watch<'a> {
    sandbox: &'a Sandbox,
    pid: i32,
    deadline: Instant,
    grace: Duration,
    cap: usize,
}

impl Watch<'_> {
    fn run(&self, stdout: OwnedFd, stderr: OwnedFd) -> Result<Captured, SandboxError> {
        for fd in [&stdout, &stderr] {
            set_nonblocking(fd.as_raw_fd());
        }
        let pidfd = pidfd_open(self.pid)?;
        let mut out = Captured {
            stdout: Capture::default(),
            stderr: Capture::default(),
            timed_out: false,
            killed: false,
        };
        let mut exited_at: Option<Instant> = None;
        let mut term_at: Option<Instant> = None;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let now = Instant::now();
            if out.stdout.eof && out.stderr.eof && exited_at.is_some() {
                break;
            }
            // Exited but a pipe is still open: nothing in the namespace can hold it for long.
            if exited_at.is_some_and(|at| now > at + self.grace) {
                self.kill_all();
                break;
            }
            if !out.timed_out && now >= self.deadline {
                out.timed_out = true;
                term_at = Some(now);
                self.terminate_workload();
            }
            let overflow = out.stdout.truncated || out.stderr.truncated;
            let grace_over = term_at.is_some_and(|t| now >= t + self.grace);
            if (overflow || grace_over) && !out.killed {
                out.killed = true;
                self.kill_all();
            }
            let wake = if out.killed || exited_at.is_some() {
                now + Duration::from_millis(20)
            } else if let Some(t) = term_at {
                t + self.grace
            } else {
                self.deadline
            };
            let mut fds = Vec::with_capacity(3);
            let watched: Vec<u8> = [(0u8, &out.stdout), (1, &out.stderr)]
                .into_iter()
                .filter(|(_, c)| !c.eof)
                .map(|(i, _)| i)
                .collect();
            for i in &watched {
                let fd = if *i == 0 {
                    stdout.as_fd()
                } else {
                    stderr.as_fd()
                };
                fds.push(PollFd::new(fd, PollFlags::POLLIN));
            }
            if exited_at.is_none() {
                fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
            }
            let ms = wake
                .saturating_duration_since(now)
                .as_millis()
                .clamp(1, 60_000) as u16;
            match poll(&mut fds, PollTimeout::from(ms)) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(SandboxError::io("poll", e.into())),
            }
            let ready: Vec<bool> = fds
                .iter()
                .map(|f| f.revents().is_some_and(|r| !r.is_empty()))
                .collect();
            drop(fds);
            for (slot, i) in watched.iter().enumerate() {
                if ready[slot] {
                    let (fd, capture) = if *i == 0 {
                        (&stdout, &mut out.stdout)
                    } else {
                        (&stderr, &mut out.stderr)
                    };
                    drain(fd, capture, self.cap, &mut buf);
                }
            }
            if exited_at.is_none() && ready.last().copied().unwrap_or(false) {
                exited_at = Some(Instant::now());
            }
        }
        Ok(out)
    }

    /// SIGTERM to the command and everything it started, not to bwrap or the namespace's init
    /// (which would turn the grace period into an immediate SIGKILL).
    fn terminate_workload(&self) {
        let init: Vec<i32> = children_of(self.pid);
        let mut workload = Vec::new();
        for pid in &init {
            descendants(*pid, &mut workload);
        }
        for pid in workload {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
    }

    /// SIGKILL to bwrap (its death takes the pid namespace with it) and to the whole group.
    fn kill_all(&self) {
        let _ = kill(Pid::from_raw(self.pid), Signal::SIGKILL);
        self.sandbox.cgroup.signal_all(Signal::SIGKILL, &[]);
    }
}

fn drain(fd: &OwnedFd, capture: &mut Capture, cap: usize, buf: &mut [u8]) {
    let mut file =
        std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd.as_raw_fd()) });
    loop {
        match file.read(buf) {
            Ok(0) => {
                capture.eof = true;
                return;
            }
            Ok(n) => {
                let room = cap.saturating_sub(capture.bytes.len());
                capture.bytes.extend_from_slice(&buf[..n.min(room)]);
                if n > room {
                    capture.truncated = true;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => {
                capture.eof = true;
                return;
            }
        }
    }
}

fn set_nonblocking(fd: RawFd) {
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

fn pidfd_open(pid: i32) -> Result<OwnedFd, SandboxError> {
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(SandboxError::io(
            "pidfd_open",
            std::io::Error::last_os_error(),
        ));
    }
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Direct children of `pid` (all its threads').
fn children_of(pid: i32) -> Vec<i32> {
    let mut found = Vec::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let text = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            found.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok()),
            );
        }
    }
    found
}

fn descendants(pid: i32, into: &mut Vec<i32>) {
    for child in children_of(pid) {
        if !into.contains(&child) {
            into.push(child);
            descendants(child, into);
        }
    }
}
