//! The real binary as a process: jobs survive `kill -9`; SIGTERM drains in-flight requests
//! and exits 0.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use platform::jobs::{self, EnqueueOptions, VerifyAuditChainJob};
use platform::store::Db;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Process {
    child: Child,
    port: u16,
}

impl Process {
    async fn start(data_dir: &Path, database_url: &str) -> Process {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_redoubt"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--database-url")
            .arg(database_url)
            .args([
                "serve",
                "--services",
                "guard",
                "--guard-port",
                &port.to_string(),
            ])
            .env("REDOUBT_JOBS__POLL_INTERVAL_MS", "100")
            .env("REDOUBT_HTTP__SHUTDOWN_GRACE_SECS", "10")
            .env("REDOUBT_LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("starting redoubt serve");
        let process = Process { child, port };
        let client = reqwest::Client::new();
        for _ in 0..150 {
            let up = client
                .get(format!("http://127.0.0.1:{port}/api/v1/healthz"))
                .send()
                .await;
            if up.is_ok_and(|r| r.status() == 200) {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("redoubt serve did not become healthy on port {port}");
    }

    fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), signal).unwrap();
    }

    /// Waits for the process to exit; its exit code, or None when killed by a signal.
    async fn wait(mut self, within: Duration) -> Option<i32> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if tokio::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("redoubt did not exit within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn a_job_enqueued_before_kill_9_runs_after_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = fresh_database_url(tmp.path()).await;
    let server = Process::start(&data, &url).await;

    let db = Db::connect(&url).await.unwrap();
    let accounts = platform::identity::Accounts::new(db.clone());
    let (tenant, _) = accounts.ensure_tenant("acme").await.unwrap();
    let queue = platform::jobs::Jobs::new(db.clone());
    let run_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let opts = EnqueueOptions {
        run_at: Some(run_at),
        ..EnqueueOptions::default()
    };
    let id = queue
        .enqueue(
            VerifyAuditChainJob::QUEUE,
            &json!({ "tenant_id": tenant.id }),
            opts,
        )
        .await
        .unwrap();

    server.signal(Signal::SIGKILL);
    assert_eq!(
        server.wait(Duration::from_secs(5)).await,
        None,
        "killed by SIGKILL"
    );
    assert_eq!(
        queue.get(id).await.unwrap().unwrap().status,
        jobs::QUEUED,
        "nothing ran it before the crash"
    );

    let restarted = Process::start(&data, &url).await;
    let mut status = String::new();
    for _ in 0..100 {
        status = queue.get(id).await.unwrap().unwrap().status;
        if status == jobs::SUCCEEDED {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, jobs::SUCCEEDED, "the job ran after the restart");
    restarted.signal(Signal::SIGTERM);
    assert_eq!(restarted.wait(Duration::from_secs(15)).await, Some(0));
    db.close().await;
}

#[tokio::test]
async fn sigterm_completes_the_in_flight_request_then_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = fresh_database_url(tmp.path()).await;
    let setup = crate::cli::create_user(&data, &url, "acme", "alice@acme.fr", "admin", &[]);
    assert!(setup.status.success());
    let server = Process::start(&data, &url).await;
    let port = server.port;

    // A request whose body is only half sent when the signal arrives.
    let body = format!(r#"{{"email":"alice@acme.fr","password":"{PASSWORD}"}}"#);
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.signal(Signal::SIGTERM);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "no new connections after SIGTERM"
    );

    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "the in-flight request completed: {response}"
    );
    assert!(response.contains("\"token\""));
    assert_eq!(
        server.wait(Duration::from_secs(15)).await,
        Some(0),
        "exit status 0"
    );
}
