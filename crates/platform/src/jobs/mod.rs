//! The durable job queue: jobs live in the database, so whatever was enqueued survives a crash.
//!
//! Claiming is exclusive: PostgreSQL uses `FOR UPDATE SKIP LOCKED`, SQLite a `BEGIN IMMEDIATE`
//! transaction (one writer at a time). Running jobs heartbeat; a job whose heartbeat goes stale
//! (its worker died) is requeued. Failures retry with exponential backoff up to `max_attempts`.

mod builtin;
mod runner;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::on_db;
use crate::store::{self, Db};

pub use builtin::VerifyAuditChainJob;
pub use runner::{JobError, JobHandler, JobRunner};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Job {
    pub id: Uuid,
    pub queue: String,
    pub tenant_id: Option<Uuid>,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub max_run_seconds: Option<i64>,
    pub run_at: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub cancel_requested: bool,
    pub last_error: Option<String>,
    pub result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Job {
    pub fn payload_json(&self) -> Value {
        serde_json::from_str(&self.payload).unwrap_or(Value::Null)
    }
    pub fn result_json(&self) -> Option<Value> {
        self.result
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
    }
}

macro_rules! job_columns {
    () => {
        "id, queue, tenant_id, payload, status, attempts, max_attempts, max_run_seconds, run_at, locked_by, \
         heartbeat_at, cancel_requested, last_error, result, created_at, updated_at, finished_at"
    };
}

/// How a job is to be run.
#[derive(Debug, Clone)]
pub struct EnqueueOptions {
    pub tenant_id: Option<Uuid>,
    /// Not before this time (default: now).
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    /// Longest one attempt may run; None: unlimited.
    pub max_run_seconds: Option<i64>,
}

impl Default for EnqueueOptions {
    fn default() -> Self {
        EnqueueOptions {
            tenant_id: None,
            run_at: None,
            max_attempts: 5,
            max_run_seconds: Some(3600),
        }
    }
}

/// What asking to cancel a job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelOutcome {
    /// It was waiting and will never run.
    Cancelled,
    /// It is running; its worker will stop it at the next heartbeat.
    Requested,
    /// It had already finished.
    AlreadyFinished,
    NotFound,
}

/// Delay before retry number `attempt` (1-based): 2 s doubling, capped at 10 minutes.
pub fn backoff(attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 20) as u32 - 1;
    Duration::from_secs((2u64 << exp.min(9)).min(600))
}

#[derive(Clone)]
pub struct Jobs {
    db: Db,
    wake: Arc<Notify>,
}

impl Jobs {
    pub fn new(db: Db) -> Jobs {
        Jobs {
            db,
            wake: Arc::new(Notify::new()),
        }
    }

