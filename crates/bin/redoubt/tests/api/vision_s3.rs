//! vision's media in an S3-compatible bucket (moto): two nodes on one database, one that only
//! accepts jobs and one that analyses them, so any node's worker takes any node's job. The
//! media is in the bucket (whole, multipart beyond 10 MiB), not on the accepting node's disk,
//! and gone from the bucket and from the analysing node's disk when the job ends.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use platform::ServiceName;
use reqwest::Method;
use serde_json::json;

use crate::helpers::s3::Moto;
use crate::helpers::vision::{
    b64, four_shot_video, item, models_present, photo, spawn_vision, vision_only, wait_terminal,
};
use crate::helpers::{spawn_with, AppOptions};

/// Vision only, its media in `moto`'s bucket, with `workers` analysis workers (None: default).
fn s3_node(moto: &Moto, workers: Option<usize>) -> AppOptions {
    let settings = moto.settings();
    let mut opts = vision_only();
    opts.configure = Some(Arc::new(move |config| {
        config.platform.object_store = settings.clone();
        config.platform.vision.workers = workers;
    }));
    opts
}

/// Every file under `dir`, however deep.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let path = e.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// Waits until nothing is left under `prefix` in the bucket.
async fn wait_bucket_empty(moto: &Moto, prefix: &str) {
    for _ in 0..100 {
        if moto.objects(prefix).await.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("left in the bucket: {:?}", moto.objects(prefix).await);
}

#[tokio::test]
async fn a_job_accepted_by_one_node_is_analysed_by_another_through_the_bucket() {
    if !models_present() {
        return;
    }
    let Some(moto) = Moto::start().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(video) = four_shot_video(tmp.path()) else {
        return;
    };
    // The front node accepts jobs and analyses none.
    let (front, key) = spawn_vision(s3_node(&moto, Some(0))).await;
    let vision = front.client(ServiceName::Vision).header("x-api-key", &key);
    let (astronaut, cat) = (photo("astronaut.png"), photo("chelsea.png"));
    let batch = json!({ "images": [
        { "external_id": "astronaut", "data_base64": b64(&astronaut) },
        { "external_id": "cat", "data_base64": b64(&cat) },
    ]});
    let images = vision.post("/v1/images", batch).await;
    assert_eq!(images.status, 202, "{}", images.text);
    let batch_id = images.body["job_id"].as_str().unwrap().to_string();
    let clip = vision
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("video/mp4", video.clone())),
        )
        .await;
    assert_eq!(clip.status, 202, "{}", clip.text);
    let video_id = clip.body["job_id"].as_str().unwrap().to_string();

    // The 202s mean the media is in the bucket, whole; none of it on the front node's disk.
    let mut stored = moto.objects(&format!("cluster-a/vision/{batch_id}/")).await;
    stored.sort();
    let sizes: Vec<u64> = stored.iter().map(|(_, size)| *size).collect();
    assert_eq!(
        sizes,
        [astronaut.len() as u64, cat.len() as u64],
        "{stored:?}"
    );
    let stored = moto.objects(&format!("cluster-a/vision/{video_id}/")).await;
    assert_eq!(
        stored,
        [(
            format!("cluster-a/vision/{video_id}/video"),
            video.len() as u64
        )]
    );
    assert_eq!(
        files_under(&front.data_dir.join("media")),
        Vec::<std::path::PathBuf>::new()
    );
    let health = front.client(ServiceName::Vision).get("/v1/health").await;
    assert_eq!(
        health.body["media_store"],
        "s3://redoubt-media/cluster-a/vision"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let waiting = vision.get(&format!("/v1/images/{batch_id}")).await;
    assert_eq!(
        waiting.body["status"], "queued",
        "the front node has no workers"
    );

    // A second node on the same database, with its own (empty) data directory, analyses them.
    let mut worker_opts = s3_node(&moto, None);
    worker_opts.reuse = Some((front.database_url.clone(), tmp.path().join("worker-data")));
    let worker = spawn_with(worker_opts).await;
    let done = wait_terminal(&front, &key, &format!("/v1/images/{batch_id}"))
        .await
        .body;
    assert_eq!(done["status"], "finished", "{done}");
    let faces = |id: &str| item(&done, id)["result"]["faces"].as_array().unwrap().len();
    assert_eq!((faces("astronaut"), faces("cat")), (1, 0), "{done}");
    let done = wait_terminal(&front, &key, &format!("/v1/video/{video_id}"))
        .await
        .body;
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(
        done["result"]["raw_scenes"].as_array().unwrap().len(),
        4,
        "{done}"
    );

    // Ended: the media is gone from the bucket and from the worker's local copies (removed just
    // after the job's end is stored, so a poll can see "finished" a moment before).
    wait_bucket_empty(&moto, "cluster-a/vision/").await;
    let media = tmp.path().join("worker-data/media");
    for _ in 0..50 {
        if files_under(&media).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(files_under(&media), Vec::<std::path::PathBuf>::new());
    worker.stop().await;
    front.stop().await;
}

#[tokio::test]
async fn a_large_upload_goes_up_in_parts_whole_and_a_deleted_job_takes_it_away() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    let mut opts = s3_node(&moto, Some(0));
    opts.configure = opts
        .configure
        .map(|configure| -> crate::helpers::Configure {
            Arc::new(move |config| {
                configure(config);
                config.platform.vision.max_video_bytes = 32 * 1024 * 1024;
            })
        });
    let (app, key) = spawn_vision(opts).await;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    // 23 MiB: two full 10 MiB parts and a short last one.
    let body: Vec<u8> = (0..23 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let r = vision
        .send_raw(Method::POST, "/v1/video", Some(("video/mp4", body.clone())))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let job_id = r.body["job_id"].as_str().unwrap().to_string();
    let stored = moto.objects(&format!("cluster-a/vision/{job_id}/")).await;
    assert_eq!(
        stored,
        [(
            format!("cluster-a/vision/{job_id}/video"),
            body.len() as u64
        )]
    );
    // Too large for the limit: refused, and nothing of it kept.
    let too_large = vision
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("video/mp4", vec![7u8; 33 * 1024 * 1024])),
        )
        .await;
    assert_eq!(too_large.status, 413, "{}", too_large.text);
    assert_eq!(moto.objects("cluster-a/vision/").await.len(), 1);
    assert_eq!(
        moto.pending_uploads().await,
        0,
        "the broken-off upload was aborted"
    );

    let deleted = vision.delete(&format!("/v1/video/{job_id}")).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    wait_bucket_empty(&moto, "cluster-a/vision/").await;
    let gone = vision.get(&format!("/v1/video/{job_id}")).await;
    assert_eq!(gone.status, 404, "{}", gone.text);
    app.stop().await;
}
