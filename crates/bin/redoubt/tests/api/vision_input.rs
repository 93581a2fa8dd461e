//! vision's bad input, each answered with a clear error in `{"error","message"}` (or, inside a
//! batch, a failed item) while the server stays healthy: malformed requests, unknown features,
//! SSRF webhook targets, decompression bombs, truncated and polyglot files, time limits.

use platform::ServiceName;
use reqwest::Method;
use serde_json::json;

use crate::helpers::vision::{
    b64, item, models_present, photo, png_bomb, spawn_vision, vision_only, wait_terminal,
};

#[tokio::test]
async fn malformed_requests_are_refused_in_the_envelope() {
    let (app, key) = spawn_vision(vision_only()).await;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    let one = json!({ "images": [{ "data_base64": "iVBORw0KGgo=" }] });
    let cases = [
        (json!({ "images": [] }), None, 400, "non-empty"),
        (json!({}), None, 400, "images"),
        (json!({ "images": "x" }), None, 400, "images"),
        (
            json!({ "images": [{ "external_id": "a" }] }),
            None,
            400,
            "data_base64",
        ),
        (
            json!({ "images": [{ "data_base64": "AAAA" }], "features": ["telepathy"] }),
            None,
            400,
            "telepathy",
        ),
        (
            json!({ "images": [{ "data_base64": "AAAA" }], "webhook": { "url": "http://127.0.0.1:9/hook" } }),
            None,
            400,
            "webhook.url",
        ),
        (
            json!({ "images": [{ "data_base64": "AAAA" }], "webhook": { "url": "https://169.254.169.254/latest" } }),
            None,
            400,
            "webhook.url",
        ),
        (
            json!({ "images": [{ "data_base64": "AAAA" }], "webhook": { "url": "not a url" } }),
            None,
            400,
            "webhook.url",
        ),
        (one.clone(), Some("abc"), 400, "Max-Processing-Time"),
        (one.clone(), Some("-1"), 400, "Max-Processing-Time"),
        (one.clone(), Some("1.5"), 400, "Max-Processing-Time"),
    ];
    for (body, max_time, status, needle) in cases {
        let client = match max_time {
            Some(v) => app
                .client(ServiceName::Vision)
                .header("x-api-key", &key)
                .header("max-processing-time", v),
            None => app.client(ServiceName::Vision).header("x-api-key", &key),
        };
        let r = client.post("/v1/images", body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.text);
        assert_eq!(r.body["error"], "bad_request", "{}", r.text);
        assert!(
            r.body["message"].as_str().unwrap().contains(needle),
            "{needle}: {}",
            r.text
        );
    }
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/images",
            Some(("text/plain", b"{}".to_vec())),
        )
        .await;
    assert_eq!(r.status, 415);
    assert_eq!(r.body["error"], "unsupported_media_type", "{}", r.text);
    let r = vision
        .send_raw(
            Method::POST,
            "/v1/images",
            Some(("application/json", b"{not json".to_vec())),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let anonymous = app
        .client(ServiceName::Vision)
        .post("/v1/images", one.clone())
        .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["error"], "unauthorized");
    let wrong = app
        .client(ServiceName::Vision)
        .header("x-api-key", "vsk_live_nope")
        .post("/v1/images", one)
        .await;
    assert_eq!(wrong.status, 401);
    let latency = vision.get("/v1/status/latency").await;
    assert_eq!(
        (latency.status, latency.body["error"].as_str()),
        (400, Some("bad_request"))
    );
    assert_eq!(
        vision
            .get("/v1/status/latency?media_type=audio")
            .await
            .status,
        400
    );
    // Nothing was stored by any refused request.
    assert!(
        !app.data_dir.join("media").exists()
            || std::fs::read_dir(app.data_dir.join("media"))
                .unwrap()
                .next()
                .is_none()
    );
    app.stop().await;
}

#[tokio::test]
async fn hostile_images_fail_alone_and_the_batch_still_finishes() {
    if !models_present() {
        return;
    }
    let (app, key) = spawn_vision(vision_only()).await;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    let jpeg = crate::helpers::vision::as_jpeg(&photo("astronaut.png"), 512);
    let mut polyglot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    polyglot.extend(b"<script>alert(1)</script>PK\x03\x04 and then a zip");
    let body = json!({ "images": [
        { "external_id": "bomb", "data_base64": b64(&png_bomb(20_000, 20_000)) },
        { "external_id": "truncated", "data_base64": b64(&jpeg[..jpeg.len() / 3]) },
        { "external_id": "polyglot", "data_base64": b64(&polyglot) },
        { "external_id": "text", "data_base64": b64(b"just some text, not an image at all") },
        { "external_id": "fine", "data_base64": b64(&photo("coffee.png")) },
    ]});
    let r = vision.post("/v1/images", body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(
        item(&done, "bomb")["error"]["code"],
        "image_too_large",
        "{done}"
    );
    assert!(item(&done, "bomb")["error"]["message"]
        .as_str()
        .unwrap()
        .contains("20000x20000"));
    let truncated = item(&done, "truncated");
    // A truncated JPEG either fails to decode or decodes what is there; never a crash.
    assert!(
        truncated["status"] == "failed" || truncated["result"]["media"]["width"] == 512,
        "{truncated}"
    );
    assert_eq!(item(&done, "polyglot")["status"], "failed");
    assert_eq!(item(&done, "text")["error"]["code"], "unsupported_format");
    assert_eq!(item(&done, "fine")["status"], "finished");
    let health = app.client(ServiceName::Vision).get("/v1/health").await;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.body["models"]["missing"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn a_batch_over_its_max_processing_time_fails_with_the_documented_code() {
    if !models_present() {
        return;
    }
    let (app, key) = spawn_vision(vision_only()).await;
    let client = app
        .client(ServiceName::Vision)
        .header("x-api-key", &key)
        .header("max-processing-time", "1");
    let astronaut = b64(&photo("astronaut.png"));
    let images: Vec<_> = (0..40)
        .map(|n| json!({ "external_id": n.to_string(), "data_base64": astronaut }))
        .collect();
    let r = client
        .post(
            "/v1/images",
            json!({ "images": images, "features": ["faces", "face_attributes", "ocr"] }),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["error"]["code"], "max_processing_time_exceeded");
    assert!(done.get("items").is_none());
    app.stop().await;
}
