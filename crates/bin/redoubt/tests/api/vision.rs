//! vision over HTTP, as a client of the vendor's document would use it: submit a batch,
//! 202 + Location, poll to `finished`, per-item results on real models, the signed webhook,
//! latency and capacity, tenants kept apart, delete.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use platform::ServiceName;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::receiver::{next, receiver};
use crate::helpers::vision::{
    as_jpeg, b64, item, models_present, photo, spawn_vision, vision_key, vision_only, wait_terminal,
};

fn hmac_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_batch_runs_to_finished_with_faces_text_duplicates_and_a_signed_webhook() {
    if !models_present() {
        return;
    }
    let mut opts = vision_only();
    opts.private_webhooks = true;
    let (app, key) = spawn_vision(opts).await;
    let (url, mut deliveries, _) = receiver(0).await;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    let astronaut = photo("astronaut.png");
    let body = json!({
        "images": [
            { "external_id": "astronaut", "data_base64": b64(&astronaut) },
            { "external_id": "astronaut-copy", "data_base64": b64(&as_jpeg(&astronaut, 256)) },
            { "external_id": "cat", "data_base64": b64(&photo("chelsea.png")) },
            { "external_id": "page", "data_base64": b64(&photo("page.png")) },
            { "external_id": "broken", "data_base64": "@@@ not base64 @@@" },
            { "external_id": "uri", "data_base64": format!("data:image/png;base64,{}", b64(&astronaut[..64])) },
        ],
        "webhook": { "url": url, "secret": "s3cret" },
        "features": ["faces", "face_attributes", "ocr", "quality"],
    });
    let r = vision.post("/v1/images", body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let job_id = r.body["job_id"].as_str().unwrap().to_string();
    assert!(job_id.starts_with("image_batch_"), "{job_id}");
    assert_eq!(r.header("location"), format!("/v1/images/{job_id}"));

    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["job_id"], job_id.as_str());
    let astro = item(&done, "astronaut");
    assert_eq!(astro["status"], "finished");
    let result = &astro["result"];
    assert_eq!(result["media"]["format"], "png");
    assert_eq!(result["media"]["width"], 512);
    assert_eq!(result["media"]["gps_present"], false);
    assert_eq!(result["faces"].as_array().unwrap().len(), 1, "{result}");
    let face = &result["faces"][0];
    assert_eq!(face["gender"], "female");
    assert_eq!(face["face_embedding"].as_array().unwrap().len(), 128);
    let thumbnail = base64::engine::general_purpose::STANDARD
        .decode(face["face_thumbnail"].as_str().unwrap())
        .unwrap();
    assert_eq!(&thumbnail[..3], &[0xFF, 0xD8, 0xFF], "a JPEG thumbnail");
    assert_eq!(result["duplicates"], json!(["astronaut-copy"]));
    assert_eq!(
        item(&done, "astronaut-copy")["result"]["duplicates"],
        json!(["astronaut"])
    );
    assert!(result["models"]["faces"]
        .as_str()
        .unwrap()
        .contains("YuNet"));
    let cat = &item(&done, "cat")["result"];
    assert_eq!(cat["faces"], json!([]));
    assert_eq!(cat["duplicates"], json!([]));
    let page = &item(&done, "page")["result"];
    assert!(
        page["ocr"]["full_text"]
            .as_str()
            .unwrap()
            .contains("Region-based segmentation"),
        "{page}"
    );
    assert_eq!(page["ocr"]["language_code"], "en");
    assert!(page["ocr"]["lines"][0]["box"]["width"].as_f64().unwrap() > 0.0);
    assert_eq!(item(&done, "broken")["status"], "failed");
    assert_eq!(item(&done, "broken")["error"]["code"], "invalid_base64");
    assert_eq!(item(&done, "uri")["error"]["code"], "data_uri_not_accepted");

    // The webhook: the result document, signed over its exact bytes.
    let hook = next(&mut deliveries).await;
    let delivered: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(delivered, done);
    let header = |name: &str| {
        hook.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        header("x-webhook-signature"),
        hmac_hex(b"s3cret", &hook.body)
    );
    let (id, ts) = (header("webhook-id"), header("webhook-timestamp"));
    assert!(!id.is_empty() && ts.parse::<i64>().is_ok());
    let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&hook.body);
    let standard = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(header("webhook-signature"), format!("v1,{standard}"));

    // No media is left once the job has ended.
    let media = app.data_dir.join("media").join(&job_id);
    assert!(!media.exists(), "{} still exists", media.display());

    // Latency is measured from the finished job; capacity is a fraction.
    let latency = vision.get("/v1/status/latency?media_type=image").await;
    assert_eq!(latency.status, 200);
    assert_eq!(latency.body["unit"], "image");
    assert!(
        latency.body["latency_ms_per_unit"].as_f64().unwrap() > 0.0,
        "{}",
        latency.text
    );
    let video = vision.get("/v1/status/latency?media_type=video").await;
    assert_eq!(
        (
            video.body["unit"].as_str(),
            video.body["latency_ms_per_unit"].is_null()
        ),
        (Some("second"), true)
    );
    let capacity = vision.get("/v1/status/capacity").await.body["used_system_capacity"]
        .as_f64()
        .unwrap();
    assert!(capacity > 0.0 && capacity <= 1.0, "{capacity}");
    app.stop().await;
}

