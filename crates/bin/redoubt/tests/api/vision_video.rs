//! vision's video jobs over HTTP: the raw body streamed in, 202 + Location, polled to
//! `finished` with shots, activity, people across shots, text and sections from a synthetic
//! video whose truth is known; the webhook settings as query parameters; bad videos and time
//! limits answered with clear errors while the server stays healthy.

use hmac::{Hmac, Mac};
use platform::ServiceName;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::receiver::{next, receiver};
use crate::helpers::vision::{
    four_shot_video, models_present, pattern_video, spawn_vision, vision_only, wait_terminal,
};

#[tokio::test]
async fn a_four_shot_video_gives_exact_cuts_one_person_in_two_shots_and_the_slide_text() {
    if !models_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let Some(video) = four_shot_video(tmp.path()) else {
        return;
    };
    let mut opts = vision_only();
    opts.private_webhooks = true;
    let (app, key) = spawn_vision(opts).await;
    let (url, mut deliveries, _) = receiver(0).await;
    // The astronaut is on the allowlist; the cameraman is not.
    let astronaut = crate::helpers::vision::photo("astronaut.png");
    let enrol = json!({ "name": "Eileen", "data_base64": crate::helpers::vision::b64(&astronaut) });
    let enrolled = app
        .client(ServiceName::Vision)
        .header("x-api-key", &key)
        .post("/v1/allowlist", enrol)
        .await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.text);
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("webhook.url", &url)
        .append_pair("webhook.secret", "v1deo")
        .finish();
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    let r = vision
        .send_raw(
            Method::POST,
            &format!("/v1/video?{query}"),
            Some(("video/mp4", video)),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let job_id = r.body["job_id"].as_str().unwrap().to_string();
    assert!(job_id.starts_with("video_"));
    assert_eq!(r.header("location"), format!("/v1/video/{job_id}"));
    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(done["status"], "finished", "{done}");
    let result = &done["result"];
    assert_eq!(result["media"]["codec"], "h264");
    assert_eq!(
        (
            result["media"]["width"].as_u64(),
            result["media"]["height"].as_u64()
        ),
        (Some(640), Some(480))
    );
    assert_eq!(result["media"]["fps"], 25.0);

    // Every cut within one frame (0.04 s), no false cut.
    let scenes = result["raw_scenes"].as_array().unwrap();
    let starts: Vec<f64> = scenes
        .iter()
        .map(|s| s["start_seconds"].as_f64().unwrap())
        .collect();
    assert_eq!(starts.len(), 4, "{scenes:?}");
    for (got, want) in starts.iter().zip([0.0, 2.0, 4.0, 6.0]) {
        assert!(
            (got - want).abs() <= 0.04 + 1e-9,
            "cut at {got}, expected {want}: {starts:?}"
        );
    }
    assert_eq!(
        result["frame_activity_diffs"].as_array().unwrap().len(),
        200
    );

    // The astronaut in shots 1 and 4 is one person; the cameraman in shot 3 another.
    let people = result["person_constellation_scenes"].as_array().unwrap();
    let person_in = |start: f64| -> Vec<String> {
        people
            .iter()
            .filter(|p| (p["time_segment"]["start_seconds"].as_f64().unwrap() - start).abs() < 0.1)
            .flat_map(|p| {
                p["person_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x["person_id"].as_str().unwrap().to_string())
            })
            .collect()
    };
    let (first, third, fourth) = (person_in(0.0), person_in(4.0), person_in(6.0));
    let allowlisted_in = |start: f64| {
        people
            .iter()
            .find(|p| (p["time_segment"]["start_seconds"].as_f64().unwrap() - start).abs() < 0.1)
            .map(|p| p["person_ids"][0]["allowlisted"].clone())
    };
    assert_eq!(allowlisted_in(0.0), Some(json!(true)), "{people:?}");
    assert_eq!(allowlisted_in(4.0), Some(json!(false)), "{people:?}");
    assert_eq!(first.len(), 1, "{people:?}");
    assert_eq!(first, fourth, "the same face in two shots is one person");
    assert_eq!(third.len(), 1, "{people:?}");
    assert_ne!(first, third, "two different faces are two people");
    let someone = &people[0]["person_ids"][0];
    assert_eq!(someone["face_embedding"].as_array().unwrap().len(), 128);
    assert!(someone["face_thumbnail"]
        .as_str()
        .unwrap()
        .starts_with("/9j/"));
    assert_eq!(someone["relative_prominence"], 1.0);

    // The slide's text, read exactly, in the second shot.
    let texts = result["ocr_results"].as_array().unwrap();
    let slide = texts
        .iter()
        .find(|t| (t["time_segment"]["start_seconds"].as_f64().unwrap() - 2.0).abs() < 0.1)
        .unwrap_or_else(|| panic!("no text in shot 2: {texts:?}"));
    assert_eq!(slide["full_text"], "WELCOME TO THE MAIN ENTRANCE");
    assert_eq!(slide["language_code"], "en");
    let tags: Vec<&str> = result["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["section_tag"].as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"text_slide") || tags.contains(&"intro"),
        "{tags:?}"
    );

    let hook = next(&mut deliveries).await;
    let delivered: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(delivered["job_id"], job_id.as_str());
    let mut mac = Hmac::<Sha256>::new_from_slice(b"v1deo").unwrap();
    mac.update(&hook.body);
    assert_eq!(
        hook.headers["x-webhook-signature"].to_str().unwrap(),
        hex::encode(mac.finalize().into_bytes())
    );
    assert!(!app.data_dir.join("media").join(&job_id).exists());
    let latency = vision.get("/v1/status/latency?media_type=video").await.body;
    assert_eq!(latency["unit"], "second");
    assert!(
        latency["latency_ms_per_unit"].as_f64().unwrap() > 0.0,
        "{latency}"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_videos_and_time_limits_get_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, key) = spawn_vision(vision_only()).await;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("application/octet-stream", Vec::new())),
        )
        .await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (400, Some("bad_request")),
        "{}",
        r.text
    );
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("text/plain", b"hello".to_vec())),
        )
        .await;
    assert_eq!(r.status, 415, "{}", r.text);
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("image/png", b"hello".to_vec())),
        )
        .await;
    assert_eq!(r.status, 415);
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/video?features=smell",
            Some(("video/mp4", b"x".to_vec())),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .client(ServiceName::Vision)
        .header("x-api-key", &key)
        .header("webhook-url", "https://127.0.0.1/hook")
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("video/mp4", b"x".to_vec())),
        )
        .await;
    assert_eq!(r.status, 400, "a private webhook target: {}", r.text);
    assert_eq!(vision.get("/v1/video/video_nope").await.status, 404);

    // A text file sent as a video, and a truncated MP4: the job fails with a code, alone.
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("video/mp4", b"just text, no video here".repeat(100))),
        )
        .await;
    assert_eq!(r.status, 202);
    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["error"]["code"], "unsupported_media", "{done}");
    if std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_err()
    {
        app.stop().await;
        return;
    }
    let pattern = pattern_video(tmp.path(), 20);
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/video",
            Some(("video/mp4", pattern[..pattern.len() / 3].to_vec())),
        )
        .await;
    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(
        matches!(
            done["error"]["code"].as_str(),
            Some("unsupported_media" | "corrupt_video")
        ),
        "{done}"
    );

    // Max-Processing-Time: 1 s for 20 s of 720p with faces and text: the decoder is killed.
    let r = app
        .client(ServiceName::Vision)
        .header("x-api-key", &key)
        .header("max-processing-time", "1")
        .send_raw(Method::POST, "/v1/video", Some(("video/mp4", pattern)))
        .await;
    assert_eq!(r.status, 202);
    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(
        done["error"]["code"], "max_processing_time_exceeded",
        "{done}"
    );
    let health = app.client(ServiceName::Vision).get("/v1/health").await;
    assert_eq!(health.status, 200);
    assert_eq!(
        health.body["video_decoders"],
        json!("sandboxed"),
        "{}",
        health.text
    );
    app.stop().await;
}
