//! Shared by the sandbox engine's tests: one engine per test binary, sandboxes with unique ids.

use std::sync::OnceLock;
use std::time::Duration;

use sandbox::{Engine, EngineConfig, ExecOutcome, ExecRequest, Limits, Sandbox};

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(EngineConfig {
            root: std::env::temp_dir().join(format!("redoubt-sbx-test-{}", std::process::id())),
            kill_grace: Duration::from_millis(500),
            output_cap: 64 * 1024,
            ..EngineConfig::default()
        })
        .expect("bubblewrap is installed (apt-get install bubblewrap)")
    })
}

pub fn limits() -> Limits {
    Limits {
        memory_bytes: 128 << 20,
        pids: 64,
        cpu_millis_per_sec: 1000,
        tmpfs_bytes: 32 << 20,
    }
}

pub fn sandbox() -> Sandbox {
    let id = format!("t{:016x}", rand_id());
    engine().create(&id, limits()).expect("create")
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    (std::process::id() as u64) << 32 | N.fetch_add(1, Ordering::Relaxed)
}

pub fn run(sandbox: &Sandbox, command: &str) -> ExecOutcome {
    run_with(sandbox, command, None, Duration::from_secs(20))
}

pub fn run_with(
    sandbox: &Sandbox,
    command: &str,
    input: Option<&[u8]>,
    timeout: Duration,
) -> ExecOutcome {
    sandbox
        .exec(&ExecRequest {
            command: command.into(),
            input_data: input.map(|i| i.to_vec()),
            timeout,
        })
        .expect("exec")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Destroys and asserts the teardown was clean.
pub fn destroy_clean(sandbox: Sandbox) -> sandbox::Teardown {
    let teardown = sandbox.destroy();
    assert!(teardown.clean(), "teardown not clean: {teardown:#?}");
    teardown
}
