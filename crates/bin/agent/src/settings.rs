//! The agent's settings: flags, then `REDOUBT_AGENT_*` variables, then a TOML file (`--config`),
//! the first that sets a value wins.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Parser;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Parser, Debug, Serialize)]
#[command(
    name = "redoubt-agent",
    version,
    about = "The netwatch host agent: detects scans, brute force, beaconing, DNS tunnels, exfiltration and more on this host, and reports to a netwatch server.",
    after_help = "EXAMPLES:
  Watch eth0 (needs CAP_NET_RAW) and this host's sshd log:
    redoubt-agent --server https://netwatch.example:8082 --license-key nsx_… \\
      --spool-dir /var/lib/redoubt-agent --interface eth0 --auth-log /var/log/auth.log

  Analyse a capture, upload everything found, then exit (0: all uploaded, 75: some still queued):
    redoubt-agent --server http://127.0.0.1:8082 --license-key nsx_… --spool-dir ./spool --pcap traffic.pcap

  The same settings from a file or the environment:
    redoubt-agent --config /etc/redoubt-agent.toml      (keys: server, license_key, spool_dir, interface, …)
    REDOUBT_AGENT_SERVER=… REDOUBT_AGENT_LICENSE_KEY=… redoubt-agent --interface eth0 --spool-dir /var/lib/redoubt-agent

Grant live capture without root: setcap cap_net_raw+eip $(command -v redoubt-agent)"
)]
pub struct Args {
    /// A TOML file with any of the settings below (snake_case keys).
    #[arg(long)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// The netwatch listener's origin, e.g. http://127.0.0.1:8082.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The licence key (nsx_…) from `redoubt admin create-license`.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_key: Option<String>,
    /// Where detections wait for upload (kept across restarts).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spool_dir: Option<PathBuf>,
    /// Capture live on this interface (AF_PACKET).
    #[arg(long, conflicts_with = "pcap")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Analyse this pcap/pcapng file instead, upload, exit.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pcap: Option<PathBuf>,
    /// An auth log to read failed logins from (sshd in auth.log/secure or journald text).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_log: Option<PathBuf>,
    /// How this agent is known to the server (default: the host name).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// With --pcap: seconds to keep retrying the upload before exiting 75 (default 60).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_timeout_secs: Option<u64>,
    /// Run the detection self-test and exit: a synthetic port scan goes through the engine and
    /// is uploaded as a self-test alert (NIS2 readiness counts one in the last 30 days).
    #[arg(long, conflicts_with_all = ["interface", "pcap"])]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub self_test: bool,
    /// Log level (error, warn, info, debug).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Settings {
    pub server: String,
    pub license_key: String,
    pub spool_dir: PathBuf,
    pub interface: Option<String>,
    pub pcap: Option<PathBuf>,
    pub auth_log: Option<PathBuf>,
    #[serde(default)]
    pub agent_id: Option<String>,
    #[serde(default = "sixty")]
    pub upload_timeout_secs: u64,
    #[serde(default = "info")]
    pub log_level: String,
    #[serde(default)]
    pub self_test: bool,
}

fn sixty() -> u64 {
    60
}

fn info() -> String {
    "info".into()
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

impl Settings {
    pub fn load(args: Args) -> anyhow::Result<Settings> {
        let mut figment = Figment::new();
        if let Some(file) = &args.config {
            if !file.exists() {
                bail!("--config {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        let settings: Settings = figment
            .merge(Env::prefixed("REDOUBT_AGENT_").ignore(&["log"]))
            .merge(Serialized::defaults(&args))
            .extract()
            .context(
                "reading the settings (--server, --license-key and --spool-dir are required)",
            )?;
        if !settings.self_test && settings.interface.is_some() == settings.pcap.is_some() {
            bail!("give exactly one of --interface IF (live) or --pcap FILE");
        }
        Ok(settings)
    }

    pub fn agent_id(&self) -> String {
        self.agent_id.clone().unwrap_or_else(hostname)
    }
}
