//! Vision test helpers: the models directory, a vision-only app with a key, sample media
//! (scikit-image's photographs from `redoubt models install --test-media`, and images made
//! here), base64, and polling a job to its end.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use platform::ServiceName;
use serde_json::Value;

use super::{spawn_with, AppOptions, TestApp, TestResponse};

pub fn models_dir() -> PathBuf {
    std::env::var_os("REDOUBT_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/redoubt/models")
        })
}

/// Whether the models and test photographs are installed; with REDOUBT_REQUIRE_MODELS=1
/// (scripts/test) their absence fails the test instead of skipping it.
pub fn models_present() -> bool {
    let dir = models_dir();
    let present = media::Models::open(&dir).missing().is_empty()
        && dir.join("test-media/astronaut.png").is_file();
    !super::tool_missing(
        present,
        &format!(
            "the models in {} (`redoubt models install --test-media`)",
            dir.display()
        ),
    )
}

pub fn vision_only() -> AppOptions {
    AppOptions::default().services(&[ServiceName::Vision])
}

/// A vision app and an API key of tenant `tenant`.
pub async fn spawn_vision(opts: AppOptions) -> (TestApp, String) {
    let app = spawn_with(opts).await;
    let key = vision_key(&app, "acme").await;
    (app, key)
}

pub async fn vision_key(app: &TestApp, tenant: &str) -> String {
    let (tenant, _) = app
        .user(
            tenant,
            &format!("ops@{tenant}.test"),
            ServiceName::Vision,
            "admin",
        )
        .await;
    app.platform
        .api_keys()
        .create(tenant, ServiceName::Vision, "ci", None)
        .await
        .unwrap()
        .key
}

pub fn photo(name: &str) -> Vec<u8> {
    std::fs::read(models_dir().join("test-media").join(name)).expect("a test photograph")
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `bytes` (an image) re-encoded as JPEG at `side` pixels square.
pub fn as_jpeg(bytes: &[u8], side: u32) -> Vec<u8> {
    let image = image::load_from_memory(bytes).unwrap().resize_exact(
        side,
        side,
        image::imageops::FilterType::Triangle,
    );
    let mut out = Vec::new();
    image
        .to_rgb8()
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    out
}

/// Polls `path` until its status is terminal.
pub async fn wait_terminal(app: &TestApp, key: &str, path: &str) -> TestResponse {
    let client = app.client(ServiceName::Vision).header("x-api-key", key);
    for _ in 0..600 {
        let r = client.get(path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        if matches!(r.body["status"].as_str(), Some("finished" | "failed")) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} did not finish in 60 s");
}

/// The item of `doc` with `external_id`.
pub fn item<'a>(doc: &'a Value, external_id: &str) -> &'a Value {
    doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["external_id"] == external_id)
        .unwrap_or_else(|| panic!("no item {external_id} in {doc}"))
}

/// A PNG whose header claims `width`×`height` but whose data is a few bytes: a decompression
/// bomb as far as a decoder that trusts the header is concerned.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    fn crc(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// An 8 s, 25 fps, 640×480 H.264 video of four 2 s shots made with Debian's ffmpeg from the
/// test photographs: astronaut, a dark slide reading "WELCOME TO THE MAIN ENTRANCE" (DejaVu Sans Bold),
/// the cameraman, the astronaut again. None when ffmpeg or the font is missing.
pub fn four_shot_video(dir: &std::path::Path) -> Option<Vec<u8>> {
    let font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    if !std::path::Path::new(font).is_file()
        || std::process::Command::new("ffmpeg")
            .arg("-version")
            .output()
            .is_err()
    {
        assert_ne!(
            std::env::var("REDOUBT_REQUIRE_MODELS").as_deref(),
            Ok("1"),
            "ffmpeg and fonts-dejavu-core are needed"
        );
        return None;
    }
    let media = models_dir().join("test-media");
    let out = dir.join("four-shots.mp4");
    let graph = format!(
        "[0:v]scale=640:480,setsar=1,fps=25,format=yuv420p,split=2[a1][a2];\
         [1:v]scale=640:480,setsar=1,fps=25,format=yuv420p[b];\
         [2:v]drawtext=fontfile={font}:text='WELCOME TO THE MAIN ENTRANCE':fontsize=32:fontcolor=white:x=(w-tw)/2:y=(h-th)/2,setsar=1,fps=25,format=yuv420p[t];\
         [a1][t][b][a2]concat=n=4:v=1:a=0[v]"
    );
    let status = std::process::Command::new("ffmpeg")
        .args(["-y", "-v", "error", "-loop", "1", "-t", "2", "-i"])
        .arg(media.join("astronaut.png"))
        .args(["-loop", "1", "-t", "2", "-i"])
        .arg(media.join("camera.png"))
        .args([
            "-f",
            "lavfi",
            "-t",
            "2",
            "-i",
            "color=c=0x202020:s=640x480:r=25",
        ])
        .args([
            "-filter_complex",
            &graph,
            "-map",
            "[v]",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "250",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    Some(std::fs::read(out).unwrap())
}

/// A `seconds`-long 1280×720 test pattern (moving), for time limits.
pub fn pattern_video(dir: &std::path::Path, seconds: u32) -> Vec<u8> {
    let out = dir.join("pattern.mp4");
    let source = format!("testsrc2=s=1280x720:r=30:d={seconds}");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            &source,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    std::fs::read(out).unwrap()
}
