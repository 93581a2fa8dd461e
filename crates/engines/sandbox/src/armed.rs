//! An exec's sandbox prepared before its command is known: forked, every namespace entered, the
//! root built, Landlock and seccomp applied (`spawn::Plan::enter`), then waiting on a pipe for
//! the command line, which it execs as `tini -- /bin/sh -c <command>`. Arming ahead takes the
//! namespace set-up, most of what an exec costs, off the request path; what runs, and how it is
//! confined, is the same as an exec armed on demand.
//!
//! The child keeps only five descriptors: /dev/null as stdin, the stdout and stderr pipes, the
//! command pipe (fd 3) and a status pipe (fd 4, close-on-exec): `R` once ready, `E` and an errno
//! if entering or the exec failed, end-of-file once the exec succeeded. Everything it touches
//! between fork and exec is allocated before the fork.

use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::keeper::Keeper;
use crate::spawn::Plan;
use crate::SandboxError;

/// The longest command line the kernel passes as one argument (`MAX_ARG_STRLEN`), NUL included.
pub const MAX_COMMAND_BYTES: usize = 128 * 1024 - 1;

const ENV: [&CStr; 4] = [
    c"PATH=/usr/local/bin:/usr/bin:/bin",
    c"HOME=/work",
    c"TMPDIR=/tmp",
    c"LANG=C.UTF-8",
];

/// A forked sandbox waiting for its command. Dropped unused, it exits (or is killed) and is
/// reaped.
pub(crate) struct Armed {
    /// The outer process, in the host's pid namespace; it exits with the init's status.
    pid: i32,
    pub stdout: Option<OwnedFd>,
    pub stderr: Option<OwnedFd>,
    command: Option<OwnedFd>,
    status: OwnedFd,
    ready: bool,
    reaped: bool,
}

/// What the child needs, prepared before the fork.
struct ChildFds {
    stdin: OwnedFd,
    stdout: OwnedFd,
    stderr: OwnedFd,
    command: OwnedFd,
    status: OwnedFd,
}

/// Forks the sandbox of `plan` on the mount thread (whose mount namespace it copies) and
/// returns at once; [`Armed::fire`] waits for it to be ready.
pub(crate) fn arm(plan: Plan, init: &Path, keeper: &Keeper) -> Result<Armed, SandboxError> {
    let io = |what: &str| {
        let what = what.to_string();
        move |e: std::io::Error| SandboxError::io(what, e)
    };
    let (stdout_r, stdout_w) = pipe().map_err(io("creating the stdout pipe"))?;
    let (stderr_r, stderr_w) = pipe().map_err(io("creating the stderr pipe"))?;
    let (command_r, command_w) = pipe().map_err(io("creating the command pipe"))?;
    let (status_r, status_w) = pipe().map_err(io("creating the status pipe"))?;
    let stdin = std::fs::File::open("/dev/null").map_err(io("opening /dev/null"))?;
    let child = ChildFds {
        stdin: above_stdio(stdin.into()).map_err(io("moving a descriptor"))?,
        stdout: above_stdio(stdout_w).map_err(io("moving a descriptor"))?,
        stderr: above_stdio(stderr_w).map_err(io("moving a descriptor"))?,
        command: above_stdio(command_r).map_err(io("moving a descriptor"))?,
        status: above_stdio(status_w).map_err(io("moving a descriptor"))?,
    };
    let init = CString::new(init.as_os_str().as_encoded_bytes())
        .map_err(|_| SandboxError::Unavailable("the init path holds a NUL".into()))?;
    let pid = keeper
        .run(move || {
            // The command buffer and argv are the child's copies after the fork; nothing there
            // allocates.
            let mut buffer = vec![0u8; MAX_COMMAND_BYTES + 1];
            let mut argv: [*const libc::c_char; 6] = [
                init.as_ptr(),
                c"--".as_ptr(),
                c"/bin/sh".as_ptr(),
                c"-c".as_ptr(),
                buffer.as_ptr().cast(),
                std::ptr::null(),
            ];
            let envp: [*const libc::c_char; 5] = [
                ENV[0].as_ptr(),
                ENV[1].as_ptr(),
                ENV[2].as_ptr(),
                ENV[3].as_ptr(),
                std::ptr::null(),
            ];
            // SAFETY: between fork and exec the child only makes async-signal-safe calls on
            // memory prepared above (`child_main`, `Plan::enter`).
            let pid = unsafe { libc::fork() };
            if pid == 0 {
                unsafe { child_main(&plan, &child, &mut buffer, &mut argv, &envp) }
            }
            drop(child);
            if pid < 0 {
                Err(std::io::Error::last_os_error())
            } else {
                Ok(pid)
            }
        })
        .map_err(io("forking the sandbox"))?;
    Ok(Armed {
        pid,
        stdout: Some(stdout_r),
        stderr: Some(stderr_r),
        command: Some(command_w),
        status: status_r,
        ready: false,
        reaped: false,
    })
}

