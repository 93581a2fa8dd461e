//! `redoubt`: parse the command line and run the command.

use std::process::ExitCode;

use clap::Parser;
use redoubt::cli::{Cli, Command, ModelsCommand, VerifyCommand};
use redoubt::config::Config;
use redoubt::{admin, serve, telemetry};

/// mimalloc: glibc malloc's consolidation showed up prominently in request profiles
/// (docs/decisions.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", serde_json::json!({ "error": format!("{e:#}") }));
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut overrides = cli.global.overrides();
    if let Command::Serve(args) = &cli.command {
        merge(&mut overrides, args.overrides());
    }
    let config = Config::load(cli.global.config.as_deref(), overrides)?;
    telemetry::init(&config.log_format, &config.log_level);
    match cli.command {
        Command::Serve(_) => {
            let server = serve::start(&config).await?;
            serve::shutdown_signal().await;
            server.stop().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let platform = serve::open_platform(&config).await?;
            platform.db().close().await;
            println!("{}", serde_json::json!({ "migrated": true }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(command) => {
            let platform = serve::open_platform(&config).await?;
            let outcome = admin::run_admin(&platform, command).await;
            platform.db().close().await;
            print_outcome(outcome?)
        }
        // Offline: needs neither the database nor the data directory.
        Command::Verify(VerifyCommand::Trail { file, public_key }) => {
            print_outcome(admin::verify_trail_file(&file, public_key.as_deref())?)
        }
        Command::Verify(VerifyCommand::Cdp { file }) => {
            print_outcome(admin::verify_cdp_file(&file)?)
        }
        Command::Models(ModelsCommand::Install { test_media, python }) => {
            let options = media::models::install::InstallOptions {
                dir: config.models_dir(),
                python,
                test_media,
            };
            let installed =
                media::models::install::install(&options).map_err(anyhow::Error::msg)?;
            let dir = options.dir.display().to_string();
            println!(
                "{}",
                serde_json::json!({ "models_dir": dir, "installed": installed })
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Models(ModelsCommand::Status) => {
            let dir = config.models_dir();
            let missing: Vec<_> = media::models::CATALOGUE
                .iter()
                .chain(std::iter::once(&media::models::RUNTIME))
                .filter(|m| {
                    media::models::install::digest(&dir.join(m.file)).as_deref() != Some(m.sha256)
                })
                .map(|m| m.file)
                .collect();
            let shown = dir.display().to_string();
            println!(
                "{}",
                serde_json::json!({ "models_dir": shown, "missing_or_altered": missing })
            );
            Ok(if missing.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Verify(command) => {
            let platform = serve::open_platform(&config).await?;
            let outcome = admin::run_verify(&platform, command).await;
            platform.db().close().await;
            print_outcome(outcome?)
        }
    }
}

fn print_outcome(outcome: admin::Outcome) -> anyhow::Result<ExitCode> {
    println!("{}", outcome.output);
    Ok(if outcome.success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn merge(base: &mut serde_json::Value, extra: serde_json::Value) {
    if let (Some(base), serde_json::Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
}
