//! The analysis worker: claims `vision.analyse` jobs from the platform queue, runs each item
//! through the media engine on a blocking thread with a pooled model set, honours
//! Max-Processing-Time between items, records the outcome, deletes the media and queues the
//! job's webhook. Also re-queues jobs whose queue entry a crash lost.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use media::{
    analyse_image, duplicate_groups, DecodeLimits, ImageOptions, ModelSet, Models, PerceptualHash,
};
use platform::blobs::BlobStore;
use platform::jobs::{self, EnqueueOptions, Job, JobError, JobHandler, JobRunner};
use platform::Platform;
use serde_json::{json, Value};

use crate::decoder::Decoders;
use crate::model::{
    features_of, is_terminal, job_document, JobKind, JobRow, Outcome, ANALYSE_QUEUE, FAILED,
    FINISHED,
};
use crate::store::VisionStore;
use crate::webhook;

/// Loaded model sets, one per busy worker (an ONNX Runtime session runs one inference at a time).
pub struct ModelPool {
    models: Models,
    idle: Mutex<Vec<ModelSet>>,
}

impl ModelPool {
    pub fn new(models: Models) -> ModelPool {
        ModelPool {
            models,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn models(&self) -> &Models {
        &self.models
    }

    fn take(&self) -> ModelSet {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        idle.unwrap_or_else(|| self.models.load_set())
    }

    fn give(&self, set: ModelSet) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(set);
    }

    /// The embedding of the face in an enrolment photo.
    pub fn enrol(&self, bytes: &[u8]) -> Result<Vec<f32>, media::MediaError> {
        let mut set = self.take();
        let out = media::enrol_face(&mut set, bytes, DecodeLimits::default());
        self.give(set);
        out
    }
}

#[derive(Clone)]
pub struct Analyser {
    pub platform: Platform,
    pub store: VisionStore,
    pub media: BlobStore,
    pub pool: Arc<ModelPool>,
    pub decoders: Arc<Decoders>,
}

/// Starts vision's own workers (so long analyses never hold up other queues' jobs).
/// How often a node records itself (and sweeps): a node unseen for three beats no longer counts.
pub const NODE_HEARTBEAT: Duration = Duration::from_secs(30);

pub fn start(analyser: Analyser, workers: usize) {
    let platform = analyser.platform.clone();
    let mut settings = platform.settings().jobs.clone();
    settings.workers = workers;
    let shutdown = platform.shutdown().clone();
    let grace = Duration::from_secs(platform.settings().http.shutdown_grace_secs);
    // No workers: this node only accepts jobs, and the nodes that analyse take them.
    if workers > 0 {
        let runner =
            JobRunner::new(platform.jobs().clone(), settings).register(Arc::new(analyser.clone()));
        runner.spawn(shutdown.clone(), grace);
    }
    let node_id = uuid::Uuid::new_v4();
    tokio::spawn(async move {
        loop {
            if let Err(e) = analyser.store.node_seen(node_id, workers).await {
                tracing::warn!(error = %e, "recording this vision node failed");
            }
            if let Err(e) = analyser.requeue_lost().await {
                tracing::warn!(error = %e, "re-queueing vision jobs failed");
            }
            if let Err(e) = analyser.sweep_media().await {
                tracing::warn!(error = %e, "sweeping vision media failed");
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(NODE_HEARTBEAT) => {}
            }
        }
    });
}

impl JobHandler for Analyser {
    fn queue(&self) -> &'static str {
        ANALYSE_QUEUE
    }

    fn run(&self, job: Job) -> BoxFuture<'static, Result<Value, JobError>> {
        let analyser = self.clone();
        Box::pin(async move {
            let id = job.payload_json()["job_id"].as_str().map(str::to_string);
            let id = id.ok_or_else(|| JobError::Fatal("payload without job_id".into()))?;
            analyser
                .run_job(&id)
                .await
                .map_err(|e| JobError::Retry(format!("{e:#}")))?;
            Ok(json!({ "job_id": id }))
        })
    }
}

impl Analyser {
    pub fn queue_options(row: &JobRow) -> EnqueueOptions {
        EnqueueOptions {
            tenant_id: Some(row.tenant_id),
            // Each server death during processing costs an attempt (kill -9 drills, deploys).
            max_attempts: 10,
            // The worker enforces Max-Processing-Time itself, between items.
            max_run_seconds: None,
            ..EnqueueOptions::default()
        }
    }

    /// Queues `row` under its queue id, once.
    pub async fn enqueue(&self, row: &JobRow) -> anyhow::Result<()> {
        let payload = json!({ "job_id": row.id });
        self.platform
            .jobs()
            .enqueue_with_id(
                row.queue_job_id,
                ANALYSE_QUEUE,
                &payload,
                Self::queue_options(row),
            )
            .await?;
        Ok(())
    }

