//! The agent's two halves: the engine thread (capture or replay → netdetect → spool) and the
//! uploader (auth, heartbeat, config refresh, spool flush), and how a run ends: a replay exits
//! once everything is uploaded; live capture runs until SIGINT/SIGTERM.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use netdetect::{Engine, EngineConfig, Rule, Suppression};
use serde_json::{json, Value};

use crate::client::{CallError, Client, VERSION};
use crate::settings::{hostname, Settings};
use crate::spool::{upload_id, Spool};
use crate::tail::LogTail;

/// After this long without the server, only the core (free-tier) rules run (the contract's FAQ).
const DEGRADED_AFTER_SECS: f64 = 7.0 * 86_400.0;
const BATCH: usize = 200;
/// Exit status of a replay whose detections are still queued (EX_TEMPFAIL).
pub const STILL_QUEUED: u8 = 75;

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// What the uploader hands the engine thread: the configuration to run with next.
#[derive(Default)]
struct Shared {
    config: Option<(EngineConfig, Vec<Suppression>)>,
}

/// The engine's configuration from `/agents/config`, limited to the core rules when degraded.
fn engine_config(
    config: &Value,
    auth_log: bool,
    degraded: bool,
) -> anyhow::Result<(EngineConfig, Vec<Suppression>)> {
    let mut engine: EngineConfig = serde_json::from_value(
        json!({"rules": config["rules"], "whitelist": config["whitelist"]}),
    )?;
    engine.auth_log = auth_log;
    if degraded {
        for rule in Rule::ALL {
            if rule.coverage() != netdetect::rules::Coverage::Core {
                engine.rules.entry(rule).or_default().enabled = false;
            }
        }
    }
    let suppressions = serde_json::from_value(config["suppressions"].clone()).unwrap_or_default();
    Ok((engine, suppressions))
}

fn queue(spool: &Spool, agent_id: &str, d: &netdetect::Detection) {
    let mut v = serde_json::to_value(d).expect("detections serialise");
    v["upload_id"] = json!(upload_id(agent_id, d));
    match spool.push(&v) {
        Ok(()) => {
            tracing::info!(rule = d.rule.as_str(), source = %d.source_ip, score = d.explanation.score, "detection queued")
        }
        Err(e) => tracing::error!(error = %format!("{e:#}"), "could not queue a detection"),
    }
}

/// The engine thread: replay the file, or capture until `stop`.
fn engine_thread(
    settings: &Settings,
    spool: Arc<Spool>,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let agent_id = settings.agent_id();
    let mut engine = Engine::new(EngineConfig {
        auth_log: settings.auth_log.is_some(),
        ..EngineConfig::default()
    });
    let apply = |engine: &mut Engine| {
        if let Some((config, suppressions)) = shared.lock().expect("not poisoned").config.take() {
            engine.reconfigure(config);
            engine.set_suppressions(suppressions);
        }
    };
    apply(&mut engine);
    if let Some(pcap) = &settings.pcap {
        let packets = netdetect::replay::feed_files(
            &mut engine,
            pcap,
            settings.auth_log.as_deref(),
            1.0,
            |_, d, _| {
                if let Some(d) = d {
                    queue(&spool, &agent_id, &d);
                }
            },
        )?;
        tracing::info!(
            packets = packets.len(),
            detections = engine.counters.detections,
            "capture analysed"
        );
        return Ok(());
    }
    let interface = settings
        .interface
        .as_deref()
        .expect("live mode has an interface");
    let mut live = crate::capture::LiveCapture::open(interface)?;
    let mut log = settings.auth_log.clone().map(|p| LogTail::new(p, false));
    tracing::info!(interface, "capturing");
    let mut last_tick = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        live.drain(|p| engine.observe(&p))?;
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            let t = now();
            engine.sweep(t);
            for line in log.as_mut().map(LogTail::read).unwrap_or_default() {
                engine.observe_auth_line(&line, t);
            }
            apply(&mut engine);
        }
        for d in engine.drain() {
            queue(&spool, &agent_id, &d);
        }
    }
    Ok(())
}

