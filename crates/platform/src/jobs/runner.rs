//! The worker pool: claims due jobs, runs their handler with a heartbeat, a maximum run time
//! and cancellation, records the outcome, and requeues jobs of workers that died.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Job, Jobs};
use crate::settings::JobSettings;

/// Why an attempt failed.
#[derive(Debug, Clone)]
pub enum JobError {
    /// Worth trying again later (backoff applies).
    Retry(String),
    /// Will never succeed; fail the job now.
    Fatal(String),
}

/// Runs the jobs of one queue.
pub trait JobHandler: Send + Sync + 'static {
    fn queue(&self) -> &'static str;
    fn run(&self, job: Job) -> BoxFuture<'static, Result<Value, JobError>>;
}

pub struct JobRunner {
    jobs: Jobs,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    settings: JobSettings,
    node: String,
}

impl JobRunner {
    pub fn new(jobs: Jobs, settings: JobSettings) -> JobRunner {
        let node = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        JobRunner {
            jobs,
            handlers: HashMap::new(),
            settings,
            node,
        }
    }

    pub fn register(mut self, handler: Arc<dyn JobHandler>) -> JobRunner {
        self.handlers.insert(handler.queue(), handler);
        self
    }

    /// Starts the workers and the stale-job sweeper. They stop claiming when `shutdown` fires;
    /// jobs still running get `grace` to finish and are then released for another run.
    pub fn spawn(
        self,
        shutdown: CancellationToken,
        grace: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let runner = Arc::new(self);
        tokio::spawn(async move {
            let mut tasks = JoinSet::new();
            for n in 0..runner.settings.workers.max(1) {
                let (runner, shutdown) = (runner.clone(), shutdown.clone());
                tasks.spawn(async move { runner.work(n, shutdown, grace).await });
            }
            let (sweeper, stop) = (runner.clone(), shutdown.clone());
            tasks.spawn(async move { sweeper.sweep(stop).await });
            while tasks.join_next().await.is_some() {}
        })
    }

    async fn sweep(&self, shutdown: CancellationToken) {
        let stale_after = Duration::from_secs(self.settings.stale_after_secs);
        let every = (stale_after / 4).max(Duration::from_millis(250));
        loop {
            if let Err(e) = self.jobs.requeue_stale(stale_after).await {
                tracing::warn!(error = %e, "stale-job sweep failed");
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    }

    async fn work(&self, n: usize, shutdown: CancellationToken, grace: Duration) {
        let worker = format!("{}/{}", self.node, n);
        let queues: Vec<&str> = self.handlers.keys().copied().collect();
        let wake = self.jobs.wake_signal();
        let poll = Duration::from_millis(self.settings.poll_interval_ms);
        while !shutdown.is_cancelled() {
            let claimed = match self.jobs.claim(&worker, &queues).await {
                Ok(job) => job,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming a job failed");
                    None
                }
            };
            match claimed {
                Some(job) => self.run_one(&worker, job, &shutdown, grace).await,
                None => {
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = wake.notified() => {}
                        _ = tokio::time::sleep(poll) => {}
                    }
                }
            }
        }
    }

    async fn run_one(&self, worker: &str, job: Job, shutdown: &CancellationToken, grace: Duration) {
        let Some(handler) = self.handlers.get(job.queue.as_str()).cloned() else {
            // Claims only name registered queues, so this means a bug: fail the job rather than
            // leave it "running" for the stale sweep to requeue forever.
            let error = format!("no handler registered for queue `{}`", job.queue);
            if let Err(e) = self.jobs.fail(&job, worker, &error, false).await {
                tracing::error!(job = %job.id, error = %e, "recording a job outcome failed");
            }
            return;
        };
        let (id, queue) = (job.id, job.queue.clone());
        let max_run = job
            .max_run_seconds
            .filter(|s| *s > 0)
            .map(|s| Duration::from_secs(s as u64));
        let cancel = CancellationToken::new();
        let heartbeat = tokio::spawn(heartbeat_loop(
            self.jobs.clone(),
            id,
            worker.to_string(),
            Duration::from_secs(self.settings.heartbeat_secs.max(1)),
            cancel.clone(),
        ));
        let work = handler.run(job.clone());
        let outcome = async {
            match max_run {
                Some(limit) => tokio::time::timeout(limit, work).await.map_err(|_| limit),
                None => Ok(work.await),
            }
        };
        tokio::pin!(outcome);
        let draining = async {
            shutdown.cancelled().await;
            tokio::time::sleep(grace).await;
        };
        let recorded = tokio::select! {
            result = &mut outcome => match result {
                Ok(Ok(value)) => self.jobs.complete(id, worker, &value).await,
                Ok(Err(JobError::Retry(e))) => self.jobs.fail(&job, worker, &e, true).await,
                Ok(Err(JobError::Fatal(e))) => self.jobs.fail(&job, worker, &e, false).await,
                Err(limit) => {
                    let e = format!("exceeded the maximum run time of {} s", limit.as_secs());
                    self.jobs.fail(&job, worker, &e, false).await
                }
            },
            _ = cancel.cancelled() => self.jobs.mark_cancelled(id, worker).await,
            _ = draining => self.jobs.release(id, worker).await,
        };
        heartbeat.abort();
        match recorded {
            Ok(true) => metrics::counter!("jobs_finished_total", "queue" => queue).increment(1),
            Ok(false) => tracing::warn!(job = %id, "job outcome not recorded: the claim was lost"),
            Err(e) => tracing::error!(job = %id, error = %e, "recording a job outcome failed"),
        }
    }
}

/// Beats until aborted; trips `cancel` when cancellation is requested or the claim is lost.
async fn heartbeat_loop(
    jobs: Jobs,
    id: uuid::Uuid,
    worker: String,
    every: Duration,
    cancel: CancellationToken,
) {
    loop {
        tokio::time::sleep(every).await;
        match jobs.heartbeat(id, &worker).await {
            Ok(Some(false)) => {}
            Ok(Some(true)) | Ok(None) => {
                cancel.cancel();
                return;
            }
            Err(e) => tracing::warn!(job = %id, error = %e, "heartbeat failed"),
        }
    }
}