    /// Queues again a job whose queue entry is missing, and ends as failed
    /// (`processing_interrupted`) a job whose queue entry gave up: its attempts were all cut
    /// short (heartbeat lost), so its worker never recorded an outcome.
    async fn requeue_lost(&self) -> anyhow::Result<()> {
        let before = chrono::Utc::now() - chrono::Duration::seconds(30);
        for row in self.store.unfinished_before(before).await? {
            match self.platform.jobs().get(row.queue_job_id).await? {
                None => self.enqueue(&row).await?,
                Some(entry) if entry.status == jobs::FAILED || entry.status == jobs::CANCELLED => {
                    let why = entry
                        .last_error
                        .unwrap_or_else(|| "its queue entry ended".into());
                    let message = format!("processing was interrupted on every attempt: {why}");
                    let outcome = failure("processing_interrupted", message, Instant::now());
                    if self.store.finish(&row.id, &outcome).await? {
                        self.media.delete_folder(&row.id).await?;
                        if let Some(row) = self.store.job_for_worker(&row.id).await? {
                            webhook::queue_terminal(&self.platform, &row, job_document(&row))
                                .await?;
                        }
                    }
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Deletes media whose job ended more than `media_retention_secs` ago, was deleted, or
    /// never got stored (a crash between the media write and the job's insert).
    async fn sweep_media(&self) -> anyhow::Result<()> {
        let retention = self.platform.settings().vision.media_retention_secs;
        let cutoff = chrono::Utc::now() - chrono::Duration::seconds(retention as i64);
        let orphan_cutoff = std::time::SystemTime::now() - Duration::from_secs(60);
        for (job_id, modified) in self.media.folders().await? {
            let expired = match self.store.job_for_worker(&job_id).await? {
                Some(row) => {
                    is_terminal(&row.status) && row.finished_at.is_some_and(|at| at <= cutoff)
                }
                None => modified < orphan_cutoff,
            };
            if expired {
                self.media.delete_folder(&job_id).await?;
            }
        }
        Ok(())
    }

    async fn run_job(&self, id: &str) -> anyhow::Result<()> {
        let Some(row) = self.store.job_for_worker(id).await? else {
            return Ok(()); // deleted by its owner
        };
        if !is_terminal(&row.status) {
            self.store.start(id).await?;
            let started = Instant::now();
            let outcome = match JobKind::of_job_id(&row.id) {
                Some(JobKind::ImageBatch) => self.run_images(&row, started).await?,
                Some(JobKind::Video) => self.run_video(&row, started).await?,
                None => failure(
                    "unsupported_media",
                    "this server does not analyse this kind of job".into(),
                    started,
                ),
            };
            self.store.finish(id, &outcome).await?;
        }
        // Whether this attempt or an earlier one ended it: media gone (or left to the sweep for
        // the retention period), webhook queued (once).
        if self.platform.settings().vision.media_retention_secs == 0 {
            self.media.delete_folder(id).await?;
        }
        if let Some(row) = self.store.job_for_worker(id).await? {
            webhook::queue_terminal(&self.platform, &row, job_document(&row)).await?;
        }
        Ok(())
    }

    async fn run_images(&self, row: &JobRow, started: Instant) -> anyhow::Result<Outcome> {
        let items = self.store.items(&row.id).await?;
        let deadline = row
            .max_processing_seconds
            .filter(|s| *s > 0)
            .map(|s| started + Duration::from_secs(s as u64));
        let options = ImageOptions {
            features: features_of(&row.features).into_iter().collect(),
            limits: DecodeLimits::default(),
        };
        let allowlist = self.store.allowlist_embeddings(row.tenant_id).await?;
        let mut results: Vec<Value> = Vec::with_capacity(items.len());
        let mut hashes: Vec<Option<PerceptualHash>> = Vec::with_capacity(items.len());
        let total = items.len().max(1) as f64;
        for (n, item) in items.iter().enumerate() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(exceeded(row, started));
            }
            let external_id = json!(item.external_id);
            let failed = |code: &str, message: &str| json!({ "external_id": external_id, "status": FAILED, "error": { "code": code, "message": message } });
            let (value, hash) = match (&item.error_code, &item.media_key) {
                (Some(code), _) => (
                    failed(code, item.error_message.as_deref().unwrap_or("")),
                    None,
                ),
                (None, Some(key)) => {
                    let bytes = self.media.read(key).await?;
                    let (pool, options, allowlist) =
                        (self.pool.clone(), options.clone(), allowlist.clone());
                    let analysed = tokio::task::spawn_blocking(move || {
                        let mut set = pool.take();
                        let out = analyse_image(&bytes, &options, &mut set);
                        pool.give(set);
                        out.map(|mut a| {
                            a.mark_allowlisted(&allowlist);
                            a
                        })
                    })
                    .await?;
                    match analysed {
                        Ok(analysis) => {
                            let hash = analysis.hash;
                            let result = serde_json::to_value(&analysis)?;
                            (
                                json!({ "external_id": external_id, "status": FINISHED, "result": result }),
                                Some(hash),
                            )
                        }
                        Err(e) => (failed(e.code(), &e.to_string()), None),
                    }
                }
                (None, None) => (
                    failed("missing_media", "the item has no stored media"),
                    None,
                ),
            };
            results.push(value);
            hashes.push(hash);
            self.store
                .set_progress(&row.id, (n + 1) as f64 / total)
                .await?;
        }
        for (i, group) in duplicate_groups(&hashes).into_iter().enumerate() {
            if let Some(result) = results[i].get_mut("result").and_then(Value::as_object_mut) {
                let ids: Vec<Value> = group
                    .iter()
                    .map(|&j| results_external_id(&items, j))
                    .collect();
                result.insert("duplicates".into(), Value::Array(ids));
            }
        }
        Ok(Outcome {
            status: FINISHED,
            result: Some(Value::Array(results)),
            error: None,
            media_units: items.len() as f64,
            processing_ms: started.elapsed().as_millis() as i64,
        })
    }
}

impl Analyser {
    /// The server's setting, unless the tenant switched face attributes off itself.
    pub async fn face_attributes_enabled(&self, tenant_id: uuid::Uuid) -> anyhow::Result<bool> {
        let server = self.platform.settings().vision.face_attributes_enabled;
        Ok(server
            && self
                .store
                .face_attributes_enabled(tenant_id)
                .await?
                .unwrap_or(true))
    }
}

/// Longest a video may run when no Max-Processing-Time is given, and longest video accepted.
const VIDEO_TIME_LIMIT: Duration = Duration::from_secs(3600);
const MAX_VIDEO_SECONDS: f64 = 3.0 * 3600.0;

impl Analyser {
    async fn run_video(&self, row: &JobRow, started: Instant) -> anyhow::Result<Outcome> {
        let items = self.store.items(&row.id).await?;
        let Some(key) = items.first().and_then(|i| i.media_key.clone()) else {
            return Ok(failure(
                "missing_media",
                "the job has no stored video".into(),
                started,
            ));
        };
        let path = self.media.local_file(&key).await?;
        let features = features_of(&row.features);
        let limit = row
            .max_processing_seconds
            .filter(|s| *s > 0)
            .map(|s| Duration::from_secs(s as u64))
            .unwrap_or(VIDEO_TIME_LIMIT);
        let options = media::video::VideoOptions {
            faces: features.contains(&media::Feature::Faces),
            ocr: features.contains(&media::Feature::Ocr),
            time_limit: limit.saturating_sub(started.elapsed()),
            max_duration_seconds: MAX_VIDEO_SECONDS,
        };
        let allowlist = self.store.allowlist_embeddings(row.tenant_id).await?;
        let biometrics = self.face_attributes_enabled(row.tenant_id).await?;
        let (pool, decoders, id) = (self.pool.clone(), self.decoders.clone(), row.id.clone());
        let analysed = tokio::task::spawn_blocking(move || {
            let runner = decoders
                .runner(&id, &path)
                .map_err(|e| (String::from("decoder_unavailable"), e))?;
            let mut set = pool.take();
            let out = media::video::analyse_video(runner.as_ref(), &options, &mut set);
            pool.give(set);
            drop(runner);
            let mut analysis = out.map_err(|e| (e.code().to_string(), e.to_string()))?;
            analysis.mark_allowlisted(&allowlist);
            if !biometrics {
                analysis.strip_biometrics();
            }
            Ok(analysis)
        })
        .await?;
        Ok(match analysed {
            Ok(analysis) => Outcome {
                status: FINISHED,
                media_units: analysis.media.duration_seconds,
                result: Some(serde_json::to_value(&analysis)?),
                error: None,
                processing_ms: started.elapsed().as_millis() as i64,
            },
            Err((code, _)) if code == "max_processing_time_exceeded" => exceeded(row, started),
            Err((code, message)) => failure(&code, message, started),
        })
    }
}

fn failure(code: &str, message: String, started: Instant) -> Outcome {
    Outcome {
        status: FAILED,
        result: None,
        error: Some((code.to_string(), message)),
        media_units: 0.0,
        processing_ms: started.elapsed().as_millis() as i64,
    }
}

fn results_external_id(items: &[crate::model::ItemRow], index: usize) -> Value {
    json!(items[index].external_id)
}

fn exceeded(row: &JobRow, started: Instant) -> Outcome {
    let limit = row.max_processing_seconds.unwrap_or_default();
    Outcome {
        status: FAILED,
        result: None,
        error: Some((
            "max_processing_time_exceeded".into(),
            format!("processing took longer than the Max-Processing-Time of {limit} s and was cancelled"),
        )),
        media_units: 0.0,
        processing_ms: started.elapsed().as_millis() as i64,
    }
}
