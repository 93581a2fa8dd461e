//! Configuration: built-in defaults, then a TOML file (`--config`), then `REDOUBT_*`
//! environment variables (`__` separates sections), then command-line flags.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use platform::settings::PlatformSettings;
use platform::ServiceName;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Ports {
    pub guard: u16,
    pub netwatch: u16,
    pub enclave: u16,
    pub vision: u16,
    pub testops: u16,
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            guard: ServiceName::Guard.default_port(),
            netwatch: ServiceName::Netwatch.default_port(),
            enclave: ServiceName::Enclave.default_port(),
            vision: ServiceName::Vision.default_port(),
            testops: ServiceName::Testops.default_port(),
        }
    }
}

impl Ports {
    pub fn of(&self, service: ServiceName) -> u16 {
        match service {
            ServiceName::Guard => self.guard,
            ServiceName::Netwatch => self.netwatch,
            ServiceName::Enclave => self.enclave,
            ServiceName::Vision => self.vision,
            ServiceName::Testops => self.testops,
        }
    }

    pub fn set(&mut self, service: ServiceName, port: u16) {
        match service {
            ServiceName::Guard => self.guard = port,
            ServiceName::Netwatch => self.netwatch = port,
            ServiceName::Enclave => self.enclave = port,
            ServiceName::Vision => self.vision = port,
            ServiceName::Testops => self.testops = port,
        }
    }
}

/// Accepts `["guard", "enclave"]` (TOML) as well as `guard,enclave` (environment).
fn service_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<ServiceName>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        List(Vec<ServiceName>),
        Text(String),
    }
    match Option::<Form>::deserialize(d)? {
        None => Ok(None),
        Some(Form::List(list)) => Ok(Some(list)),
        Some(Form::Text(text)) => text
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the SQLite database and the generated secrets live (created 0700).
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; absent: `<data_dir>/redoubt.db` (SQLite).
    pub database_url: Option<String>,
    /// Address every service listens on.
    pub bind: IpAddr,
    pub ports: Ports,
    /// Services `serve` starts, as a list or a comma-separated string; absent: all five.
    #[serde(deserialize_with = "service_list")]
    pub services: Option<Vec<ServiceName>>,
    /// `json` (default) or `pretty`.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `redoubt=debug,info`.
    pub log_level: String,
    /// Base64 JWT signing secret shared by a cluster; absent: generated into the data dir.
    pub jwt_secret: Option<String>,
    /// Base64 32-byte master key; absent: generated into the data dir.
    pub master_key: Option<String>,
    /// Vision's models (`redoubt models install` puts them here); absent: `<data_dir>/models`.
    pub models_dir: Option<PathBuf>,
    #[serde(flatten)]
    pub platform: PlatformSettings,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            database_url: None,
            bind: IpAddr::from([127, 0, 0, 1]),
            ports: Ports::default(),
            services: None,
            log_format: "json".into(),
            log_level: "info".into(),
            jwt_secret: None,
            master_key: None,
            models_dir: None,
            platform: PlatformSettings::default(),
        }
    }
}

impl Config {
    /// Layers defaults, the optional TOML file, the environment and the flags (`overrides`,
    /// a partial document whose absent keys change nothing).
    pub fn load(file: Option<&Path>, overrides: serde_json::Value) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                anyhow::bail!("config file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment
            .merge(Env::prefixed("REDOUBT_").split("__"))
            .merge(Serialized::defaults(overrides));
        Ok(figment.extract()?)
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("redoubt.db").display()))
    }

    pub fn models_dir(&self) -> PathBuf {
        self.models_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("models"))
    }

    /// The platform settings with the paths derived from the data directory filled in.
    pub fn platform_settings(&self) -> PlatformSettings {
        let mut settings = self.platform.clone();
        settings.vision.models_dir = self.models_dir();
        if settings.vision.media_dir == PlatformSettings::default().vision.media_dir {
            settings.vision.media_dir = self.data_dir.join("media");
        }
        settings
    }

    pub fn services(&self) -> Vec<ServiceName> {
        self.services
            .clone()
            .unwrap_or_else(|| ServiceName::ALL.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("redoubt.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/redoubt\"\n[ports]\nguard = 9001\n[rate_limit]\nredis_url = \"redis://127.0.0.1:6379\"\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&file),
            serde_json::json!({ "ports": { "guard": 9100 } }),
        )
        .unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/srv/redoubt"));
        assert_eq!(config.ports.guard, 9100);
        assert_eq!(config.ports.enclave, 8083);
        assert_eq!(
            config.platform.rate_limit.redis_url.as_deref(),
            Some("redis://127.0.0.1:6379")
        );
        assert_eq!(config.database_url(), "sqlite:///srv/redoubt/redoubt.db");
        assert_eq!(config.services().len(), 5);
    }

    #[test]
    fn services_come_as_a_list_or_a_comma_separated_string() {
        let config =
            Config::load(None, serde_json::json!({ "services": "guard, enclave" })).unwrap();
        assert_eq!(
            config.services(),
            vec![ServiceName::Guard, ServiceName::Enclave]
        );
        let config = Config::load(None, serde_json::json!({ "services": ["vision"] })).unwrap();
        assert_eq!(config.services(), vec![ServiceName::Vision]);
        assert!(Config::load(None, serde_json::json!({ "services": "guard,bogus" })).is_err());
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        assert!(Config::load(
            Some(Path::new("/nonexistent/redoubt.toml")),
            serde_json::json!({})
        )
        .is_err());
    }
}
