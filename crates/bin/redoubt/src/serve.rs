//! `redoubt serve`: opens the platform, starts each service on its own listener and the job
//! workers, and shuts all of it down gracefully.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use platform::jobs::{JobRunner, VerifyAuditChainJob};
use platform::ratelimit::PRUNE_EVERY;
use platform::secrets::ServerSecrets;
use platform::store::Db;
use platform::webhooks::DeliveryJob;
use platform::{Platform, ServiceName, ServiceState};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;

/// Opens (creating if needed) the data directory, the secrets and the database, and migrates.
pub async fn open_platform(config: &Config) -> anyhow::Result<Platform> {
    let secrets = ServerSecrets::load_or_create(
        &config.data_dir,
        config.jwt_secret.as_deref(),
        config.master_key.as_deref(),
    )?;
    let url = config.database_url();
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("opening the database ({})", redact(&url)))?;
    migrate(&db, &config.services()).await?;
    Platform::new(db, secrets, config.platform_settings()).await
}

/// Applies the platform's migrations and those of `services`, each owner in its own range
/// (netwatch 2000–2999, vision 4000–4999 and testops 5000–5999 are reserved for their tables).
pub async fn migrate(db: &Db, services: &[ServiceName]) -> anyhow::Result<()> {
    let owners = |services: &[ServiceName]| {
        let mut sets = vec![&platform::store::PLATFORM];
        sets.extend(services.iter().filter_map(|s| service_migrations(*s)));
        sets
    };
    db.migrate(&owners(services), &owners(&ServiceName::ALL))
        .await
        .context("applying migrations")
}

/// The tables a service owns, when it has any yet.
pub fn service_migrations(service: ServiceName) -> Option<&'static platform::store::Migrations> {
    match service {
        ServiceName::Guard => Some(&guard::MIGRATIONS),
        ServiceName::Enclave => Some(&enclave::MIGRATIONS),
        ServiceName::Vision => Some(&vision::MIGRATIONS),
        ServiceName::Netwatch => Some(&netwatch::MIGRATIONS),
        ServiceName::Testops => Some(&testops::MIGRATIONS),
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or_default();
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

/// The router of one service.
pub fn service_router(service: ServiceName, state: ServiceState) -> Router {
    match service {
        ServiceName::Guard => guard::router(state),
        ServiceName::Netwatch => netwatch::router(state),
        ServiceName::Enclave => enclave::router(state),
        ServiceName::Vision => vision::router(state),
        ServiceName::Testops => testops::router(state),
    }
}

/// A running server: where each service listens, and how to stop it.
pub struct Server {
    pub addrs: BTreeMap<ServiceName, SocketAddr>,
    pub platform: Platform,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
    grace: Duration,
}

/// Starts the configured services and the job workers.
pub async fn start(config: &Config) -> anyhow::Result<Server> {
    let platform = open_platform(config).await?;
    let shutdown = platform.shutdown().clone();
    let grace = Duration::from_secs(config.platform.http.shutdown_grace_secs);
    let mut tasks = JoinSet::new();
    let mut addrs = BTreeMap::new();
    for service in config.services() {
        let addr = SocketAddr::new(config.bind, config.ports.of(service));
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("{service}: binding {addr}"))?;
        let local = listener.local_addr()?;
        addrs.insert(service, local);
        let app = service_router(
            service,
            ServiceState {
                platform: platform.clone(),
                service,
            },
        )
        .into_make_service_with_connect_info::<SocketAddr>();
        let stop = shutdown.clone();
        tasks.spawn(async move {
            tracing::info!(service = service.as_str(), addr = %local, "listening");
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await {
                tracing::error!(service = service.as_str(), error = %e, "server stopped with an error");
            }
        });
    }
    let runner = JobRunner::new(platform.jobs().clone(), config.platform.jobs.clone())
        .register(Arc::new(VerifyAuditChainJob {
            audit: platform.audit().clone(),
        }))
        .register(Arc::new(DeliveryJob::new(
            *platform.master_key(),
            &config.platform.webhooks,
        )?));
    let workers = runner.spawn(shutdown.clone(), grace);
    tasks.spawn(async move {
        let _ = workers.await;
    });
    let (limiter, stop) = (platform.rate_limiter().clone(), shutdown.clone());
    tasks.spawn(async move {
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(PRUNE_EVERY) => limiter.prune(),
            }
        }
    });
    Ok(Server {
        addrs,
        platform,
        shutdown,
        tasks,
        grace,
    })
}

impl Server {
    pub fn addr(&self, service: ServiceName) -> SocketAddr {
        self.addrs[&service]
    }

    /// Stops accepting connections, lets in-flight requests and jobs finish for up to the grace
    /// period, then stops everything.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        // Jobs get `grace` after the signal; servers and the rest a little more to answer.
        let drained = tokio::time::timeout(self.grace + Duration::from_secs(2), async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!("shutdown grace period elapsed; aborting remaining work");
            self.tasks.abort_all();
        }
        self.platform.db().close().await;
        tracing::info!("stopped");
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("installing the SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("installing the SIGINT handler");
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received; shutting down"),
        _ = int.recv() => tracing::info!("SIGINT received; shutting down"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            super::redact("postgres://app:secret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            super::redact("sqlite://./data/redoubt.db"),
            "sqlite://./data/redoubt.db"
        );
    }
}
