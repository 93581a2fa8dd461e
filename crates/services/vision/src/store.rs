//! `VisionStore`: the only code that reads or writes vision's tables (vision_jobs, vision_items).
//! Column lists follow the house idiom (a `macro_rules!` literal joined with `concat!`).
//! Terminal transitions are conditional, so a job finishes once however many attempts race.

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform::on_db;
use platform::store::{self, Db};
use uuid::Uuid;

use crate::model::{ItemRow, JobRow, Outcome, FINISHED, PROCESSING, QUEUED};

/// When a job started and (if it has) ended.
pub type BusySpan = (DateTime<Utc>, Option<DateTime<Utc>>);

#[derive(Clone)]
pub struct VisionStore {
    db: Db,
}

macro_rules! job_columns {
    () => {
        "id, tenant_id, kind, status, progress, features, max_processing_seconds, webhook_url, webhook_secret, \
         queue_job_id, error_code, error_message, result, created_at, finished_at"
    };
}

/// A job as submitted.
pub struct NewJob {
    pub id: String,
    pub tenant_id: Uuid,
    pub kind: &'static str,
    pub features: String,
    pub media_bytes: i64,
    pub max_processing_seconds: Option<i64>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub queue_job_id: Uuid,
}

pub struct NewItem {
    pub external_id: Option<String>,
    pub media_key: Option<String>,
    pub error: Option<(String, String)>,
}

impl VisionStore {
    pub fn new(db: Db) -> VisionStore {
        VisionStore { db }
    }

    /// The job and its items, in one transaction.
    pub async fn create_job(&self, job: &NewJob, items: &[NewItem]) -> anyhow::Result<()> {
        let now = store::now();
        let insert_job = "INSERT INTO vision_jobs (id, tenant_id, kind, status, progress, features, item_count, media_bytes, \
                          max_processing_seconds, webhook_url, webhook_secret, queue_job_id, created_at) \
                          VALUES ($1, $2, $3, 'queued', 0, $4, $5, $6, $7, $8, $9, $10, $11)";
        let insert_item = "INSERT INTO vision_items (job_id, position, external_id, media_key, error_code, error_message) \
                           VALUES ($1, $2, $3, $4, $5, $6)";
        on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(insert_job)
                .bind(&job.id)
                .bind(job.tenant_id)
                .bind(job.kind)
                .bind(&job.features)
                .bind(items.len() as i64)
                .bind(job.media_bytes)
                .bind(job.max_processing_seconds)
                .bind(&job.webhook_url)
                .bind(&job.webhook_secret)
                .bind(job.queue_job_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            for (position, item) in items.iter().enumerate() {
                let (code, message) = item.error.clone().unzip();
                sqlx::query(insert_item)
                    .bind(&job.id)
                    .bind(position as i64)
                    .bind(&item.external_id)
                    .bind(&item.media_key)
                    .bind(code)
                    .bind(message)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })
        .context("storing a vision job")
    }

    /// A tenant's job; another tenant's is None.
    pub async fn job(&self, tenant_id: Uuid, id: &str) -> anyhow::Result<Option<JobRow>> {
        let sql = concat!(
            "SELECT ",
            job_columns!(),
            " FROM vision_jobs WHERE id = $1 AND tenant_id = $2"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading a vision job")
    }

    /// Any tenant's job, for its worker.
    pub async fn job_for_worker(&self, id: &str) -> anyhow::Result<Option<JobRow>> {
        let sql = concat!("SELECT ", job_columns!(), " FROM vision_jobs WHERE id = $1");
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)
        .context("reading a vision job")
    }

