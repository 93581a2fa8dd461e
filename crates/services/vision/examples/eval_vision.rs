//! Accuracy of vision's thresholds on the development media and on a held-out set, side by side
//! (scripts/eval-vision prepares both): face detection, pHash near duplicates (8 bits), same
//! person by embedding (cosine 0.45), OCR (exact lines, character error rate, language) and
//! shot cuts (within one frame), through the production paths (`analyse_image`, and
//! `analyse_video` with ffmpeg in the sandbox). `eval_vision MODELS_DIR EVAL_DIR` prints a table.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use image::{DynamicImage, ImageFormat};
use media::video::{analyse_video, VideoOptions};
use media::{
    analyse_image, DecodeLimits, Feature, ImageOptions, ModelSet, DUPLICATE_DISTANCE, SAME_PERSON,
};
use vision::decoder::Decoders;

fn tsv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn options(features: &[Feature]) -> ImageOptions {
    ImageOptions {
        features: features.iter().copied().collect::<BTreeSet<_>>(),
        limits: DecodeLimits::default(),
    }
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .to_rgb8()
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

fn jpeg_quality(image: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    image.to_rgb8().write_with_encoder(encoder).unwrap();
    out
}

/// What a user would still call the same picture: smaller, recompressed, brighter, trimmed,
/// softened.
fn variants(image: &DynamicImage) -> Vec<(&'static str, Vec<u8>)> {
    let (w, h) = (image.width(), image.height());
    vec![
        (
            "half size",
            encode(
                &image.resize(w / 2, h / 2, image::imageops::FilterType::Triangle),
                ImageFormat::Png,
            ),
        ),
        ("JPEG q40", jpeg_quality(image, 40)),
        ("brighter", encode(&image.brighten(25), ImageFormat::Png)),
        (
            "5% trimmed",
            encode(
                &image.crop_imm(w / 40, h / 40, w - w / 20, h - h / 20),
                ImageFormat::Png,
            ),
        ),
        ("blurred", encode(&image.blur(1.0), ImageFormat::Png)),
    ]
}

#[derive(Default)]
struct Scores {
    photos: usize,
    faces_expected: usize,
    faces_found_right: usize,
    face_false_positives: usize,
    dup_pairs: usize,
    dup_found: usize,
    max_dup_distance: u32,
    distinct_pairs: usize,
    distinct_flagged: usize,
    min_distinct_distance: u32,
    same_person: Vec<f32>,
    other_person: Vec<f32>,
    lines: usize,
    lines_exact: usize,
    char_errors: usize,
    chars: usize,
    languages_right: usize,
    cuts_expected: usize,
    cuts_found: usize,
    cuts_reported: usize,
}

fn levenshtein(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Photos: faces against the expected count, near duplicates of each photo's variants, and the
/// embeddings of each one-face photo against its variants (same) and the other people (other).
fn photos(
    dir: &Path,
    models: &mut ModelSet,
    scores: &mut Scores,
    people: &mut Vec<(String, Vec<f32>)>,
) {
    let faces_opts = options(&[Feature::Faces, Feature::FaceAttributes]);
    let mut hashes = Vec::new();
    for row in tsv(&dir.join("faces.tsv")) {
        let (name, expected): (&str, usize) = (&row[0], row[1].parse().unwrap());
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let analysis =
            analyse_image(&bytes, &faces_opts, models).unwrap_or_else(|e| panic!("{name}: {e}"));
        let faces = analysis.faces.clone().unwrap_or_default();
        scores.photos += 1;
        scores.faces_expected += expected;
        scores.faces_found_right += faces.len().min(expected);
        scores.face_false_positives += faces.len().saturating_sub(expected);
        let image = image::load_from_memory(&bytes).unwrap();
        let original = faces.first().and_then(|f| f.face_embedding.clone());
        if faces.len() != expected {
            eprintln!("  {name}: {} faces, expected {expected}", faces.len());
        }
        for (what, variant) in variants(&image) {
            let other = analyse_image(&variant, &faces_opts, models).unwrap();
            let distance = analysis.hash.distance(other.hash);
            scores.dup_pairs += 1;
            scores.dup_found += usize::from(distance <= DUPLICATE_DISTANCE);
            scores.max_dup_distance = scores.max_dup_distance.max(distance);
            if distance > DUPLICATE_DISTANCE {
                eprintln!("  {name} {what}: {distance} bits from the original");
            }
            if let (Some(original), 1, Some(face)) = (
                &original,
                expected,
                other.faces.as_ref().and_then(|f| f.first()),
            ) {
                if let Some(embedding) = &face.face_embedding {
                    scores.same_person.push(dot(original, embedding));
                }
            }
        }
        if let (Some(embedding), 1) = (original, expected) {
            people.push((name.to_string(), embedding));
        }
        hashes.push((name.to_string(), analysis.hash));
    }
    scores.min_distinct_distance = u32::MAX;
    for (i, (a, ha)) in hashes.iter().enumerate() {
        for (b, hb) in &hashes[i + 1..] {
            // A stereo pair is two views of one scene: neither a duplicate nor a distinct photo.
            if a.starts_with("motorcycle_") && b.starts_with("motorcycle_") {
                continue;
            }
            let distance = ha.distance(*hb);
            scores.distinct_pairs += 1;
            scores.distinct_flagged += usize::from(distance <= DUPLICATE_DISTANCE);
            scores.min_distinct_distance = scores.min_distinct_distance.min(distance);
        }
    }
}

fn text(dir: &Path, models: &mut ModelSet, scores: &mut Scores) {
    let ocr = options(&[Feature::Ocr]);
    for row in tsv(&dir.join("lines.tsv")) {
        let (file, language, truth) = (&row[0], &row[1], &row[2]);
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let analysis = analyse_image(&bytes, &ocr, models).unwrap();
        let result = analysis.ocr.expect("OCR ran");
        let read = result.full_text.trim();
        scores.lines += 1;
        scores.lines_exact += usize::from(read == truth);
        scores.char_errors += levenshtein(read, truth);
        scores.chars += truth.chars().count();
        scores.languages_right += usize::from(&result.language_code == language);
        if read != truth || &result.language_code != language {
            eprintln!(
                "  {file}: read {read:?} ({}), truth {truth:?} ({language})",
                result.language_code
            );
        }
    }
}

fn videos(dir: &Path, models: &mut ModelSet, decoders: &Decoders, scores: &mut Scores) {
    for (n, row) in tsv(&dir.join("cuts.tsv")).into_iter().enumerate() {
        let fps: f64 = row[1].parse().unwrap();
        let truth: Vec<f64> = row
            .get(2)
            .map(|c| c.split(',').map(|t| t.parse().unwrap()).collect())
            .unwrap_or_default();
        let runner = decoders
            .runner(&format!("video_eval{n}"), &dir.join(&row[0]))
            .unwrap();
        let options = VideoOptions {
            faces: false,
            ocr: false,
            time_limit: Duration::from_secs(600),
            max_duration_seconds: 3600.0,
        };
        let analysis = analyse_video(runner.as_ref(), &options, models).unwrap();
        let found: Vec<f64> = analysis
            .raw_scenes
            .iter()
            .skip(1)
            .map(|s| s.start_seconds)
            .collect();
        let within = |a: f64, b: f64| (a - b).abs() <= 1.0 / fps + 1e-6;
        scores.cuts_expected += truth.len();
        scores.cuts_reported += found.len();
        scores.cuts_found += truth
            .iter()
            .filter(|t| found.iter().any(|f| within(**t, *f)))
            .count();
        if found.len() != truth.len() || !truth.iter().all(|t| found.iter().any(|f| within(*t, *f)))
        {
            eprintln!("  {}: cuts {found:?}, truth {truth:?}", row[0]);
        }
    }
}

fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        "–".into()
    } else {
        format!("{:.1}% ({n}/{of})", 100.0 * n as f64 / of as f64)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let models = media::Models::open(&PathBuf::from(&args[1]));
    let root = PathBuf::from(&args[2]);
    let mut set = models.load_set();
    let sandboxes = std::env::temp_dir().join(format!("redoubt-eval-{}", std::process::id()));
    let decoders = Decoders::start(&sandboxes, "/usr/bin/tini-static");
    let mut all = Vec::new();
    let mut people_by_set = Vec::new();
    for name in ["dev", "held"] {
        eprintln!("== {name}");
        let mut scores = Scores::default();
        let mut people = Vec::new();
        // EVAL_ONLY=photos|text|video runs one part (while working on it).
        let only = std::env::var("EVAL_ONLY").ok();
        let wanted = |part: &str| only.as_deref().is_none_or(|o| o == part);
        let dir = root.join(name);
        if wanted("photos") {
            photos(&dir.join("photos"), &mut set, &mut scores, &mut people);
        }
        if wanted("text") {
            text(&dir.join("text"), &mut set, &mut scores);
        }
        if wanted("video") {
            videos(&dir.join("video"), &mut set, &decoders, &mut scores);
        }
        people_by_set.push(people);
        all.push(scores);
    }
    // Different people: every pair across both sets (the held-out set has one person alone).
    let everyone: Vec<_> = people_by_set.concat();
    for (i, (_, a)) in everyone.iter().enumerate() {
        for (j, (_, b)) in everyone.iter().enumerate().skip(i + 1) {
            let held = j >= people_by_set[0].len();
            all[usize::from(held)].other_person.push(dot(a, b));
        }
    }
    let _ = std::fs::remove_dir_all(&sandboxes);
    let (dev, held) = (&all[0], &all[1]);
    let row = |what: &str, f: &dyn Fn(&Scores) -> String| {
        println!("| {what} | {} | {} |", f(dev), f(held))
    };
    println!("| measure | development set | held-out set |");
    println!("|---|---|---|");
    row("photos", &|s| s.photos.to_string());
    row("faces found (of expected)", &|s| {
        percent(s.faces_found_right, s.faces_expected)
    });
    row("false faces", &|s| s.face_false_positives.to_string());
    row(
        &format!("variants within {DUPLICATE_DISTANCE} bits (recall)"),
        &|s| percent(s.dup_found, s.dup_pairs),
    );
    row("largest variant distance", &|s| {
        format!("{} bits", s.max_dup_distance)
    });
    row("distinct photos flagged duplicates", &|s| {
        percent(s.distinct_flagged, s.distinct_pairs)
    });
    row("smallest distinct distance", &|s| {
        format!("{} bits", s.min_distinct_distance)
    });
    let range = |v: &[f32]| {
        if v.is_empty() {
            return "–".to_string();
        }
        let (lo, hi) = v
            .iter()
            .fold((f32::MAX, f32::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        format!("{lo:.3} … {hi:.3} (n={})", v.len())
    };
    row(
        &format!("same person cosine (≥ {SAME_PERSON} matches)"),
        &|s| range(&s.same_person),
    );
    row("same person matched", &|s| {
        percent(
            s.same_person.iter().filter(|c| **c >= SAME_PERSON).count(),
            s.same_person.len(),
        )
    });
    row("different people cosine", &|s| range(&s.other_person));
    row("different people matched", &|s| {
        percent(
            s.other_person.iter().filter(|c| **c >= SAME_PERSON).count(),
            s.other_person.len(),
        )
    });
    row("text lines read exactly", &|s| {
        percent(s.lines_exact, s.lines)
    });
    row("character error rate", &|s| {
        format!(
            "{:.2}%",
            100.0 * s.char_errors as f64 / s.chars.max(1) as f64
        )
    });
    row("language identified", &|s| {
        percent(s.languages_right, s.lines)
    });
    row("cuts found within one frame (recall)", &|s| {
        percent(s.cuts_found, s.cuts_expected)
    });
    row("cuts reported that are real (precision)", &|s| {
        percent(s.cuts_found, s.cuts_reported)
    });
}
