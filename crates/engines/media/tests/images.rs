//! The image pipeline on real models and scikit-image's sample photographs (installed by
//! `redoubt models install --test-media`). Without the models these tests say so and pass,
//! unless REDOUBT_REQUIRE_MODELS=1 (scripts/test sets it), where they fail.

use std::path::PathBuf;

use media::{analyse_image, DecodeLimits, Feature, ImageOptions, ModelSet, Models};

fn models_dir() -> PathBuf {
    std::env::var_os("REDOUBT_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/redoubt/models")
        })
}

fn models() -> Option<ModelSet> {
    let models = Models::open(&models_dir());
    let missing = models.missing();
    if !missing.is_empty() || !models.dir().join("test-media/astronaut.png").is_file() {
        if std::env::var("REDOUBT_REQUIRE_MODELS").as_deref() == Ok("1") {
            panic!("models missing in {}: {missing:?}", models.dir().display());
        }
        eprintln!(
            "skipped: models missing in {} ({missing:?})",
            models.dir().display()
        );
        return None;
    }
    Some(models.load_set())
}

fn photo(name: &str) -> Vec<u8> {
    std::fs::read(models_dir().join("test-media").join(name)).unwrap()
}

fn all_features() -> ImageOptions {
    ImageOptions {
        features: Feature::ALL.into(),
        limits: DecodeLimits::default(),
    }
}

#[test]
fn astronaut_has_one_face_with_attributes() {
    let Some(mut set) = models() else { return };
    let a = analyse_image(&photo("astronaut.png"), &all_features(), &mut set).unwrap();
    let json = serde_json::to_value(&a).unwrap();
    println!(
        "{}",
        serde_json::to_string(&json["faces"][0]["box"]).unwrap()
    );
    let faces = a.faces.as_ref().unwrap();
    assert_eq!(faces.len(), 1, "{faces:?}");
    let face = &faces[0];
    // The face is in the upper middle of the 512×512 photo, around x 180–270, y 60–175.
    let b = face.bounding_box;
    assert!(
        b.left > 0.3 && b.left < 0.4 && b.top > 0.08 && b.top < 0.2,
        "{b:?}"
    );
    assert!(b.width > 0.12 && b.width < 0.25, "{b:?}");
    assert_eq!(face.gender, Some("female"), "{:?}", face.gender_confidence);
    let age = face.age.unwrap();
    assert!((20.0..50.0).contains(&age), "age {age}");
    assert_eq!(face.face_embedding.as_ref().unwrap().len(), 128);
    assert!(face.face_thumbnail.as_ref().unwrap().starts_with("/9j/"));
    assert_eq!(a.media.format, "png");
    assert_eq!((a.media.width, a.media.height), (512, 512));
    assert!(!a.media.gps_present);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert!(a.models["faces"].contains("YuNet"));
}

#[test]
fn cat_coffee_and_page_have_no_face() {
    let Some(mut set) = models() else { return };
    for name in ["chelsea.png", "coffee.png", "page.png"] {
        let a = analyse_image(&photo(name), &all_features(), &mut set).unwrap();
        assert_eq!(a.faces.as_ref().unwrap().len(), 0, "{name}: {:?}", a.faces);
    }
}

#[test]
fn the_same_face_embeds_close_and_another_far() {
    let Some(mut set) = models() else { return };
    let embed = |set: &mut ModelSet, bytes: &[u8]| {
        let a = analyse_image(bytes, &all_features(), set).unwrap();
        a.faces.unwrap()[0].face_embedding.clone().unwrap()
    };
    let original = embed(&mut set, &photo("astronaut.png"));
    // A smaller, re-encoded copy of the same photo.
    let image = image::load_from_memory(&photo("astronaut.png")).unwrap();
    let small = image.resize(300, 300, image::imageops::FilterType::Triangle);
    let mut jpeg = Vec::new();
    small
        .to_rgb8()
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let copy = embed(&mut set, &jpeg);
    let other = embed(&mut set, &photo("camera.png"));
    let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    assert!(
        cos(&original, &copy) > 0.6,
        "same face: {}",
        cos(&original, &copy)
    );
    assert!(
        cos(&original, &other) < 0.36,
        "different faces: {}",
        cos(&original, &other)
    );
}

#[test]
fn page_text_is_read_and_photos_without_text_skip_recognition() {
    let Some(mut set) = models() else { return };
    let a = analyse_image(&photo("page.png"), &all_features(), &mut set).unwrap();
    let ocr = a.ocr.unwrap();
    println!("{}\n{}", ocr.full_text, ocr.language_code);
    assert!(
        ocr.full_text.contains("Region-based segmentation"),
        "{}",
        ocr.full_text
    );
    assert_eq!(ocr.language_code, "en");
    let cat = analyse_image(&photo("chelsea.png"), &all_features(), &mut set).unwrap();
    let ocr = cat.ocr.unwrap();
    assert!(ocr.lines.is_empty(), "{:?}", ocr.lines);
}

#[test]
fn a_missing_model_is_a_per_feature_error() {
    let dir = tempfile_dir();
    let set = Models::open(&dir).load_set();
    let mut set = set;
    let a = analyse_image(&photo_or_png(), &all_features(), &mut set).unwrap();
    assert_eq!(a.errors["faces"].code, "model_unavailable");
    assert_eq!(a.errors["ocr"].code, "model_unavailable");
    assert!(a.faces.is_none() && a.ocr.is_none());
    assert!(a.quality.is_some());
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("media-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn photo_or_png() -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::from_pixel(64, 48, image::Rgb([90, 120, 200]))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}
