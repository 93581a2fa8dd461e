//! A minimal in-process sandbox, for measurement only: the same isolation as the engine's bwrap
//! invocation (user, mount, pid, net, ipc, uts and cgroup namespaces; a fresh root with /usr
//! read-only, /proc, a minimal /dev, tmpfs /work and /tmp; the same seccomp programs; a non-root
//! host uid), done with raw syscalls between fork and exec instead of by bwrap.

use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

/// Prepared before fork: nothing may allocate in the child.
struct Plan {
    root: CString,
    dirs: Vec<CString>,
    links: Vec<(CString, CString)>,
    dev_files: Vec<(CString, CString)>,
    usr: (CString, CString),
    proc_: CString,
    work: CString,
    tmp: CString,
    dev: CString,
    uid_map: Vec<u8>,
    host_uid: Option<u32>,
    seccomp: Vec<Vec<u8>>,
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

pub fn command(root: &str, host_uid: Option<u32>, program: &[&str]) -> Command {
    let inner = |p: &str| c(&format!("{root}/{p}"));
    let uid = host_uid.unwrap_or_else(|| nix::unistd::getuid().as_raw());
    let plan = Plan {
        root: c(root),
        dirs: ["usr", "proc", "work", "tmp", "dev", "oldroot"]
            .iter()
            .map(|d| inner(d))
            .collect(),
        links: [
            ("usr/bin", "bin"),
            ("usr/lib", "lib"),
            ("usr/lib64", "lib64"),
            ("usr/sbin", "sbin"),
        ]
        .iter()
        .map(|(t, l)| (c(t), inner(l)))
        .collect(),
        dev_files: ["null", "zero", "urandom"]
            .iter()
            .map(|d| (c(&format!("/dev/{d}")), inner(&format!("dev/{d}"))))
            .collect(),
        usr: (c("/usr"), inner("usr")),
        proc_: inner("proc"),
        work: inner("work"),
        tmp: inner("tmp"),
        dev: inner("dev"),
        uid_map: format!("1000 {uid} 1").into_bytes(),
        host_uid,
        seccomp: sandbox::seccomp::programs().to_vec(),
    };
    let mut command = Command::new(program[0]);
    command
        .args(&program[1..])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    unsafe {
        command.pre_exec(move || plan.enter());
    }
    command
}

macro_rules! check {
    ($e:expr) => {
        if $e < 0 {
            return Err(std::io::Error::last_os_error());
        }
    };
}

impl Plan {
    unsafe fn write_file(path: &std::ffi::CStr, data: &[u8]) -> std::io::Result<()> {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        check!(fd);
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        libc::close(fd);
        check!(n);
        Ok(())
    }

    fn enter(&self) -> std::io::Result<()> {
        unsafe {
            if let Some(uid) = self.host_uid {
                check!(libc::setgroups(0, std::ptr::null()));
                check!(libc::setresgid(uid, uid, uid));
                check!(libc::setresuid(uid, uid, uid));
                // A uid change makes the process non-dumpable, which puts /proc/self/uid_map
                // out of its own reach.
                check!(libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0));
            }
            check!(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL));
            let flags = libc::CLONE_NEWUSER
                | libc::CLONE_NEWNS
                | libc::CLONE_NEWPID
                | libc::CLONE_NEWNET
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWUTS
                | libc::CLONE_NEWCGROUP;
            check!(libc::unshare(flags));
            Self::write_file(c"/proc/self/setgroups", b"deny")?;
            Self::write_file(c"/proc/self/uid_map", &self.uid_map)?;
            Self::write_file(c"/proc/self/gid_map", &self.uid_map)?;
            // The new pid namespace takes effect for children: the namespace's init is a fork.
            let pid = libc::fork();
            check!(pid);
            if pid > 0 {
                let mut status = 0;
                libc::waitpid(pid, &mut status, 0);
                libc::_exit(if libc::WIFEXITED(status) {
                    libc::WEXITSTATUS(status)
                } else {
                    128 + libc::WTERMSIG(status)
                });
            }
            check!(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL));
            self.build_root()?;
            check!(libc::sethostname(c"sbx-inproc".as_ptr(), 10));
            check!(libc::chdir(c"/work".as_ptr()));
            check!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
            for program in &self.seccomp {
                let prog = libc::sock_fprog {
                    len: (program.len() / 8) as u16,
                    filter: program.as_ptr() as *mut libc::sock_filter,
                };
                check!(libc::prctl(
                    libc::PR_SET_SECCOMP,
                    libc::SECCOMP_MODE_FILTER,
                    &prog as *const libc::sock_fprog
                ));
            }
        }
        Ok(())
    }

    unsafe fn build_root(&self) -> std::io::Result<()> {
        let none = std::ptr::null::<libc::c_char>();
        check!(libc::mount(
            none,
            c"/".as_ptr(),
            none,
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null()
        ));
        check!(libc::mount(
            c"tmpfs".as_ptr(),
            self.root.as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            c"size=1m,mode=0755".as_ptr().cast()
        ));
        for dir in &self.dirs {
            check!(libc::mkdir(dir.as_ptr(), 0o755));
        }
        for (target, link) in &self.links {
            check!(libc::symlink(target.as_ptr(), link.as_ptr()));
        }
        check!(libc::mount(
            self.usr.0.as_ptr(),
            self.usr.1.as_ptr(),
            none,
            libc::MS_BIND | libc::MS_REC,
            std::ptr::null()
        ));
        check!(libc::mount(
            none,
            self.usr.1.as_ptr(),
            none,
            libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
            std::ptr::null()
        ));
        check!(libc::mount(
            c"proc".as_ptr(),
            self.proc_.as_ptr(),
            c"proc".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            std::ptr::null()
        ));
        for dir in [&self.work, &self.tmp] {
            check!(libc::mount(
                c"tmpfs".as_ptr(),
                dir.as_ptr(),
                c"tmpfs".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV,
                c"size=128m".as_ptr().cast()
            ));
        }
        check!(libc::mount(
            c"tmpfs".as_ptr(),
            self.dev.as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID,
            c"mode=0755".as_ptr().cast()
        ));
        for (host, inner) in &self.dev_files {
            let fd = libc::open(
                inner.as_ptr(),
                libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                0o666,
            );
            check!(fd);
            libc::close(fd);
            check!(libc::mount(
                host.as_ptr(),
                inner.as_ptr(),
                none,
                libc::MS_BIND,
                std::ptr::null()
            ));
        }
        check!(libc::chdir(self.root.as_ptr()));
        check!(libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c"oldroot".as_ptr()) as i32);
        check!(libc::chdir(c"/".as_ptr()));
        check!(libc::umount2(c"/oldroot".as_ptr(), libc::MNT_DETACH));
        check!(libc::rmdir(c"/oldroot".as_ptr()));
        check!(libc::mount(
            none,
            c"/".as_ptr(),
            none,
            libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
            std::ptr::null()
        ));
        Ok(())
    }
}