/// Uploads queued detections; returns how many are still queued.
async fn flush(client: &mut Client, spool: &Spool) -> Result<usize, CallError> {
    loop {
        let batch = spool
            .batch(BATCH)
            .map_err(|e| CallError::Offline(format!("{e:#}")))?;
        if batch.is_empty() {
            return Ok(0);
        }
        let body = json!({"detections": batch.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()});
        match client
            .call(reqwest::Method::POST, "/agents/detections", Some(&body))
            .await
        {
            Ok(answer) => {
                for alert in answer["alerts"].as_array().into_iter().flatten() {
                    if let Some(id) = alert["upload_id"].as_str() {
                        let _ = spool.remove(id);
                    }
                }
                tracing::info!(
                    accepted = answer["accepted"].as_u64(),
                    duplicates = answer["duplicates"].as_u64(),
                    "uploaded"
                );
            }
            Err(CallError::Refused(400, detail)) => {
                // "detections[i]: …": that one can never be accepted; keep it aside, send the rest.
                let index = detail
                    .strip_prefix("detections[")
                    .and_then(|r| r.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok());
                let Some((id, _)) = index.and_then(|i| batch.get(i)) else {
                    return Err(CallError::Refused(400, detail));
                };
                tracing::warn!(upload_id = %id, %detail, "the server refused a detection; set aside");
                let _ = spool.remove(id);
            }
            Err(e) => return Err(e),
        }
    }
}

