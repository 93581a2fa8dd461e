//! Where vision's video decoders run: in a sandbox of the sandbox engine (no network, its own
//! namespaces and uid, read-only system, seccomp, memory/CPU/pids caps, killed at the time
//! limit) when the engine can start here, else in a plain child process with the same time
//! limit and resource rlimits (documented as the weaker mode; health says which).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use media::video::{RunError, Runner};
use sandbox::{Engine, EngineConfig, ExecRequest, Limits};

/// Most a decoder may print (the sampled frames of the longest accepted video).
pub const OUTPUT_CAP: usize = 768 * 1024 * 1024;
/// Memory for one decoder beside its video (the tmpfs holding the video counts too).
const DECODER_MEMORY: u64 = 1536 * 1024 * 1024;

pub enum Decoders {
    Sandboxed(Box<Engine>),
    /// Why the engine is not used.
    Unconfined(String),
}

impl Decoders {
    /// The sandbox engine under `root` with uids of its own (`uid_base`), or the plain mode.
    pub fn start(root: &Path, init: &str) -> Decoders {
        let config = EngineConfig {
            root: root.to_path_buf(),
            init: init.into(),
            kill_grace: Duration::from_millis(500),
            output_cap: OUTPUT_CAP,
            uid_base: 1_600_000,
            uid_count: 4096,
            ..EngineConfig::default()
        };
        let usable = nix::unistd::geteuid().is_root();
        if !usable {
            return Decoders::Unconfined("not running as root: the sandbox engine needs it".into());
        }
        match Engine::new(config) {
            Ok(engine) => Decoders::Sandboxed(Box::new(engine)),
            Err(e) => Decoders::Unconfined(e.to_string()),
        }
    }

    pub fn mode(&self) -> String {
        match self {
            Decoders::Sandboxed(_) => "sandboxed".into(),
            Decoders::Unconfined(why) => format!("unconfined ({why})"),
        }
    }

    /// A runner over `video` for one job; `None` inside means the plain mode's work folder.
    pub fn runner(&self, job_id: &str, video: &Path) -> Result<Box<dyn Runner + Send>, String> {
        let size = std::fs::metadata(video).map_err(|e| e.to_string())?.len();
        match self {
            Decoders::Sandboxed(engine) => {
                let id = format!("vision-{}", job_id.trim_start_matches("video_"));
                let limits = Limits {
                    memory_bytes: size * 2 + DECODER_MEMORY,
                    pids: 64,
                    cpu_millis_per_sec: 1000,
                    tmpfs_bytes: size * 2 + DECODER_MEMORY / 2,
                };
                let sandbox = engine.create(&id, limits).map_err(|e| e.to_string())?;
                let data = std::fs::read(video).map_err(|e| e.to_string())?;
                Ok(Box::new(SandboxRunner {
                    sandbox,
                    input: Mutex::new(Some(data)),
                }))
            }
            Decoders::Unconfined(_) => {
                let dir = std::env::temp_dir().join(format!("redoubt-decode-{job_id}"));
                std::fs::create_dir_all(dir.join("input")).map_err(|e| e.to_string())?;
                std::fs::copy(video, dir.join("input/data")).map_err(|e| e.to_string())?;
                Ok(Box::new(ProcessRunner { dir }))
            }
        }
    }
}

struct SandboxRunner {
    sandbox: sandbox::Sandbox,
    /// Written to `input/data` by the first command.
    input: Mutex<Option<Vec<u8>>>,
}

impl Runner for SandboxRunner {
    fn run(&self, command: &str, timeout: Duration) -> Result<Vec<u8>, RunError> {
        let input_data = self.input.lock().unwrap_or_else(|e| e.into_inner()).take();
        let request = ExecRequest {
            command: command.to_string(),
            input_data,
            timeout,
        };
        let outcome = self
            .sandbox
            .exec(&request)
            .map_err(|e| RunError::Failed(e.to_string()))?;
        if outcome.timed_out {
            return Err(RunError::TimedOut);
        }
        if outcome.exit_code != 0 || outcome.stdout_truncated {
            let stderr = String::from_utf8_lossy(&outcome.stderr);
            let why = if outcome.oom_killed {
                "the decoder ran out of memory".to_string()
            } else if outcome.stdout_truncated {
                "the decoder's output exceeded its cap".to_string()
            } else {
                format!(
                    "exit {}: {}",
                    outcome.exit_code,
                    stderr.chars().take(300).collect::<String>().trim()
                )
            };
            return Err(RunError::Failed(why));
        }
        Ok(outcome.stdout)
    }
}

impl Drop for SandboxRunner {
    fn drop(&mut self) {
        let teardown = self.sandbox.destroy();
        tracing::debug!(
            sandbox = self.sandbox.id(),
            clean = teardown.clean(),
            "decoder sandbox destroyed"
        );
    }
}

struct ProcessRunner {
    dir: PathBuf,
}

impl Runner for ProcessRunner {
    fn run(&self, command: &str, timeout: Duration) -> Result<Vec<u8>, RunError> {
        use std::os::unix::process::CommandExt;
        let mut child = unsafe {
            Command::new("/bin/sh")
                .arg("-c")
                .arg(command)
                .current_dir(&self.dir)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .pre_exec(|| {
                    // Its own process group (killed whole), and address space and file caps.
                    libc::setpgid(0, 0);
                    let cap = |resource, value: u64| {
                        let limit = libc::rlimit {
                            rlim_cur: value,
                            rlim_max: value,
                        };
                        libc::setrlimit(resource, &limit);
                    };
                    cap(libc::RLIMIT_AS, 4 << 30);
                    cap(libc::RLIMIT_FSIZE, OUTPUT_CAP as u64);
                    Ok(())
                })
                .spawn()
        }
        .map_err(|e| RunError::Failed(e.to_string()))?;
        let pid = child.id() as i32;
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = (&mut stdout)
                .take(OUTPUT_CAP as u64 + 1)
                .read_to_end(&mut out);
            out
        });
        let errors = std::thread::spawn(move || {
            let mut out = String::new();
            let _ = (&mut stderr).take(64 * 1024).read_to_string(&mut out);
            out
        });
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child
                .try_wait()
                .map_err(|e| RunError::Failed(e.to_string()))?
            {
                break Some(status);
            }
            if started.elapsed() >= timeout {
                unsafe { libc::kill(-pid, libc::SIGKILL) };
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = reader.join().unwrap_or_default();
        let err = errors.join().unwrap_or_default();
        match status {
            None => Err(RunError::TimedOut),
            Some(s) if s.success() && out.len() <= OUTPUT_CAP => Ok(out),
            Some(s) => Err(RunError::Failed(format!(
                "{s}: {}",
                err.chars().take(300).collect::<String>().trim()
            ))),
        }
    }
}

impl Drop for ProcessRunner {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
