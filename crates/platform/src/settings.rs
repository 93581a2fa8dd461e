//! Platform settings, deserialised by the binary from defaults, a TOML file, env and flags.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpSettings {
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Longest a request may take before it is answered 408.
    pub request_timeout_secs: u64,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_grace_secs: u64,
    /// Send `Strict-Transport-Security` (enable when served over TLS in production).
    pub hsts: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 10,
            hsts: false,
        }
    }
}

/// One limit: `requests` per `per_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitOverride {
    pub requests: u32,
    pub per_seconds: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    /// `redis://…`: share budgets between several nodes. Absent: in-memory, per process.
    pub redis_url: Option<String>,
    /// Prefix of the Redis keys: nodes with the same namespace share budgets.
    pub namespace: String,
    /// Per-rule overrides of the contracts' limits, keyed by rule name (e.g. `guard.login`).
    pub overrides: BTreeMap<String, LimitOverride>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            redis_url: None,
            namespace: "redoubt".into(),
            overrides: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct JobSettings {
    /// Concurrent jobs per node.
    pub workers: usize,
    /// How often idle workers look for due jobs when no wake-up arrives.
    pub poll_interval_ms: u64,
    /// How often a running job's heartbeat is written.
    pub heartbeat_secs: u64,
    /// A running job whose heartbeat is older than this is presumed dead and requeued.
    pub stale_after_secs: u64,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            workers: 2,
            poll_interval_ms: 1000,
            heartbeat_secs: 5,
            stale_after_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// Lifetime of issued JWTs (the contracts say 24 h).
    pub jwt_ttl_secs: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            jwt_ttl_secs: 86_400,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Accept http:// and private, loopback or link-local targets (on-premises receivers, tests).
    /// Off by default: the SSRF guard refuses them.
    pub allow_private_targets: bool,
    /// Per-attempt timeout.
    pub timeout_secs: u64,
    /// Attempts per delivery before it is given up (backoff 2 s doubling, capped at 10 min).
    pub max_attempts: i32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_private_targets: false,
            timeout_secs: 10,
            max_attempts: 8,
        }
    }
}

/// Sandboxes (enclave sessions; later testops runs).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxSettings {
    /// Where session tmpfs mounts are made; never visible inside a sandbox.
    pub root: std::path::PathBuf,
    /// Pid 1 of every sandbox (reaps, forwards signals): Debian's `tini`, under /usr.
    pub init: String,
    /// Between the SIGTERM of a timed-out command and its SIGKILL.
    pub kill_grace_ms: u64,
    /// Bytes kept of stdout and of stderr each; more stops the command and flags truncation.
    pub output_cap_bytes: usize,
    /// How often expired sessions are looked for.
    pub reap_interval_ms: u64,
    /// CDPs a free-tier customer may have issued per billing month.
    pub free_cdps_per_month: u32,
    /// Remount the host's cgroup2 hierarchy with `favordynmods` (docs/decisions.md).
    pub favor_dynamic_cgroups: bool,
    /// Sandboxes kept created and armed ahead of sessions, for each tier's limits once that
    /// tier has created a session (0: every session's sandbox is made when it is asked for).
    pub spare_sandboxes: usize,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        SandboxSettings {
            root: "/run/redoubt/sandboxes".into(),
            init: "/usr/bin/tini-static".into(),
            kill_grace_ms: 2000,
            output_cap_bytes: 1 << 20,
            reap_interval_ms: 250,
            free_cdps_per_month: 100,
            favor_dynamic_cgroups: true,
            spare_sandboxes: 2,
        }
    }
}

/// Vision: where models and media live, and the limits on what is accepted.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct VisionSettings {
    /// Set by the binary from `models_dir` (REDOUBT_MODELS_DIR) or `<data_dir>/models`.
    pub models_dir: std::path::PathBuf,
    /// Set by the binary: `<data_dir>/media` unless given. Media waits here until its job ends.
    pub media_dir: std::path::PathBuf,
    /// Largest video body accepted, streamed to disk.
    pub max_video_bytes: u64,
    /// Largest single image (decoded from base64); a larger item fails alone.
    pub max_image_bytes: usize,
    /// Most images in one batch.
    pub max_batch_images: usize,
    /// Largest image batch request body.
    pub max_batch_bytes: usize,
    /// Keep media files this long after their job ends (0: delete at once).
    pub media_retention_secs: u64,
    /// Biometric face attributes (embeddings, age, gender, thumbnails) may be asked for.
    pub face_attributes_enabled: bool,
    /// Analysis workers on this node. None: one per core, up to two. 0: this node only accepts
    /// jobs; nodes sharing its database and media bucket analyse them.
    pub workers: Option<usize>,
}

impl Default for VisionSettings {
    fn default() -> Self {
        VisionSettings {
            models_dir: "./data/models".into(),
            media_dir: "./data/media".into(),
            max_video_bytes: 512 * 1024 * 1024,
            max_image_bytes: 20 * 1024 * 1024,
            max_batch_images: 64,
            max_batch_bytes: 64 * 1024 * 1024,
            media_retention_secs: 0,
            face_attributes_enabled: true,
            workers: None,
        }
    }
}

/// Where services keep files (vision's media): local folders under the data dir unless an
/// S3-compatible bucket is named. Unset fields fall back on the usual `AWS_*` variables.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ObjectStoreSettings {
    /// The bucket; every node of a cluster must name the same one.
    pub s3_bucket: Option<String>,
    /// An S3-compatible server (MinIO, Ceph, moto): `http://host:port`. None: AWS itself.
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    /// Keys go under `<s3_prefix>/<service>/`.
    pub s3_prefix: String,
    /// Allow an `http://` endpoint (a server on a trusted network).
    pub s3_allow_http: bool,
}

/// Stripe Checkout, for paid tiers. Without a secret key, checkout answers "not configured".
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingSettings {
    /// Stripe's API base URL (a local fake in tests).
    pub stripe_api_base: String,
    pub stripe_secret_key: Option<String>,
    /// `whsec_…`: verifies `Stripe-Signature` on the billing webhook.
    pub stripe_webhook_secret: Option<String>,
    /// Stripe Price ids per purchasable tier (enclave: `starter`, `business`; netwatch:
    /// `netwatch_<plan>_<monthly|annual>`).
    pub prices: BTreeMap<String, String>,
    pub success_url: String,
    pub cancel_url: String,
    /// Where Stripe's Customer Portal sends the customer back.
    pub portal_return_url: String,
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings {
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            prices: BTreeMap::new(),
            success_url: "https://localhost/billing/success".into(),
            cancel_url: "https://localhost/billing/cancel".into(),
            portal_return_url: "https://localhost/billing".into(),
        }
    }
}

/// Everything the platform needs to run, beyond the database and the data directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformSettings {
    pub http: HttpSettings,
    pub rate_limit: RateLimitSettings,
    pub jobs: JobSettings,
    pub auth: AuthSettings,
    pub webhooks: WebhookSettings,
    pub sandbox: SandboxSettings,
    pub billing: BillingSettings,
    pub vision: VisionSettings,
    pub object_store: ObjectStoreSettings,
}