pub async fn run(settings: Settings) -> anyhow::Result<u8> {
    let spool = Arc::new(Spool::open(&settings.spool_dir)?);
    let mut client = Client::new(
        &settings.server,
        &settings.license_key,
        &settings.agent_id(),
        &hostname(),
    )?;
    let shared = Arc::new(Mutex::new(Shared::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let replay = settings.pcap.is_some();
    let settings = Arc::new(settings);
    tracing::info!(version = VERSION, agent_id = %settings.agent_id(), queued = spool.len(), "starting");
    // The configuration first, so a replay runs with the tenant's rules and whitelist (offline:
    // the defaults, and the server's configuration once it answers).
    let mut config_version = String::new();
    match client
        .call(reqwest::Method::GET, "/agents/config", None)
        .await
    {
        Ok(config) => {
            config_version = config["config_version"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            shared.lock().expect("not poisoned").config =
                Some(engine_config(&config, settings.auth_log.is_some(), false)?);
        }
        Err(e) => {
            tracing::warn!(error = %e, "no configuration from the server yet; running with the defaults")
        }
    }
    if let Ok(v) = client
        .call(reqwest::Method::GET, "/agents/version", None)
        .await
    {
        if v["update_available"] == true {
            tracing::warn!(
                latest = v["latest_version"].as_str(),
                running = VERSION,
                "a newer agent is available"
            );
        }
    }
    let engine = {
        let (settings, spool, shared, stop) = (
            settings.clone(),
            spool.clone(),
            shared.clone(),
            stop.clone(),
        );
        std::thread::Builder::new()
            .name("engine".into())
            .spawn(move || engine_thread(&settings, spool, shared, stop))?
    };
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let started = Instant::now();
    let mut last_heartbeat: Option<Instant> = None;
    let mut degraded = false;
    loop {
        let contact = async {
            let answer = if last_heartbeat.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                let stats =
                    json!({"queued": spool.len(), "uptime_secs": started.elapsed().as_secs()});
                let hb = client
                    .call(
                        reqwest::Method::POST,
                        "/agents/heartbeat",
                        Some(&json!({"agent_version": VERSION, "stats": stats})),
                    )
                    .await?;
                last_heartbeat = Some(Instant::now());
                if hb["update_available"] == true {
                    tracing::warn!(
                        latest = hb["latest_version"].as_str(),
                        running = VERSION,
                        "a newer agent is available"
                    );
                }
                Some(hb)
            } else {
                None
            };
            let changed = answer
                .as_ref()
                .is_some_and(|hb| hb["config_version"].as_str() != Some(config_version.as_str()));
            if changed || degraded {
                let config = client
                    .call(reqwest::Method::GET, "/agents/config", None)
                    .await?;
                config_version = config["config_version"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                degraded = false;
                match engine_config(&config, settings.auth_log.is_some(), false) {
                    Ok(c) => shared.lock().expect("not poisoned").config = Some(c),
                    Err(e) => {
                        tracing::error!(error = %e, "the server's configuration could not be read; keeping the last one")
                    }
                }
            }
            let left = flush(&mut client, &spool).await?;
            let _ = spool.set_last_contact(now());
            Ok::<usize, CallError>(left)
        };
        let queued = match contact.await {
            Ok(left) => left,
            Err(e) => {
                tracing::warn!(error = %e, queued = spool.len(), "server not reached; detections stay queued");
                let silent_for = now() - spool.last_contact().unwrap_or_else(now);
                if silent_for > DEGRADED_AFTER_SECS && !degraded {
                    degraded = true;
                    tracing::warn!("no contact for 7 days: degraded mode, core rules only");
                    if let Ok(c) = engine_config(&json!({}), settings.auth_log.is_some(), true) {
                        shared.lock().expect("not poisoned").config = Some(c);
                    }
                }
                if let CallError::Locked(_) | CallError::Refused(401 | 403, _) = e {
                    last_heartbeat = None;
                }
                spool.len()
            }
        };
        if replay && engine.is_finished() {
            let analysed = spool.len();
            if queued == 0 && analysed == 0 {
                engine.join().expect("engine thread")?;
                tracing::info!("every detection uploaded");
                return Ok(0);
            }
            if started.elapsed() >= Duration::from_secs(settings.upload_timeout_secs) {
                engine.join().expect("engine thread")?;
                tracing::warn!(
                    queued = analysed,
                    "detections still queued; a later run uploads them"
                );
                return Ok(STILL_QUEUED);
            }
        }
        if !replay && engine.is_finished() {
            return engine.join().expect("engine thread").map(|()| 0);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(if replay { 1 } else { 2 })) => {}
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
        }
    }
    tracing::info!("stopping");
    stop.store(true, Ordering::Relaxed);
    let result = tokio::task::spawn_blocking(move || engine.join().expect("engine thread")).await?;
    let _ = tokio::time::timeout(Duration::from_secs(5), flush(&mut client, &spool)).await;
    tracing::info!(queued = spool.len(), "stopped");
    result.map(|()| 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_config_is_applied_and_degraded_mode_keeps_core_rules_only() {
        let config = json!({
            "rules": {"PORT_SCAN": {"enabled": true, "thresholds": {"trw_upper": 6.0}, "severity": "HIGH"},
                      "SHADOW_AI": {"enabled": false}},
            "whitelist": ["10.0.0.0/8"],
            "suppressions": [{"rule": "PORT_SCAN", "source_ip": "10.1.1.1", "dest_ip": null, "until": 2e9}],
        });
        let (engine, suppressions) = engine_config(&config, true, false).unwrap();
        assert_eq!(engine.threshold(Rule::PortScan, "trw_upper"), 6.0);
        assert!(!engine.enabled(Rule::ShadowAi) && engine.enabled(Rule::C2Beacon));
        assert!(engine.whitelisted("10.9.9.9".parse().unwrap()) && engine.auth_log);
        assert_eq!(suppressions.len(), 1);
        let (degraded, _) = engine_config(&config, false, true).unwrap();
        for rule in Rule::ALL {
            let core = rule.coverage() == netdetect::rules::Coverage::Core;
            assert_eq!(degraded.enabled(rule), core, "{}", rule.as_str());
        }
    }
}
