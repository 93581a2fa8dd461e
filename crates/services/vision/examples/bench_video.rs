//! Milliseconds of processing per second of video for vision's default video menu (shots,
//! activity, people, text, sections) through the production path: ffprobe and ffmpeg inside
//! the sandbox engine, models on one thread. `bench_video MODELS_DIR VIDEO RUNS` prints one
//! JSON line (also the decode-only figure: shots and activity without faces or text).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use media::video::{analyse_video, VideoOptions};
use vision::decoder::Decoders;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let models = media::Models::open(&PathBuf::from(&args[1]));
    let video = PathBuf::from(&args[2]);
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(3);
    let root = std::env::temp_dir().join(format!("redoubt-bench-video-{}", std::process::id()));
    let decoders = Decoders::start(&root, "/usr/bin/tini-static");
    let mut set = models.load_set();
    let mut measure = |faces: bool, ocr: bool| {
        let mut per_second = Vec::new();
        let mut scenes = 0;
        for n in 0..runs {
            let runner = decoders.runner(&format!("video_bench{n}"), &video).unwrap();
            let options = VideoOptions {
                faces,
                ocr,
                time_limit: Duration::from_secs(600),
                max_duration_seconds: 3600.0,
            };
            let t = Instant::now();
            let analysis = analyse_video(runner.as_ref(), &options, &mut set).unwrap();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            drop(runner);
            per_second.push(ms / analysis.media.duration_seconds);
            scenes = analysis.raw_scenes.len();
        }
        per_second.sort_by(f64::total_cmp);
        (per_second[per_second.len() / 2], scenes)
    };
    let (full, scenes) = measure(true, true);
    let (decode_only, _) = measure(false, false);
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "{}",
        serde_json::json!({ "mode": decoders.mode(), "ms_per_video_second": full, "decode_and_shots_ms_per_video_second": decode_only, "scenes": scenes })
    );
}