    pub async fn items(&self, job_id: &str) -> anyhow::Result<Vec<ItemRow>> {
        let sql = "SELECT external_id, media_key, error_code, error_message FROM vision_items \
                   WHERE job_id = $1 ORDER BY position";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(job_id)
            .fetch_all(p)
            .await)
        .context("reading a job's items")
    }

    /// Marks a job processing from now (a retried attempt starts its clock again).
    pub async fn start(&self, id: &str) -> anyhow::Result<bool> {
        let sql = "UPDATE vision_jobs SET status = 'processing', progress = 0, started_at = $2 \
                   WHERE id = $1 AND status IN ('queued', 'processing')";
        let now = store::now();
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(now)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("starting a vision job")?;
        Ok(n == 1)
    }

    pub async fn set_progress(&self, id: &str, progress: f64) -> anyhow::Result<()> {
        let sql = "UPDATE vision_jobs SET progress = $2 WHERE id = $1 AND status = 'processing'";
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(progress.clamp(0.0, 1.0))
            .execute(p)
            .await
            .map(|_| ()))
        .context("recording progress")?;
        Ok(())
    }

    /// Records the end of a job unless it already ended; returns whether this call ended it.
    pub async fn finish(&self, id: &str, outcome: &Outcome) -> anyhow::Result<bool> {
        let sql = "UPDATE vision_jobs SET status = $2, progress = $3, result = $4, error_code = $5, error_message = $6, \
                   media_units = $7, processing_ms = $8, finished_at = $9 \
                   WHERE id = $1 AND status IN ('queued', 'processing')";
        let (code, message) = outcome.error.clone().unzip();
        let progress = if outcome.status == FINISHED { 1.0 } else { 0.0 };
        let result = outcome.result.as_ref().map(|r| r.to_string());
        let now = store::now();
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(outcome.status)
            .bind(progress)
            .bind(&result)
            .bind(&code)
            .bind(&message)
            .bind(outcome.media_units)
            .bind(outcome.processing_ms)
            .bind(now)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("finishing a vision job")?;
        Ok(n == 1)
    }

    /// Milliseconds per unit over the last `window` finished jobs of `kind`; None before any.
    pub async fn latency_ms_per_unit(
        &self,
        kind: &str,
        window: i64,
    ) -> anyhow::Result<Option<f64>> {
        let sql = "SELECT processing_ms, media_units FROM vision_jobs WHERE kind = $1 AND status = 'finished' \
                   AND processing_ms IS NOT NULL AND media_units > 0 ORDER BY finished_at DESC LIMIT $2";
        let rows: Vec<(i64, f64)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(kind)
            .bind(window)
            .fetch_all(p)
            .await)
        .context("reading latencies")?;
        let (ms, units) = rows
            .iter()
            .fold((0.0, 0.0), |(m, u), (pm, pu)| (m + *pm as f64, u + pu));
        Ok((units > 0.0).then(|| ms / units))
    }

    /// (started_at, finished_at) of jobs processing now or that ended after `since`.
    pub async fn busy_spans(&self, since: DateTime<Utc>) -> anyhow::Result<Vec<BusySpan>> {
        let sql = "SELECT started_at, finished_at FROM vision_jobs WHERE started_at IS NOT NULL \
                   AND (status = $1 OR finished_at > $2)";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(PROCESSING)
            .bind(since)
            .fetch_all(p)
            .await)
        .context("reading busy spans")
    }

    /// Jobs not yet ended that were created before `before`: their queue entry may be missing
    /// (the server died between the two writes of a submit) or may have given up (every
    /// attempt killed).
    pub async fn unfinished_before(&self, before: DateTime<Utc>) -> anyhow::Result<Vec<JobRow>> {
        let sql = concat!(
            "SELECT ",
            job_columns!(),
            " FROM vision_jobs WHERE status IN ($1, $2) AND created_at < $3 LIMIT 100"
        );
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(QUEUED)
            .bind(PROCESSING)
            .bind(before)
            .fetch_all(p)
            .await)
        .context("reading unfinished jobs")
    }

    /// Deletes a tenant's job and its items; true if it existed.
    pub async fn delete_job(&self, tenant_id: Uuid, id: &str) -> anyhow::Result<bool> {
        let items = "DELETE FROM vision_items WHERE job_id = (SELECT id FROM vision_jobs WHERE id = $1 AND tenant_id = $2)";
        let job = "DELETE FROM vision_jobs WHERE id = $1 AND tenant_id = $2";
        let n = on_db!(&self.db, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(items)
                .bind(id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query(job)
                .bind(id)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await.map(|_| n)
        })
        .context("deleting a vision job")?;
        Ok(n == 1)
    }
}