impl Armed {
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Waits until the sandbox is entered and ready for its command.
    pub fn ready(&mut self) -> Result<(), SandboxError> {
        if !self.ready {
            self.expect(Status::Ready, "entering the sandbox")?;
            self.ready = true;
        }
        Ok(())
    }

    /// Hands the sandbox its command and waits until it has exec'd `tini`.
    pub fn fire(&mut self, command: &str) -> Result<(), SandboxError> {
        self.ready()?;
        if command.len() > MAX_COMMAND_BYTES || command.contains('\0') {
            return Err(SandboxError::Input(format!(
                "the command must be at most {MAX_COMMAND_BYTES} bytes, without NUL"
            )));
        }
        let pipe = self.command.take().expect("a sandbox is fired once");
        let mut message = Vec::with_capacity(4 + command.len());
        message.extend_from_slice(&(command.len() as u32).to_le_bytes());
        message.extend_from_slice(command.as_bytes());
        let mut file = std::fs::File::from(pipe);
        std::io::Write::write_all(&mut file, &message)
            .map_err(|e| SandboxError::io("handing the sandbox its command", e))?;
        drop(file);
        self.expect(Status::Exec, "starting the sandbox's init")
    }

    /// Reads the next status and fails, saying what was `doing`, unless it is `wanted`.
    fn expect(&self, wanted: Status, doing: &str) -> Result<(), SandboxError> {
        let got = read_status(&self.status)?;
        let error = match got {
            _ if got == wanted => return Ok(()),
            Status::Failed(errno) => std::io::Error::from_raw_os_error(errno),
            Status::Exec => std::io::Error::other("the sandbox exited before it was ready"),
            Status::Ready => std::io::Error::other("unexpected status from the sandbox"),
        };
        Err(SandboxError::io(doing, error))
    }

    /// Waits for the outer process and returns its wait status.
    pub fn wait(&mut self) -> Result<i32, SandboxError> {
        let mut status = 0;
        loop {
            let r = unsafe { libc::waitpid(self.pid, &mut status, 0) };
            if r == self.pid {
                self.reaped = true;
                return Ok(status);
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINTR) {
                self.reaped = true;
                return Err(SandboxError::io("waiting for the sandbox", e));
            }
        }
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        if self.reaped {
            return;
        }
        // End of file on the command pipe: a waiting sandbox exits by itself, the init first
        // and then the outer process, so no orphan is left to the host's init to reap.
        drop(self.command.take());
        if let Ok(pidfd) = crate::exec::pidfd_open(self.pid) {
            let mut watched = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
            let _ = poll(&mut watched, PollTimeout::from(DISARM_WAIT_MS));
        }
        // Still there (it was running a command, or is stuck): killed.
        let mut status = 0;
        if unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) } != self.pid {
            unsafe { libc::kill(self.pid, libc::SIGKILL) };
            let _ = self.wait();
        }
    }
}

/// How long a dropped sandbox may take to exit by itself before it is killed.
const DISARM_WAIT_MS: u16 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ready,
    Failed(i32),
    /// End of file: the status pipe was closed by a successful exec (or the child died).
    Exec,
}