#[tokio::test]
async fn without_a_secret_the_webhook_is_unsigned_and_defaults_leave_out_biometrics() {
    if !models_present() {
        return;
    }
    let mut opts = vision_only();
    opts.private_webhooks = true;
    let (app, key) = spawn_vision(opts).await;
    let (url, mut deliveries, _) = receiver(0).await;
    let vision = app.client(ServiceName::Vision).bearer(&key);
    let body = json!({ "images": [{ "external_id": "a", "data_base64": b64(&photo("astronaut.png")) }], "webhook": { "url": url } });
    let r = vision.post("/v1/images", body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let hook = next(&mut deliveries).await;
    assert!(hook.headers.get("x-webhook-signature").is_none());
    assert!(hook.headers.get("webhook-signature").is_none());
    let doc: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(doc["status"], "finished");
    let face = &item(&doc, "a")["result"]["faces"][0];
    assert!(face["box"]["width"].as_f64().unwrap() > 0.0);
    for biometric in ["face_embedding", "age", "gender", "face_thumbnail"] {
        assert!(
            face.get(biometric).is_none(),
            "{biometric} present by default: {face}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn another_tenants_job_is_not_found_and_delete_purges() {
    let (app, key) = spawn_vision(vision_only()).await;
    let other = vision_key(&app, "globex").await;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    let png = crate::helpers::vision::png_bomb(4, 4);
    let r = vision
        .post(
            "/v1/images",
            json!({ "images": [{ "data_base64": b64(&png) }] }),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let path = r.header("location").to_string();
    let theirs = app
        .client(ServiceName::Vision)
        .header("x-api-key", &other)
        .get(&path)
        .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(theirs.body["error"], "not_found");
    let deleted = app
        .client(ServiceName::Vision)
        .header("x-api-key", &other)
        .delete(&path)
        .await;
    assert_eq!(deleted.status, 404);
    assert_eq!(vision.delete(&path).await.status, 204);
    assert_eq!(vision.get(&path).await.status, 404);
    assert_eq!(vision.get("/v1/images/image_batch_nope").await.status, 404);
    assert_eq!(vision.get("/v1/images/video_123").await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn the_allowlist_flags_matching_faces_and_the_tenant_switch_turns_biometrics_off() {
    if !models_present() {
        return;
    }
    let (app, key) = spawn_vision(vision_only()).await;
    let other = vision_key(&app, "globex").await;
    let vision = app.client(ServiceName::Vision).header("x-api-key", &key);
    let astronaut = photo("astronaut.png");
    // Enrol from a different copy of the photo than the one analysed.
    let enrolled = vision
        .post(
            "/v1/allowlist",
            json!({ "name": "Eileen", "data_base64": b64(&as_jpeg(&astronaut, 384)) }),
        )
        .await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.text);
    let id = enrolled.body["id"].as_str().unwrap().to_string();
    assert!(enrolled.body.get("embedding").is_none());
    let listed = vision.get("/v1/allowlist").await;
    assert_eq!(listed.body["allowlist"][0]["name"], "Eileen");
    let no_face = vision
        .post(
            "/v1/allowlist",
            json!({ "name": "mug", "data_base64": b64(&photo("coffee.png")) }),
        )
        .await;
    assert_eq!(
        (no_face.status, no_face.body["error"].as_str()),
        (422, Some("no_face")),
        "{}",
        no_face.text
    );
    let bad = vision
        .post(
            "/v1/allowlist",
            json!({ "name": "x", "data_base64": "%%%" }),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        app.client(ServiceName::Vision)
            .header("x-api-key", &other)
            .get("/v1/allowlist")
            .await
            .body["allowlist"],
        json!([])
    );
    let theirs = app
        .client(ServiceName::Vision)
        .header("x-api-key", &other)
        .delete(&format!("/v1/allowlist/{id}"))
        .await;
    assert_eq!(theirs.status, 404);

    let body = json!({
        "images": [
            { "external_id": "astronaut", "data_base64": b64(&astronaut) },
            { "external_id": "camera", "data_base64": b64(&photo("camera.png")) },
        ],
        "features": ["faces", "face_attributes"],
    });
    let r = vision.post("/v1/images", body.clone()).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let done = wait_terminal(&app, &key, r.header("location")).await.body;
    assert_eq!(
        item(&done, "astronaut")["result"]["faces"][0]["allowlisted"],
        true,
        "{done}"
    );
    assert_eq!(
        item(&done, "camera")["result"]["faces"][0]["allowlisted"],
        false,
        "{done}"
    );

    // Switched off for this tenant: face attributes are refused, enrolment too.
    let off = vision
        .put("/v1/settings", json!({ "face_attributes_enabled": false }))
        .await;
    assert_eq!(
        (off.status, off.body["face_attributes_enabled"].as_bool()),
        (200, Some(false)),
        "{}",
        off.text
    );
    let refused = vision.post("/v1/images", body).await;
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (403, Some("forbidden"))
    );
    let again = vision
        .post(
            "/v1/allowlist",
            json!({ "name": "E", "data_base64": b64(&astronaut) }),
        )
        .await;
    assert_eq!(again.status, 403);
    let theirs = app
        .client(ServiceName::Vision)
        .header("x-api-key", &other)
        .get("/v1/settings")
        .await;
    assert_eq!(theirs.body["face_attributes_enabled"], true);
    assert_eq!(
        vision
            .put("/v1/settings", json!({ "face_attributes_enabled": "no" }))
            .await
            .status,
        400
    );

    assert_eq!(
        vision.delete(&format!("/v1/allowlist/{id}")).await.status,
        204
    );
    assert_eq!(
        vision.delete(&format!("/v1/allowlist/{id}")).await.status,
        404
    );
    app.stop().await;
}