/// An allowlist entry as listed (its embedding stays in the store).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AllowlistEntry {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl VisionStore {
    pub async fn add_allowlisted(
        &self,
        tenant_id: Uuid,
        name: &str,
        embedding: &[f32],
    ) -> anyhow::Result<AllowlistEntry> {
        let entry = AllowlistEntry {
            id: format!("face_{}", Uuid::now_v7().simple()),
            name: name.to_string(),
            created_at: store::now(),
        };
        let sql = "INSERT INTO vision_allowlist (id, tenant_id, name, embedding, created_at) VALUES ($1, $2, $3, $4, $5)";
        let embedding = serde_json::to_string(embedding)?;
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(&entry.id)
            .bind(tenant_id)
            .bind(&entry.name)
            .bind(&embedding)
            .bind(entry.created_at)
            .execute(p)
            .await
            .map(|_| ()))
        .context("enrolling a face")?;
        Ok(entry)
    }

    pub async fn allowlist(&self, tenant_id: Uuid) -> anyhow::Result<Vec<AllowlistEntry>> {
        let sql = "SELECT id, name, created_at FROM vision_allowlist WHERE tenant_id = $1 ORDER BY created_at, id";
        on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("reading the allowlist")
    }

    pub async fn allowlist_embeddings(&self, tenant_id: Uuid) -> anyhow::Result<Vec<Vec<f32>>> {
        let sql = "SELECT embedding FROM vision_allowlist WHERE tenant_id = $1";
        let rows: Vec<(String,)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_all(p)
            .await)
        .context("reading allowlist embeddings")?;
        Ok(rows
            .into_iter()
            .filter_map(|(e,)| serde_json::from_str(&e).ok())
            .collect())
    }

    pub async fn remove_allowlisted(&self, tenant_id: Uuid, id: &str) -> anyhow::Result<bool> {
        let sql = "DELETE FROM vision_allowlist WHERE id = $1 AND tenant_id = $2";
        let n = on_db!(&self.db, |p| sqlx::query(sql)
            .bind(id)
            .bind(tenant_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .context("removing an allowlisted face")?;
        Ok(n == 1)
    }

    /// The tenant's own switch for face attributes; None until it sets one.
    pub async fn face_attributes_enabled(&self, tenant_id: Uuid) -> anyhow::Result<Option<bool>> {
        let sql = "SELECT face_attributes_enabled FROM vision_settings WHERE tenant_id = $1";
        let row: Option<(bool,)> = on_db!(&self.db, |p| sqlx::query_as(sql)
            .bind(tenant_id)
            .fetch_optional(p)
            .await)
        .context("reading vision settings")?;
        Ok(row.map(|(v,)| v))
    }

    pub async fn set_face_attributes_enabled(
        &self,
        tenant_id: Uuid,
        enabled: bool,
    ) -> anyhow::Result<()> {
        let sql = "INSERT INTO vision_settings (tenant_id, face_attributes_enabled, updated_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (tenant_id) DO UPDATE SET face_attributes_enabled = $2, updated_at = $3";
        let now = store::now();
        on_db!(&self.db, |p| sqlx::query(sql)
            .bind(tenant_id)
            .bind(enabled)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ()))
        .context("writing vision settings")
    }

    /// Records that `node_id` runs `workers` analysis workers (now); forgets nodes gone a day.
    pub async fn node_seen(&self, node_id: Uuid, workers: usize) -> anyhow::Result<()> {
        let sql = "INSERT INTO vision_nodes (node_id, workers, seen_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (node_id) DO UPDATE SET workers = $2, seen_at = $3";
        let forget = "DELETE FROM vision_nodes WHERE seen_at < $1";
        let now = store::now();
        let day_ago = now - chrono::Duration::days(1);
        on_db!(&self.db, |p| {
            sqlx::query(sql)
                .bind(node_id)
                .bind(workers as i64)
                .bind(now)
                .execute(p)
                .await?;
            sqlx::query(forget)
                .bind(day_ago)
                .execute(p)
                .await
                .map(|_| ())
        })
        .context("recording a vision node")
    }

    /// Analysis workers over the nodes seen since `since`.
    pub async fn cluster_workers(&self, since: DateTime<Utc>) -> anyhow::Result<i64> {
        let sum = "SELECT workers FROM vision_nodes WHERE seen_at >= $1";
        let rows: Vec<(i64,)> = on_db!(&self.db, |p| sqlx::query_as(sum)
            .bind(since)
            .fetch_all(p)
            .await)
        .context("reading vision nodes")?;
        Ok(rows.into_iter().map(|(w,)| w).sum())
    }
}
