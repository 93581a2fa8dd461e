//! Video: facts from ffprobe, every frame decoded by ffmpeg into a 64×36 grey stream (shot
//! boundaries, per-frame activity) and one frame a second at 640 px (faces grouped into people,
//! text per shot), then sections from fixed rules. ffmpeg and ffprobe run through a
//! [`Runner`] the caller provides — the vision service confines them in the sandbox engine —
//! so a crafted file can crash only its decoder.

mod persons;
mod probe;
mod sections;
mod shots;

use std::collections::BTreeMap;
use std::time::Duration;

use image::RgbImage;
use serde::Serialize;

use crate::models::{describe, ModelSet, FACE_DETECTOR, OCR_DET, OCR_REC};
use crate::{faces, ocr, MediaError};

pub use persons::Person;
pub use probe::VideoFacts;
pub use sections::Section;
pub use shots::{detect_shots, Scene};

/// Grey frames for shots and activity.
pub const GREY_WIDTH: usize = 64;
pub const GREY_HEIGHT: usize = 36;
/// Sampled frames for faces and text: this long side, at most this many.
pub const SAMPLE_SIDE: u32 = 640;
pub const MAX_SAMPLES: usize = 600;

/// Runs one shell command over the video (at `input/data` in the command's working directory)
/// and returns its stdout, or why it failed.
pub trait Runner {
    fn run(&self, command: &str, timeout: Duration) -> Result<Vec<u8>, RunError>;
}

