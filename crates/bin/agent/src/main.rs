//! redoubt-agent: watches one host's network traffic and auth log with the netdetect engine and
//! reports what it finds to a netwatch server. Detections are queued on disk first (they survive
//! restarts and outages) and uploaded in batches; the agent heartbeats every 60 s and applies the
//! rule overrides, whitelist and suppressions of `/agents/config`.

mod capture;
mod client;
mod run;
mod selftest;
mod settings;
mod spool;
mod tail;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = settings::Args::parse();
    let settings = match settings::Settings::load(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("redoubt-agent: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logs(&settings.log_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let outcome = if settings.self_test {
        runtime.block_on(selftest::run(&settings))
    } else {
        runtime.block_on(run::run(settings))
    };
    match outcome {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "stopped");
            std::process::ExitCode::from(1)
        }
    }
}

/// JSON lines on stderr.
fn init_logs(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("REDOUBT_AGENT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .json()
        .flatten_event(true)
        .init();
}
