//! Per-image cost of the default menu (metadata, pHash, faces, OCR gated, quality) on 2 MP
//! JPEG photos made from scikit-image's samples, and the extra cost of face attributes per face.
//! Run by scripts/bench-vision: `bench_images MODELS_DIR RUNS OUT_DIR` writes the 2 MP JPEGs
//! it measured into OUT_DIR (for the reference pipeline) and prints one JSON line of results.

use std::path::PathBuf;
use std::time::Instant;

use media::{analyse_image, DecodeLimits, Feature, ImageOptions, Models};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(&args[1]);
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(30);
    let out = PathBuf::from(
        args.get(3)
            .cloned()
            .unwrap_or_else(|| "/tmp/bench-vision".into()),
    );
    std::fs::create_dir_all(&out).unwrap();
    let models = Models::open(&dir);
    assert!(
        models.missing().is_empty(),
        "models missing: {:?}",
        models.missing()
    );
    let mut set = models.load_set();
    let mut photos = Vec::new();
    for name in ["astronaut", "chelsea", "coffee", "camera", "page"] {
        let image = image::open(dir.join("test-media").join(format!("{name}.png"))).unwrap();
        let big = image
            .resize_exact(1632, 1224, image::imageops::FilterType::Triangle)
            .to_rgb8();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&big)
            .unwrap();
        std::fs::write(out.join(format!("{name}.jpg")), &jpeg).unwrap();
        photos.push((name, jpeg));
    }
    let default = ImageOptions {
        features: Feature::defaults(),
        limits: DecodeLimits::default(),
    };
    let mut with_attributes = default.clone();
    with_attributes.features.insert(Feature::FaceAttributes);
    for (_, bytes) in &photos {
        analyse_image(bytes, &default, &mut set).unwrap(); // warm-up
    }
    let mut all = Vec::new();
    let mut per_photo = serde_json::Map::new();
    for (name, bytes) in &photos {
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let a = analyse_image(bytes, &default, &mut set).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(a.errors.is_empty(), "{:?}", a.errors);
        }
        times.sort_by(f64::total_cmp);
        per_photo.insert(name.to_string(), serde_json::json!(percentile(&times, 0.5)));
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    // Face attributes: the astronaut photo has one face.
    let (_, astronaut) = &photos[0];
    let mut plain = Vec::new();
    let mut attributed = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        analyse_image(astronaut, &default, &mut set).unwrap();
        plain.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let a = analyse_image(astronaut, &with_attributes, &mut set).unwrap();
        attributed.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(a.faces.unwrap().len(), 1);
    }
    plain.sort_by(f64::total_cmp);
    attributed.sort_by(f64::total_cmp);
    let result = serde_json::json!({
        "images": all.len(),
        "p50_ms": percentile(&all, 0.5),
        "p99_ms": percentile(&all, 0.99),
        "per_photo_p50_ms": per_photo,
        "face_attributes_extra_ms_per_face": percentile(&attributed, 0.5) - percentile(&plain, 0.5),
    });
    println!("{result}");
}