#[derive(Debug)]
pub enum RunError {
    /// The time allowed ran out; the decoder was killed.
    TimedOut,
    /// The command failed (exit status, stderr excerpt).
    Failed(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct TimeSegment {
    pub start_seconds: f64,
    pub end_seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonScene {
    pub time_segment: TimeSegment,
    pub person_ids: Vec<Person>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TextSegment {
    pub language_code: String,
    pub full_text: String,
    pub time_segment: TimeSegment,
}

#[derive(Debug, Clone, Serialize)]
pub struct VideoAnalysis {
    pub media: VideoFacts,
    pub raw_scenes: Vec<TimeSegment>,
    /// Mean absolute difference from the previous frame (0–1, on the 64×36 grey copy), per frame.
    pub frame_activity_diffs: Vec<f64>,
    pub person_constellation_scenes: Vec<PersonScene>,
    pub ocr_results: Vec<TextSegment>,
    pub sections: Vec<Section>,
    pub models: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<&'static str, crate::pipeline::FeatureError>,
}

#[derive(Debug, Clone)]
pub struct VideoOptions {
    pub faces: bool,
    pub ocr: bool,
    /// Longest the decoders may run in all.
    pub time_limit: Duration,
    pub max_duration_seconds: f64,
}

/// Why a video could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("not a video ffmpeg can read: {0}")]
    NotAVideo(String),
    #[error("the video cannot be decoded: {0}")]
    Corrupt(String),
    #[error("the video is {0:.0} s long, over the limit of {1:.0} s")]
    TooLong(f64, f64),
    #[error("the time allowed ran out")]
    TimedOut,
    #[error(transparent)]
    Media(#[from] MediaError),
}

impl VideoError {
    pub fn code(&self) -> &'static str {
        match self {
            VideoError::NotAVideo(_) => "unsupported_media",
            VideoError::Corrupt(_) => "corrupt_video",
            VideoError::TooLong(..) => "video_too_long",
            VideoError::TimedOut => "max_processing_time_exceeded",
            VideoError::Media(e) => e.code(),
        }
    }
}

fn run(
    runner: &dyn Runner,
    command: &str,
    deadline: std::time::Instant,
) -> Result<Vec<u8>, VideoError> {
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    if left.is_zero() {
        return Err(VideoError::TimedOut);
    }
    runner.run(command, left).map_err(|e| match e {
        RunError::TimedOut => VideoError::TimedOut,
        RunError::Failed(why) => VideoError::Corrupt(why),
    })
}

impl VideoAnalysis {
    /// Marks each person as on `allowlist` or not.
    pub fn mark_allowlisted(&mut self, allowlist: &[Vec<f32>]) {
        for scene in &mut self.person_constellation_scenes {
            for person in &mut scene.person_ids {
                if let Some(embedding) = &person.face_embedding {
                    person.allowlisted = crate::faces::on_allowlist(embedding, allowlist);
                }
            }
        }
    }

    /// Leaves people as ids, prominence and allowlist flags only (face attributes switched off).
    pub fn strip_biometrics(&mut self) {
        for scene in &mut self.person_constellation_scenes {
            for person in &mut scene.person_ids {
                person.age = None;
                person.gender = None;
                person.face_embedding = None;
                person.face_thumbnail = None;
            }
        }
    }
}

pub fn analyse_video(
    runner: &dyn Runner,
    options: &VideoOptions,
    models: &mut ModelSet,
) -> Result<VideoAnalysis, VideoError> {
    let deadline = std::time::Instant::now() + options.time_limit;
    let probed = run(runner, probe::COMMAND, deadline).map_err(|e| match e {
        VideoError::Corrupt(why) => VideoError::NotAVideo(why),
        other => other,
    })?;
    let facts = probe::parse(&probed).map_err(VideoError::NotAVideo)?;
    if facts.duration_seconds > options.max_duration_seconds {
        return Err(VideoError::TooLong(
            facts.duration_seconds,
            options.max_duration_seconds,
        ));
    }
    let (sample_w, sample_h) = probe::sample_size(&facts, SAMPLE_SIDE);
    let sample_fps = (MAX_SAMPLES as f64 / facts.duration_seconds.max(1.0)).min(1.0);
    let grey = run(
        runner,
        &probe::decode_command(sample_w, sample_h, sample_fps),
        deadline,
    )?;
    let frame = GREY_WIDTH * GREY_HEIGHT;
    if grey.len() < frame {
        return Err(VideoError::Corrupt("no frame could be decoded".into()));
    }
    let frames: Vec<&[u8]> = grey.chunks_exact(frame).collect();
    let diffs = shots::activity(&frames);
    let fps = if facts.fps > 0.0 {
        facts.fps
    } else {
        frames.len() as f64 / facts.duration_seconds.max(1e-3)
    };
    let scenes = detect_shots(&diffs, fps);
    let mut analysis = VideoAnalysis {
        raw_scenes: scenes.iter().map(|s| s.segment.clone()).collect(),
        frame_activity_diffs: diffs
            .iter()
            .map(|d| (d * 10_000.0).round() / 10_000.0)
            .collect(),
        person_constellation_scenes: Vec::new(),
        ocr_results: Vec::new(),
        sections: Vec::new(),
        models: BTreeMap::new(),
        errors: BTreeMap::new(),
        media: facts,
    };
    let samples = if options.faces || options.ocr {
        let bytes = run(runner, probe::SAMPLES_COMMAND, deadline)?;
        let size = (sample_w * sample_h * 3) as usize;
        bytes
            .chunks_exact(size.max(1))
            .enumerate()
            .filter_map(|(i, chunk)| {
                RgbImage::from_raw(sample_w, sample_h, chunk.to_vec())
                    .map(|img| (i as f64 / sample_fps, img))
            })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let mut people = persons::People::default();
    if options.faces {
        let mut failed = None;
        for (t, image) in &samples {
            if std::time::Instant::now() >= deadline {
                return Err(VideoError::TimedOut);
            }
            match faces::detect(models, image).and_then(|mut found| {
                faces::add_attributes(models, image, &mut found)?;
                Ok(found)
            }) {
                Ok(found) => people.add(*t, found),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        match failed {
            Some(e) => {
                analysis.errors.insert(
                    "faces",
                    crate::pipeline::FeatureError {
                        code: e.code(),
                        message: e.to_string(),
                    },
                );
            }
            None => {
                analysis.models.insert("faces", describe(FACE_DETECTOR));
                analysis.person_constellation_scenes = people.by_scene(&scenes);
            }
        }
    }
    if options.ocr {
        for scene in &scenes {
            if std::time::Instant::now() >= deadline {
                return Err(VideoError::TimedOut);
            }
            let middle = (scene.segment.start_seconds + scene.segment.end_seconds) / 2.0;
            let Some((_, image)) = samples
                .iter()
                .min_by(|a, b| (a.0 - middle).abs().total_cmp(&(b.0 - middle).abs()))
            else {
                continue;
            };
            match ocr::read_text(models, image) {
                Ok(text) if !text.full_text.is_empty() => analysis.ocr_results.push(TextSegment {
                    language_code: text.language_code,
                    full_text: text.full_text,
                    time_segment: scene.segment.clone(),
                }),
                Ok(_) => {}
                Err(e) => {
                    analysis.errors.insert(
                        "ocr",
                        crate::pipeline::FeatureError {
                            code: e.code(),
                            message: e.to_string(),
                        },
                    );
                    break;
                }
            }
        }
        if !analysis.errors.contains_key("ocr") {
            analysis.models.insert(
                "ocr",
                format!("{}, {}", describe(OCR_DET), describe(OCR_REC)),
            );
        }
    }
    analysis.models.insert(
        "shots",
        "grey 64x36 frame differences, adaptive threshold (ours)".into(),
    );
    analysis.sections = sections::sections(
        &scenes,
        &diffs,
        fps,
        &analysis.person_constellation_scenes,
        &analysis.ocr_results,
    );
    Ok(analysis)
}
