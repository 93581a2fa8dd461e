//! `redoubt-agent --self-test`: proves the path sensor → engine → server → alert → trace works.
//! The engine runs on netdetect's synthetic scan ([`netdetect::selftest`]) and its detections are
//! uploaded with `self_test: true`, which the server stores resolved and keeps out of analytics.

use std::time::{SystemTime, UNIX_EPOCH};

use netdetect::selftest::synthetic_detections;
use serde_json::json;

use crate::client::Client;
use crate::settings::{hostname, Settings};
use crate::spool::upload_id;

pub async fn run(settings: &Settings) -> anyhow::Result<u8> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64();
    let detections = synthetic_detections(now - 2.0);
    anyhow::ensure!(
        !detections.is_empty(),
        "the engine raised nothing on the synthetic scan"
    );
    let agent_id = settings.agent_id();
    let batch: Vec<_> = detections
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).expect("detections serialise");
            v["upload_id"] = json!(format!("selftest-{}", upload_id(&agent_id, d)));
            v
        })
        .collect();
    let mut client = Client::new(
        &settings.server,
        &settings.license_key,
        &agent_id,
        &hostname(),
    )?;
    let answer = client
        .call(
            reqwest::Method::POST,
            "/agents/detections",
            Some(&json!({"detections": batch, "self_test": true})),
        )
        .await
        .map_err(|e| anyhow::anyhow!("uploading the self-test: {e}"))?;
    println!(
        "{}",
        json!({"self_test": "passed", "rules": detections.iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(),
        "alerts": answer["alerts"]})
    );
    Ok(0)
}