    pub(crate) fn wake_signal(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Stores a job; it is durable when this returns.
    pub async fn enqueue(
        &self,
        queue: &str,
        payload: &Value,
        opts: EnqueueOptions,
    ) -> anyhow::Result<Uuid> {
        let id = Uuid::now_v7();
        self.enqueue_with_id(id, queue, payload, opts).await?;
        Ok(id)
    }

    /// Stores a job under a caller-chosen id, once: a second call with the same id changes
    /// nothing and returns false (so a step retried after a crash does not queue twice).
    pub async fn enqueue_with_id(
        &self,
        id: Uuid,
        queue: &str,
        payload: &Value,
        opts: EnqueueOptions,
    ) -> anyhow::Result<bool> {
        let now = store::now();
        let sql = "INSERT INTO jobs (id, queue, tenant_id, payload, status, attempts, max_attempts, max_run_seconds, \
                   run_at, cancel_requested, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7, FALSE, $8, $8) ON CONFLICT (id) DO NOTHING";
        let inserted = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(queue)
            .bind(opts.tenant_id)
            .bind(payload.to_string())
            .bind(opts.max_attempts.max(1))
            .bind(opts.max_run_seconds)
            .bind(opts.run_at.unwrap_or(now))
            .bind(now)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        self.wake.notify_waiters();
        Ok(inserted == 1)
    }

    pub async fn get(&self, id: Uuid) -> anyhow::Result<Option<Job>> {
        let sql = concat!("SELECT ", job_columns!(), " FROM jobs WHERE id = $1");
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Job>(sql)
            .bind(id)
            .fetch_optional(p)
            .await)?)
    }

    /// Claims the oldest due job of one of `queues` for `worker`, exclusively.
    pub async fn claim(&self, worker: &str, queues: &[&str]) -> anyhow::Result<Option<Job>> {
        let now = store::now();
        match &self.db {
            Db::Sqlite(pool) => {
                let sql = concat!(
                    "UPDATE jobs SET status = 'running', locked_by = $1, heartbeat_at = $2, attempts = attempts + 1, updated_at = $2 \
                     WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND queue = $3 AND run_at <= $2 \
                     ORDER BY run_at, id LIMIT 1) RETURNING ",
                    job_columns!()
                );
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                for queue in queues {
                    let job = sqlx::query_as::<_, Job>(sql)
                        .bind(worker)
                        .bind(now)
                        .bind(*queue)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if job.is_some() {
                        tx.commit().await?;
                        return Ok(job);
                    }
                }
                tx.commit().await?;
                Ok(None)
            }
            Db::Postgres(pool) => {
                let sql = concat!(
                    "UPDATE jobs SET status = 'running', locked_by = $1, heartbeat_at = $2, attempts = attempts + 1, updated_at = $2 \
                     WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND queue = $3 AND run_at <= $2 \
                     ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ",
                    job_columns!()
                );
                for queue in queues {
                    let job = sqlx::query_as::<_, Job>(sql)
                        .bind(worker)
                        .bind(now)
                        .bind(*queue)
                        .fetch_optional(pool)
                        .await?;
                    if job.is_some() {
                        return Ok(job);
                    }
                }
                Ok(None)
            }
        }
    }

    /// Records that `worker` is still running the job. Returns None when the claim was lost
    /// (requeued as stale), else whether cancellation has been requested.
    pub async fn heartbeat(&self, id: Uuid, worker: &str) -> anyhow::Result<Option<bool>> {
        let sql = "UPDATE jobs SET heartbeat_at = $1, updated_at = $1 \
                   WHERE id = $2 AND locked_by = $3 AND status = 'running' RETURNING cancel_requested";
        let row: Option<(bool,)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(store::now())
            .bind(id)
            .bind(worker)
            .fetch_optional(p)
            .await)?;
        Ok(row.map(|(c,)| c))
    }

    /// Marks the job succeeded with `result`, if `worker` still holds it.
    pub async fn complete(&self, id: Uuid, worker: &str, result: &Value) -> anyhow::Result<bool> {
        let sql = "UPDATE jobs SET status = 'succeeded', result = $1, finished_at = $2, updated_at = $2, locked_by = NULL \
                   WHERE id = $3 AND locked_by = $4 AND status = 'running'";
        self.finish(sql, result.to_string(), id, worker).await
    }

    /// Records a failed attempt: requeued with backoff while attempts remain and the error is
    /// retryable, else failed for good.
    pub async fn fail(
        &self,
        job: &Job,
        worker: &str,
        error: &str,
        retryable: bool,
    ) -> anyhow::Result<bool> {
        let now = store::now();
        if retryable && job.attempts < job.max_attempts {
            let run_at = now + chrono::Duration::from_std(backoff(job.attempts))?;
            let sql = "UPDATE jobs SET status = 'queued', last_error = $1, run_at = $2, updated_at = $3, locked_by = NULL \
                       WHERE id = $4 AND locked_by = $5 AND status = 'running'";
            let n = on_db!(&self.db, |p| sqlx::query(sql)
                .bind(error)
                .bind(run_at)
                .bind(now)
                .bind(job.id)
                .bind(worker)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
            return Ok(n == 1);
        }
        let sql = "UPDATE jobs SET status = 'failed', last_error = $1, finished_at = $2, updated_at = $2, locked_by = NULL \
                   WHERE id = $3 AND locked_by = $4 AND status = 'running'";
        self.finish(sql, error.to_string(), job.id, worker).await
    }

    /// Marks a running job cancelled after its worker stopped it.
    pub async fn mark_cancelled(&self, id: Uuid, worker: &str) -> anyhow::Result<bool> {
        let sql = "UPDATE jobs SET status = 'cancelled', last_error = $1, finished_at = $2, updated_at = $2, locked_by = NULL \
                   WHERE id = $3 AND locked_by = $4 AND status = 'running'";
        self.finish(sql, "cancelled".to_string(), id, worker).await
    }

    /// Gives a claimed job back untouched (its worker is shutting down): it runs again at once.
    pub async fn release(&self, id: Uuid, worker: &str) -> anyhow::Result<bool> {
        let sql = "UPDATE jobs SET status = 'queued', attempts = attempts - 1, locked_by = NULL, heartbeat_at = NULL, updated_at = $1 \
                   WHERE id = $2 AND locked_by = $3 AND status = 'running'";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(store::now())
            .bind(id)
            .bind(worker)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn finish(
        &self,
        sql: &'static str,
        text: String,
        id: Uuid,
        worker: &str,
    ) -> anyhow::Result<bool> {
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(text)
            .bind(store::now())
            .bind(id)
            .bind(worker)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Cancels a job: at once if it has not started, at its next heartbeat if it is running.
    pub async fn cancel(&self, id: Uuid) -> anyhow::Result<CancelOutcome> {
        let now = store::now();
        let queued = "UPDATE jobs SET status = 'cancelled', cancel_requested = TRUE, finished_at = $1, updated_at = $1 \
                      WHERE id = $2 AND status = 'queued'";
        let n = on_db!(&self.db, |p| sqlx::query(queued)
            .bind(now)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        if n == 1 {
            return Ok(CancelOutcome::Cancelled);
        }
        let running = "UPDATE jobs SET cancel_requested = TRUE, updated_at = $1 WHERE id = $2 AND status = 'running'";
        let n = on_db!(&self.db, |p| sqlx::query(running)
            .bind(now)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        if n == 1 {
            return Ok(CancelOutcome::Requested);
        }
        Ok(match self.get(id).await? {
            Some(_) => CancelOutcome::AlreadyFinished,
            None => CancelOutcome::NotFound,
        })
    }

    /// Requeues running jobs whose heartbeat is older than `stale_after` (their worker died);
    /// those out of attempts fail instead. Returns how many were requeued.
    pub async fn requeue_stale(&self, stale_after: Duration) -> anyhow::Result<u64> {
        let now = store::now();
        let cutoff = now - chrono::Duration::from_std(stale_after)?;
        let exhausted = "UPDATE jobs SET status = 'failed', last_error = 'worker lost (heartbeat timed out); no attempts left', \
                         finished_at = $1, updated_at = $1, locked_by = NULL \
                         WHERE status = 'running' AND heartbeat_at < $2 AND attempts >= max_attempts";
        let requeue =
            "UPDATE jobs SET status = 'queued', last_error = 'worker lost (heartbeat timed out)', \
                       updated_at = $1, locked_by = NULL, heartbeat_at = NULL \
                       WHERE status = 'running' AND heartbeat_at < $2";
        let n = on_db!(&self.db, |p| {
            sqlx::query(exhausted)
                .bind(now)
                .bind(cutoff)
                .execute(p)
                .await?;
            sqlx::query(requeue)
                .bind(now)
                .bind(cutoff)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })?;
        if n > 0 {
            tracing::warn!(
                requeued = n,
                "requeued jobs whose worker stopped heartbeating"
            );
            self.wake.notify_waiters();
        }
        Ok(n)
    }

    /// Jobs running now on queues whose name starts with `prefix`.
    pub async fn running_count(&self, prefix: &str) -> anyhow::Result<i64> {
        let sql =
            "SELECT COUNT(*) FROM jobs WHERE status = 'running' AND substr(queue, 1, $1) = $2";
        let (n,): (i64,) = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(prefix.len() as i32)
            .bind(prefix)
            .fetch_one(p)
            .await)?;
        Ok(n)
    }

    /// Jobs waiting per queue, for the queue-depth gauge.
    pub async fn queue_depths(&self) -> anyhow::Result<Vec<(String, i64)>> {
        let sql = "SELECT queue, COUNT(*) FROM jobs WHERE status = 'queued' GROUP BY queue";
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, (String, i64)>(
            sql
        )
        .fetch_all(p)
        .await)?)
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_and_caps() {
        let secs: Vec<u64> = (1..=11).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, vec![2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
        assert_eq!(backoff(0), Duration::from_secs(2));
    }
}
