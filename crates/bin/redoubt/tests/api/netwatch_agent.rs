//! The real agent binary against the real server: a replay uploads what it found and exits 0;
//! with the server down the detections wait in the spool (exit 75), survive agent restarts, and
//! arrive exactly once when the server is back. Root-only: a live capture in a network namespace
//! sees a real nmap scan, and the alert arrives through the API.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ::netwatch::model::Plan;
use platform::ServiceName;
use serde_json::Value;

use crate::helpers::netwatch::*;
use crate::helpers::*;

/// The agent binary, built beside this one (scripts/test builds it).
fn agent_binary() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_BIN_EXE_redoubt")).with_file_name("redoubt-agent");
    (!tool_missing(
        path.exists(),
        "redoubt-agent (cargo build -p redoubt-agent)",
    ))
    .then_some(path)
}

/// Runs the agent as a process (asynchronously: the server under test shares this runtime).
async fn agent(bin: &Path, server: &str, key: &str, spool: &Path, extra: &[&str]) -> Output {
    tokio::process::Command::new(bin)
        .args([
            "--server",
            server,
            "--license-key",
            key,
            "--agent-id",
            "host-1",
            "--upload-timeout-secs",
            "3",
        ])
        .arg("--spool-dir")
        .arg(spool)
        .args(extra)
        .output()
        .await
        .expect("running redoubt-agent")
}

fn queued(spool: &Path) -> usize {
    std::fs::read_dir(spool.join("queue")).map_or(0, |d| {
        d.filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .count()
    })
}

async fn alerts(app: &TestApp, token: &str) -> Value {
    app.client(ServiceName::Netwatch)
        .bearer(token)
        .get("/api/v1/alerts/?limit=100")
        .await
        .body
}

#[tokio::test]
async fn a_replay_uploads_its_detections_and_exits_zero() {
    let Some(bin) = agent_binary() else { return };
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Business, None).await;
    let admin = app.netwatch_user("acme", "alice@acme.test", "admin").await;
    let dir = tempfile::tempdir().unwrap();
    let pcap = captures().join("hydra_ssh.pcap");
    let log = captures().join("hydra_ssh.auth.log");
    let server = app.url(ServiceName::Netwatch, "");
    let run = agent(
        &bin,
        &server,
        &key,
        dir.path(),
        &[
            "--pcap",
            pcap.to_str().unwrap(),
            "--auth-log",
            log.to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let body = alerts(&app, &admin).await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(
        (
            body["alerts"][0]["rule_name"].as_str(),
            body["alerts"][0]["source_ip"].as_str()
        ),
        (Some("BRUTE_FORCE"), Some("10.200.0.1"))
    );
    let devices = app
        .client(ServiceName::Netwatch)
        .bearer(&admin)
        .get("/api/v1/devices")
        .await
        .body;
    assert_eq!(devices["devices"][0]["agent_id"], "host-1");
    // JSON logs on stderr.
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{stderr}"
    );
    app.stop().await;
}

#[tokio::test]
async fn detections_made_while_the_server_is_down_arrive_once_when_it_is_back() {
    let Some(bin) = agent_binary() else { return };
    let dir = tempfile::tempdir().unwrap();
    let spool = dir.path().join("spool");
    let pcaps =
        ["scan_sS_T4", "dns_tunnel", "lateral_admin"].map(|c| captures().join(format!("{c}.pcap")));
    // A port nothing listens on: the server is down.
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", down.local_addr().unwrap());
    drop(down);
    let key = "nsx_000000000000000000000000000000000000000000000000";
    for pcap in &pcaps {
        let run = agent(
            &bin,
            &dead,
            key,
            &spool,
            &["--pcap", pcap.to_str().unwrap()],
        )
        .await;
        assert_eq!(
            run.status.code(),
            Some(75),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let waiting = queued(&spool);
    assert!(waiting >= 3, "{waiting} queued");
    // Restarted, still offline, and the same traffic seen again: nothing is queued twice.
    let again = agent(
        &bin,
        &dead,
        key,
        &spool,
        &["--pcap", pcaps[0].to_str().unwrap()],
    )
    .await;
    assert_eq!(again.status.code(), Some(75));
    assert_eq!(queued(&spool), waiting);

    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Business, None).await;
    let admin = app.netwatch_user("acme", "alice@acme.test", "admin").await;
    let server = app.url(ServiceName::Netwatch, "");
    let back = agent(
        &bin,
        &server,
        &key,
        &spool,
        &["--pcap", pcaps[0].to_str().unwrap()],
    )
    .await;
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    assert_eq!(queued(&spool), 0);
    assert_eq!(
        alerts(&app, &admin).await["total"],
        waiting as u64,
        "every queued detection, once"
    );
    let rerun = agent(
        &bin,
        &server,
        &key,
        &spool,
        &["--pcap", pcaps[1].to_str().unwrap()],
    )
    .await;
    assert!(rerun.status.success());
    assert_eq!(
        alerts(&app, &admin).await["total"],
        waiting as u64,
        "a replay of the same traffic adds nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_settings_are_explained() {
    let Some(bin) = agent_binary() else { return };
    let none = Command::new(&bin).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&none.stderr).contains("required"),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    let both = Command::new(&bin)
        .args([
            "--server",
            "http://x",
            "--license-key",
            "k",
            "--spool-dir",
            "/tmp/x",
            "--interface",
            "lo",
            "--pcap",
            "f",
        ])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    let help = Command::new(&bin).arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("EXAMPLES"));
}

