//! Where the default image menu's time goes, stage by stage, on one 2 MP JPEG (a diagnostic for
//! scripts/bench-vision): `stages MODELS_DIR PHOTO.jpg RUNS`.
use std::time::Instant;

use media::{analyse_image, DecodeLimits, Feature, ImageOptions, Models};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let models = Models::open(std::path::Path::new(&args[1]));
    let bytes = std::fs::read(&args[2]).unwrap();
    let runs: usize = args[3].parse().unwrap();
    let mut set = models.load_set();
    let mut decode = Vec::new();
    let mut shrink = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let image = image::load_from_memory(&bytes).unwrap().into_rgb8();
        decode.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let _small = image::imageops::thumbnail(&image, 640, 480);
        shrink.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    decode.sort_by(f64::total_cmp);
    shrink.sort_by(f64::total_cmp);
    println!(
        "decode p50 {:.1} ms, thumbnail to 640 p50 {:.1} ms",
        decode[runs / 2],
        shrink[runs / 2]
    );
    for features in [
        vec![],
        vec![Feature::Quality],
        vec![Feature::Faces],
        vec![Feature::Ocr],
        vec![Feature::Faces, Feature::FaceAttributes],
    ] {
        let options = ImageOptions {
            features: features.iter().copied().collect(),
            limits: DecodeLimits::default(),
        };
        analyse_image(&bytes, &options, &mut set).unwrap();
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                analyse_image(&bytes, &options, &mut set).unwrap();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{:?}: p50 {:.1} ms", features, times[runs / 2]);
    }
}
