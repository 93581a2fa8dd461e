//! Logging: JSON (or pretty) lines on stderr, so stdout stays for command output.

use tracing_subscriber::EnvFilter;

pub fn init(format: &str, level: &str) {
    // PostgreSQL NOTICEs ("relation already exists, skipping" on every migrate) are not news.
    let filter = EnvFilter::try_from_env("REDOUBT_LOG")
        .unwrap_or_else(|_| EnvFilter::new(level))
        .add_directive(
            "sqlx::postgres::notice=warn"
                .parse()
                .expect("valid directive"),
        );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if format == "pretty" {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).try_init()
    };
    // Already initialised (tests start several servers in one process): keep the first.
    let _ = result;
}
