//! Vision's domain: job kinds and statuses, the features a request may name, stored rows.

use chrono::{DateTime, Utc};
use media::Feature;
use uuid::Uuid;

/// The queue analysis jobs run on.
pub const ANALYSE_QUEUE: &str = "vision.analyse";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Video,
    ImageBatch,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Video => "video",
            JobKind::ImageBatch => "image_batch",
        }
    }

    /// Job ids carry their kind, as the contract's samples do: `video_…`, `image_batch_…`.
    pub fn new_job_id(self) -> String {
        format!("{}_{}", self.as_str(), Uuid::now_v7().simple())
    }

    pub fn of_job_id(id: &str) -> Option<JobKind> {
        if id.starts_with("image_batch_") {
            Some(JobKind::ImageBatch)
        } else if id.starts_with("video_") {
            Some(JobKind::Video)
        } else {
            None
        }
    }
}

pub const QUEUED: &str = "queued";
pub const PROCESSING: &str = "processing";
pub const FINISHED: &str = "finished";
pub const FAILED: &str = "failed";

pub fn is_terminal(status: &str) -> bool {
    status == FINISHED || status == FAILED
}

/// Parses a request's feature list; None means the defaults.
pub fn parse_features(names: Option<&[String]>) -> Result<Vec<Feature>, String> {
    let Some(names) = names else {
        return Ok(Feature::defaults().into_iter().collect());
    };
    let mut features = Vec::new();
    for name in names {
        let feature = Feature::parse(name).ok_or_else(|| {
            let known: Vec<_> = Feature::ALL.iter().map(|f| f.name()).collect();
            format!("unknown feature `{name}`; known: {}", known.join(", "))
        })?;
        if !features.contains(&feature) {
            features.push(feature);
        }
    }
    Ok(features)
}

pub fn feature_names(features: &[Feature]) -> String {
    serde_json::to_string(&features.iter().map(|f| f.name()).collect::<Vec<_>>())
        .unwrap_or_default()
}

pub fn features_of(stored: &str) -> Vec<Feature> {
    serde_json::from_str::<Vec<String>>(stored)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| Feature::parse(n))
        .collect()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub tenant_id: Uuid,
    pub kind: String,
    pub status: String,
    pub progress: f64,
    pub features: String,
    pub max_processing_seconds: Option<i64>,
    pub webhook_url: Option<String>,
    /// Sealed with the master key.
    pub webhook_secret: Option<String>,
    pub queue_job_id: Uuid,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub external_id: Option<String>,
    pub media_key: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// How a job ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: &'static str,
    pub result: Option<serde_json::Value>,
    pub error: Option<(String, String)>,
    /// Seconds of video, or images, processed: the latency unit.
    pub media_units: f64,
    pub processing_ms: i64,
}

/// The document GET returns and the webhook carries.
pub fn job_document(row: &JobRow) -> serde_json::Value {
    let mut doc = serde_json::json!({ "job_id": row.id, "status": row.status });
    let body = doc.as_object_mut().expect("an object");
    if !is_terminal(&row.status) {
        body.insert("progress".into(), serde_json::json!(row.progress));
    }
    if let (Some(code), Some(message)) = (&row.error_code, &row.error_message) {
        body.insert(
            "error".into(),
            serde_json::json!({ "code": code, "message": message }),
        );
    }
    if let Some(result) = row
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
    {
        let key = if row.kind == JobKind::Video.as_str() {
            "result"
        } else {
            "items"
        };
        body.insert(key.into(), result);
    }
    body.insert("created_at".into(), serde_json::json!(row.created_at));
    if let Some(at) = row.finished_at {
        body.insert("finished_at".into(), serde_json::json!(at));
    }
    doc
}