fn read_status(fd: &OwnedFd) -> Result<Status, SandboxError> {
    let mut message = [0u8; 5];
    let mut got = 0;
    loop {
        let n = unsafe {
            libc::read(
                fd.as_raw_fd(),
                message[got..].as_mut_ptr().cast(),
                message.len() - got,
            )
        };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(SandboxError::io("reading the sandbox's status", e));
        }
        if n == 0 {
            break;
        }
        got += n as usize;
        if message[0] == b'R' || got == message.len() {
            break;
        }
    }
    Ok(match (got, message[0]) {
        (0, _) => Status::Exec,
        (_, b'R') => Status::Ready,
        (5, b'E') => Status::Failed(i32::from_le_bytes([
            message[1], message[2], message[3], message[4],
        ])),
        _ => Status::Failed(libc::EPROTO),
    })
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The same descriptor at a number of 5 or more, so the child can `dup2` each one onto 0-4
/// without overwriting another.
fn above_stdio(fd: OwnedFd) -> std::io::Result<OwnedFd> {
    if fd.as_raw_fd() >= 5 {
        return Ok(fd);
    }
    let moved = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 5) };
    if moved < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(unsafe { OwnedFd::from_raw_fd(moved) })
}

/// The forked child. Never returns: it execs `tini` or exits.
unsafe fn child_main(
    plan: &Plan,
    fds: &ChildFds,
    buffer: &mut [u8],
    argv: &mut [*const libc::c_char; 6],
    envp: &[*const libc::c_char; 5],
) -> ! {
    let status: RawFd = 4;
    let placed = [
        (fds.stdin.as_raw_fd(), 0),
        (fds.stdout.as_raw_fd(), 1),
        (fds.stderr.as_raw_fd(), 2),
        (fds.command.as_raw_fd(), 3),
        (fds.status.as_raw_fd(), status),
    ];
    for (from, to) in placed {
        if libc::dup2(from, to) < 0 {
            libc::_exit(126);
        }
    }
    libc::fcntl(3, libc::F_SETFD, libc::FD_CLOEXEC);
    libc::fcntl(status, libc::F_SETFD, libc::FD_CLOEXEC);
    // The server's own descriptors (sockets, database files) are not held by a waiting child.
    libc::syscall(libc::SYS_close_range, 5u32, u32::MAX, 0u32);
    // Named for what it is in `ps` until it execs (else it shows as the server's mount thread).
    libc::prctl(libc::PR_SET_NAME, c"sandbox-armed".as_ptr());
    // As `std::process::Command` does: default SIGPIPE, nothing blocked.
    libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    let mut none: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut none);
    libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
    if let Err(e) = plan.enter() {
        fail(status, e.raw_os_error().unwrap_or(libc::EIO));
    }
    // In the namespace's init, confined: ready for the command.
    write_all(status, b"R");
    let mut length = [0u8; 4];
    if !read_exact(3, &mut length) {
        // Disarmed before any command: nothing to run.
        libc::_exit(0);
    }
    let length = u32::from_le_bytes(length) as usize;
    if length >= buffer.len() || !read_exact(3, &mut buffer[..length]) {
        fail(status, libc::E2BIG);
    }
    buffer[length] = 0;
    libc::close(3);
    argv[4] = buffer.as_ptr().cast();
    libc::execve(argv[0], argv.as_ptr(), envp.as_ptr());
    fail(status, *libc::__errno_location());
}

unsafe fn fail(status: RawFd, errno: i32) -> ! {
    let mut message = [b'E', 0, 0, 0, 0];
    message[1..].copy_from_slice(&errno.to_le_bytes());
    write_all(status, &message);
    libc::_exit(127);
}

unsafe fn write_all(fd: RawFd, mut data: &[u8]) {
    while !data.is_empty() {
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        if n < 0 && *libc::__errno_location() == libc::EINTR {
            continue;
        }
        if n <= 0 {
            return;
        }
        data = &data[n as usize..];
    }
}

unsafe fn read_exact(fd: RawFd, mut into: &mut [u8]) -> bool {
    while !into.is_empty() {
        let n = libc::read(fd, into.as_mut_ptr().cast(), into.len());
        if n < 0 && *libc::__errno_location() == libc::EINTR {
            continue;
        }
        if n <= 0 {
            return false;
        }
        into = &mut into[n as usize..];
    }
    true
}