/// Root and nmap, else the live test is skipped (it needs network namespaces and raw sockets).
fn can_run_live() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let nmap = Command::new("nmap")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !(root && nmap) {
        eprintln!("skipped: the live agent test needs root and nmap");
    }
    root && nmap
}

fn ip(args: &[&str]) {
    let s = Command::new("ip").args(args).status().expect("ip");
    assert!(s.success(), "ip {args:?}");
}

#[tokio::test]
async fn a_live_agent_in_a_namespace_sees_a_real_nmap_scan() {
    let Some(bin) = agent_binary() else { return };
    if !can_run_live() {
        return;
    }
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Business, None).await;
    let admin = app.netwatch_user("acme", "alice@acme.test", "admin").await;
    // Two namespaces on a veth pair; the victim reaches the server through a second pair to the
    // host (10.213.1.0/30), so the agent inside it uploads as a real host agent would.
    let tag = std::process::id() % 10_000;
    let (att, vic) = (format!("nwl-a{tag}"), format!("nwl-v{tag}"));
    let (va, vv, vh, vx) = (
        format!("nwla{tag}"),
        format!("nwlv{tag}"),
        format!("nwlh{tag}"),
        format!("nwlx{tag}"),
    );
    let cleanup = |att: &str, vic: &str, vh: &str| {
        let _ = Command::new("ip").args(["netns", "del", att]).status();
        let _ = Command::new("ip").args(["netns", "del", vic]).status();
        let _ = Command::new("ip").args(["link", "del", vh]).status();
    };
    cleanup(&att, &vic, &vh);
    ip(&["netns", "add", &att]);
    ip(&["netns", "add", &vic]);
    ip(&["link", "add", &va, "type", "veth", "peer", "name", &vv]);
    ip(&["link", "set", &va, "netns", &att]);
    ip(&["link", "set", &vv, "netns", &vic]);
    ip(&["-n", &att, "addr", "add", "10.213.0.1/24", "dev", &va]);
    ip(&["-n", &vic, "addr", "add", "10.213.0.2/24", "dev", &vv]);
    ip(&["link", "add", &vh, "type", "veth", "peer", "name", &vx]);
    ip(&["link", "set", &vx, "netns", &vic]);
    ip(&["addr", "add", "10.213.1.1/30", "dev", &vh]);
    ip(&["link", "set", &vh, "up"]);
    ip(&["-n", &vic, "addr", "add", "10.213.1.2/30", "dev", &vx]);
    for (ns, dev) in [(&att, &va), (&vic, &vv), (&vic, &vx)] {
        ip(&["-n", ns, "link", "set", dev, "up"]);
        ip(&["-n", ns, "link", "set", "lo", "up"]);
    }
    // The server listens on 127.0.0.1: forward a port on 10.213.1.1 to it.
    let listener = tokio::net::TcpListener::bind("10.213.1.1:0").await.unwrap();
    let relay = listener.local_addr().unwrap();
    let target = app.addr(ServiceName::Netwatch);
    let forward = tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut live = tokio::process::Command::new("ip")
        .args(["netns", "exec", &vic])
        .arg(&bin)
        .args([
            "--server",
            &format!("http://{relay}"),
            "--license-key",
            &key,
            "--agent-id",
            "live-1",
            "--interface",
            &vv,
        ])
        .arg("--spool-dir")
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let scan = tokio::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            &att,
            "nmap",
            "-sS",
            "-T4",
            "-n",
            "-Pn",
            "--top-ports",
            "100",
            "10.213.0.2",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let mut found = Value::Null;
    for _ in 0..30 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let body = alerts(&app, &admin).await;
        if body["total"].as_u64() > Some(0) {
            found = body;
            break;
        }
    }
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(live.id().unwrap() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let status = live.wait().await.unwrap();
    forward.abort();
    cleanup(&att, &vic, &vh);
    assert_eq!(found["alerts"][0]["rule_name"], "PORT_SCAN", "{found}");
    assert_eq!(found["alerts"][0]["source_ip"], "10.213.0.1");
    assert!(
        status.success(),
        "the agent stops cleanly on SIGTERM: {status:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_agents_self_test_passes_the_readiness_check() {
    let Some(bin) = agent_binary() else { return };
    let app = spawn_netwatch().await;
    let (_, key) = app.license("acme", Plan::Professional, None).await;
    let admin = app.netwatch_user("acme", "adm@acme.test", "admin").await;
    let status = || {
        let c = app.client(ServiceName::Netwatch).bearer(&admin);
        async move { c.get("/api/v1/compliance/status").await.body }
    };
    let check = |s: &Value| {
        s["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "detection_self_test")
            .unwrap()["passed"]
            .clone()
    };
    assert_eq!(check(&status().await), false);
    let spool = tempfile::tempdir().unwrap();
    let server = app.url(ServiceName::Netwatch, "");
    let out = agent(&bin, &server, &key, spool.path(), &["--self-test"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["self_test"], "passed");
    assert!(printed["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "PORT_SCAN"));
    let s = status().await;
    assert_eq!(check(&s), true, "{s}");
    // The self-test alert is listed as such, already resolved, and counts in no figure.
    let listed = alerts(&app, &admin).await;
    assert!(listed["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["self_test"] == true && a["status"] == "resolved"));
    let summary = app
        .client(ServiceName::Netwatch)
        .bearer(&admin)
        .get("/api/v1/analytics/summary")
        .await
        .body;
    assert_eq!(summary["total_alerts"], 0);
}
