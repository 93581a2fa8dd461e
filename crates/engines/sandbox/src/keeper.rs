//! The mount namespace that holds every session tmpfs: private to this process, so that when
//! the process dies, however it dies (SIGKILL, the OOM killer, an abort), the kernel unmounts
//! every session filesystem with it and frees its pages. Nothing is left readable on the host
//! between a crash and the next start.
//!
//! Mount namespaces belong to threads: one dedicated thread unshares its own (propagation from
//! the host kept one way, `MS_SLAVE`, so host mounts still show inside and session mounts never
//! show outside) and does what needs the session paths: mounting and unmounting, opening a
//! session's mount point (writes and the wipe then go through that descriptor, on the caller's
//! thread, so no large job holds this one up), and forking each exec's sandbox (whose
//! namespaces are copied from this thread's). Work reaches it as closures over a channel. The
//! thread lives as long as the process, which also makes it the parent that each sandbox's
//! `PR_SET_PDEATHSIG` watches.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Sender};
use std::sync::Mutex;

use nix::mount::MsFlags;
use nix::sched::CloneFlags;

type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct Keeper {
    jobs: Mutex<Sender<Job>>,
    /// The session mounts live in a namespace of their own (false where unsharing failed: the
    /// mounts are then in the host's namespace, as before, and the facts say so).
    private: bool,
}

impl Keeper {
    pub(crate) fn start() -> Keeper {
        let (jobs, queue) = channel::<Job>();
        let (ready, started) = channel::<bool>();
        std::thread::Builder::new()
            .name("sandbox-mounts".into())
            .spawn(move || {
                let _ = ready.send(enter_private_namespace().is_ok());
                for job in queue {
                    job();
                }
            })
            .expect("starting the sandbox mount thread");
        Keeper {
            jobs: Mutex::new(jobs),
            private: started.recv().unwrap_or(false),
        }
    }

    pub(crate) fn private(&self) -> bool {
        self.private
    }

    /// Runs `work` on the mount thread and returns what it returns. A panic in `work` is
    /// caught there (the thread must outlive it) and resumed here.
    pub(crate) fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let (done, result) = channel();
        let job: Job = Box::new(move || {
            let _ = done.send(catch_unwind(AssertUnwindSafe(work)));
        });
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job)
            .expect("the sandbox mount thread runs as long as the process");
        match result
            .recv()
            .expect("the sandbox mount thread answers every job")
        {
            Ok(value) => value,
            Err(panic) => resume_unwind(panic),
        }
    }
}

fn enter_private_namespace() -> nix::Result<()> {
    nix::sched::unshare(CloneFlags::CLONE_NEWNS)?;
    nix::mount::mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_SLAVE,
        None::<&str>,
    )
}

/// This thread's own view of the mounts (not the process leader's, which `/proc/self` gives).
pub(crate) const MOUNTINFO: &str = "/proc/thread-self/mountinfo";
