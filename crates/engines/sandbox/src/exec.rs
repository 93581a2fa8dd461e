//! One command in one fresh sandbox over the session tmpfs (entered by `spawn::Plan` between
//! fork and exec, ahead of the command when the sandbox was armed: `armed.rs`); output is
//! captured up to a cap; the timeout is enforced from outside (SIGTERM to the workload, SIGKILL
//! after a grace period).

use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde::Serialize;

use crate::spawn::{Plan, PlanInputs};
use crate::{Sandbox, SandboxError};

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

pub(crate) fn run(sandbox: &Sandbox, request: &ExecRequest) -> Result<ExecOutcome, SandboxError> {
    let engine = &sandbox.engine;
    let mut armed = sandbox.take_armed()?;
    let oom_before = sandbox.cgroup.oom_kills();
    let started = Instant::now();
    armed.fire(&request.command)?;
    let pid = armed.pid();
    *sandbox.running.lock().unwrap() = Some(pid as u32);
    let stdout = armed.stdout.take().expect("an armed sandbox has its pipes");
    let stderr = armed.stderr.take().expect("an armed sandbox has its pipes");
    let watch = Watch {
        sandbox,
        pid,
        deadline: started + request.timeout,
        grace: engine.grace,
        cap: engine.output_cap,
    };
    let captured = watch.run(stdout, stderr)?;
    let status = std::process::ExitStatus::from_raw(armed.wait()?);
    // Nothing of an exec outlives it: the namespace's init may still be exiting when the
    // outer process returns, and anything else left in the group is killed.
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

/// The plan of a sandbox for one exec over `sandbox`'s tmpfs, cgroup and uid.
pub(crate) fn plan(sandbox: &Sandbox) -> Plan {
    let engine = &sandbox.engine;
    Plan::new(PlanInputs {
        new_root: &engine.new_root,
        session_dir: &sandbox.dir,
        cgroup_procs: sandbox.cgroup.join_paths(),
        host_uid: engine.run_as_uid.then_some(sandbox.uid),
        own_uid: nix::unistd::getuid().as_raw(),
        limits: sandbox.limits,
        hostname: &sandbox.hostname,
        seccomp: engine.seccomp,
        landlock_abi: engine.landlock_abi,
    })
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

/// Watches a running sandbox: reads both pipes, enforces the deadline and the output cap.
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

    /// SIGTERM to the command and everything it started, not to the outer process or the
    /// namespace's init (whose death would turn the grace period into an immediate SIGKILL).
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

    /// SIGKILL to the outer process (its death takes the pid namespace with it, through the
    /// init's parent-death signal) and to the whole group.
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

pub(crate) fn pidfd_open(pid: i32) -> Result<OwnedFd, SandboxError> {
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
