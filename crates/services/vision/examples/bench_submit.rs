//! Time to the 202 of `POST /v1/images` with a 10 MB batch (2 MP JPEG photographs repeated to
//! 10 MB of images, 13 MB of base64), through the real router and stack on SQLite, measured by
//! an HTTP client in the same process. `bench_submit PHOTOS_DIR RUNS` prints one JSON line; the batches are
//! analysed by the workers meanwhile, as in production.

use std::path::PathBuf;
use std::time::Instant;

use base64::Engine as _;
use platform::secrets::ServerSecrets;
use platform::settings::PlatformSettings;
use platform::store::{Db, PLATFORM};
use platform::{Platform, ServiceName, ServiceState};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let photos = PathBuf::from(&args[1]);
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(20);
    let dir = std::env::temp_dir().join(format!("redoubt-bench-submit-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = Db::connect(&format!("sqlite://{}", dir.join("redoubt.db").display())).await?;
    db.migrate(
        &[&PLATFORM, &vision::MIGRATIONS],
        &[&PLATFORM, &vision::MIGRATIONS],
    )
    .await?;
    let mut settings = PlatformSettings::default();
    settings.vision.media_dir = dir.join("media");
    settings.vision.models_dir = std::env::var("REDOUBT_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| dir.join("none"));
    settings.sandbox.root = dir.join("sandboxes");
    let platform = Platform::new(
        db,
        ServerSecrets::load_or_create(&dir, None, None)?,
        settings,
    )
    .await?;
    let (tenant, _) = platform.accounts().ensure_tenant("bench").await?;
    let key = platform
        .api_keys()
        .create(tenant.id, ServiceName::Vision, "bench", None)
        .await?
        .key;
    let app = vision::router(ServiceState {
        platform: platform.clone(),
        service: ServiceName::Vision,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut images = Vec::new();
    let (mut total, mut n) = (0usize, 0usize);
    let names = ["astronaut", "chelsea", "coffee", "camera", "page"];
    while total < 10_000_000 {
        let name = names[n % names.len()];
        let bytes = std::fs::read(photos.join(format!("{name}.jpg")))?;
        total += bytes.len();
        n += 1;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        images
            .push(serde_json::json!({ "external_id": format!("{name}-{n}"), "data_base64": data }));
    }
    let body = serde_json::to_vec(&serde_json::json!({ "images": images, "features": ["faces"] }))?;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/v1/images");
    let mut times = Vec::new();
    for _ in 0..runs + 2 {
        let t = Instant::now();
        let r = client
            .post(&url)
            .header("x-api-key", &key)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await?;
        anyhow::ensure!(r.status() == 202, "status {}", r.status());
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut times = times.split_off(2);
    times.sort_by(f64::total_cmp);
    let pick = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    platform.shutdown().cancel();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{}",
        serde_json::json!({ "body_bytes": body.len(), "image_bytes": total, "images": n, "runs": runs, "p50_ms": pick(0.5), "p99_ms": pick(0.99) })
    );
    Ok(())
}
