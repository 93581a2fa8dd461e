//! The real binary as a process: jobs survive `kill -9`; SIGTERM drains in-flight requests
//! and exits 0; `kill -9` during an exec leaves no session data, mount or process on the host,
//! and the next start recovers the session with a CDP that says what it found.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use platform::jobs::{self, EnqueueOptions, VerifyAuditChainJob};
use platform::store::Db;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::vision;
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

/// A failed assertion must not leave a server running.
impl Drop for Process {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Process {
    async fn start(data_dir: &Path, database_url: &str) -> Process {
        Process::serve(data_dir, database_url, "guard", "/api/v1/healthz", &[]).await
    }

    /// `redoubt serve --services <service>` on a free port, once `health` answers 200.
    async fn serve(
        data_dir: &Path,
        database_url: &str,
        service: &str,
        health: &str,
        env: &[(&str, &str)],
    ) -> Process {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_redoubt"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--database-url")
            .arg(database_url)
            .args([
                "serve",
                "--services",
                service,
                &format!("--{service}-port"),
                &port.to_string(),
            ])
            .env("REDOUBT_JOBS__POLL_INTERVAL_MS", "100")
            .env("REDOUBT_HTTP__SHUTDOWN_GRACE_SECS", "10")
            .env("REDOUBT_LOG_LEVEL", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("starting redoubt serve");
        let process = Process { child, port };
        let client = reqwest::Client::new();
        for _ in 0..150 {
            let up = client
                .get(format!("http://127.0.0.1:{port}{health}"))
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

/// Every line of the host's mountinfo (this test runs in the host's mount namespace) that
/// mentions `root`.
fn host_mounts_under(root: &Path) -> Vec<String> {
    let root = root.to_string_lossy();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.contains(&*root))
        .map(str::to_string)
        .collect()
}

/// Regular files (and anything but directories) anywhere under `root`, but for the crash
/// watcher's reports (lines naming cgroup directories, no session data).
fn files_under(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(t) if t.is_dir() => dirs.push(entry.path()),
                _ if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".crash-watcher-") => {}
                _ => found.push(entry.path()),
            }
        }
    }
    found
}

/// cgroup directories named `id` anywhere under /sys/fs/cgroup (v1 controllers and v2).
/// Sandbox ids under the engine root: one mount point directory each.
fn mount_points_under(root: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.'))
        .collect()
}

fn cgroups_named(id: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("/sys/fs/cgroup")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if entry.file_name() == id {
                    found.push(entry.path());
                }
                dirs.push(entry.path());
            }
        }
    }
    found
}

/// Host processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(marker))
        .collect()
}

/// enclave's API on a local port, as a client with (or without) an API key.
struct EnclaveHttp {
    http: reqwest::Client,
    base: String,
    key: Option<String>,
}

impl EnclaveHttp {
    fn new(port: u16, key: Option<&str>) -> Self {
        EnclaveHttp {
            http: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}"),
            key: key.map(str::to_string),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// The status and JSON body of one call.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

#[tokio::test]
async fn kill_9_during_an_exec_leaves_no_session_data_on_the_host() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let sandboxes = tmp.path().join("sandboxes");
    let url = fresh_database_url(tmp.path()).await;
    let root = sandboxes.to_string_lossy().to_string();
    let env = [("REDOUBT_SANDBOX__ROOT", root.as_str())];
    let server = Process::serve(&data, &url, "enclave", "/v1/health", &env).await;
    let enclave = EnclaveHttp::new(server.port, None);
    let signup = enclave
        .call(
            Method::POST,
            "/v1/signup",
            Some(json!({ "email": "crash@c.example" })),
        )
        .await;
    let key = signup.1["api_key"].as_str().unwrap().to_string();
    let enclave = EnclaveHttp::new(server.port, Some(&key));
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (_, created) = enclave
            .call(Method::POST, "/v1/sessions", Some(json!({})))
            .await;
        let id = created["session_id"].as_str().unwrap().to_string();
        let (status, _) = enclave
            .call(
                Method::POST,
                &format!("/v1/sessions/{id}/exec"),
                Some(json!({ "command": "cp input/data notes.txt && cat notes.txt", "input_data": "PATIENT Jeanne Martin, NIR 2 84 05 75 123 456 78", "timeout": 10 })),
            )
            .await;
        assert_eq!(status, 200);
        ids.push(id);
    }
    assert_eq!(
        files_under(&sandboxes),
        Vec::<std::path::PathBuf>::new(),
        "from the host, session files are not even visible while the server runs"
    );
    // The sessions' sandboxes and the spares armed ahead: one mount point each.
    let mut sandbox_ids = Vec::new();
    for _ in 0..100 {
        sandbox_ids = mount_points_under(&sandboxes);
        if sandbox_ids.len() >= ids.len() + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        ids.iter().all(|id| sandbox_ids.contains(id)) && sandbox_ids.len() >= ids.len() + 2,
        "{sandbox_ids:?}: the sessions {ids:?} and two spares"
    );
    // An exec still running when the server dies.
    let running = enclave
        .request(Method::POST, &format!("/v1/sessions/{}/exec", ids[0]))
        .json(&json!({ "command": "sleep 41.5", "timeout": 60 }))
        .send();
    let running = tokio::spawn(running);
    for _ in 0..50 {
        if !processes_with("sleep 41.5").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !processes_with("sleep 41.5").is_empty(),
        "the exec is running"
    );

    server.signal(Signal::SIGKILL);
    assert_eq!(
        server.wait(Duration::from_secs(5)).await,
        None,
        "killed by SIGKILL"
    );
    assert!(
        running.await.unwrap().is_err(),
        "the in-flight exec got no answer"
    );

    // Before any restart: no mount, no file, no process of any session on the host.
    let mut left = Vec::new();
    for _ in 0..50 {
        left = processes_with("sleep 41.5");
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        left,
        Vec::<String>::new(),
        "the sandbox died with the server"
    );
    assert_eq!(
        host_mounts_under(&sandboxes),
        Vec::<String>::new(),
        "no session mount on the host"
    );
    assert_eq!(
        files_under(&sandboxes),
        Vec::<std::path::PathBuf>::new(),
        "no session data on the host"
    );
    // The crash watcher removes the sessions' and the spares' cgroups once their processes
    // are gone.
    for id in &sandbox_ids {
        let mut groups = cgroups_named(id);
        for _ in 0..60 {
            if groups.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            groups = cgroups_named(id);
        }
        assert_eq!(
            groups,
            Vec::<std::path::PathBuf>::new(),
            "no cgroup of {id} left"
        );
    }

    // The next start recovers each session with a CDP that says the mount was found gone.
    let restarted = Process::serve(&data, &url, "enclave", "/v1/health", &env).await;
    let enclave = EnclaveHttp::new(restarted.port, Some(&key));
    for id in &ids {
        let mut status = String::new();
        for _ in 0..100 {
            let (_, session) = enclave
                .call(Method::GET, &format!("/v1/sessions/{id}"), None)
                .await;
            status = session["status"].as_str().unwrap_or_default().to_string();
            if status != "active" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, "expired", "{id} recovered");
        let (_, destroyed) = enclave
            .call(Method::DELETE, &format!("/v1/sessions/{id}"), None)
            .await;
        assert!(proof::cdp::verify(&destroyed["cdp"]).valid, "{destroyed}");
        let mount = &destroyed["evidence"][1]["mount"];
        assert_eq!(mount["was_mounted"], false, "{destroyed}");
        assert_eq!(mount["private_namespace"], true, "{destroyed}");
        assert_eq!(mount["absent_from_mountinfo"], true, "{destroyed}");
        assert_eq!(
            destroyed["evidence"][2]["files"], 0,
            "nothing was found to wipe: {destroyed}"
        );
        assert_eq!(destroyed["evidence"][1]["completed"], true, "{destroyed}");
        let cgroup = &destroyed["evidence"][7]["cgroup"];
        assert_eq!(cgroup["removed_by_crash_watcher"], true, "{destroyed}");
        assert_eq!(destroyed["evidence"][7]["completed"], true, "{destroyed}");
        // And offline, with the CLI.
        let file = tmp.path().join(format!("{id}.json"));
        std::fs::write(&file, destroyed["cdp"].to_string()).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_redoubt"))
            .args(["verify", "cdp"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        // And by a third party with hashlib + cryptography (docs/cdp.md).
        let out = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../scripts/verify_cdp.py"
            ))
            .arg(&file)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The spares the crashed run had armed held no session: torn down without a CDP.
    let mut left = mount_points_under(&sandboxes);
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = mount_points_under(&sandboxes);
    }
    assert_eq!(
        left,
        Vec::<String>::new(),
        "no sandbox of the crashed run left"
    );
    restarted.signal(Signal::SIGTERM);
    assert_eq!(restarted.wait(Duration::from_secs(15)).await, Some(0));
}

/// vision: a batch being analysed when the server is killed with SIGKILL is taken up again
/// after the restart (its heartbeat goes stale, the queue hands it to a new worker) and
/// finishes with every item; its media is gone once it has.
#[tokio::test]
async fn kill_9_during_an_image_batch_and_the_job_finishes_after_restart() {
    if !vision::models_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = fresh_database_url(tmp.path()).await;
    let models = vision::models_dir().to_string_lossy().to_string();
    let env = [
        ("REDOUBT_MODELS_DIR", models.as_str()),
        ("REDOUBT_JOBS__HEARTBEAT_SECS", "1"),
        ("REDOUBT_JOBS__STALE_AFTER_SECS", "3"),
    ];
    let server = Process::serve(&data, &url, "vision", "/v1/health", &env).await;
    let db = Db::connect(&url).await.unwrap();
    let accounts = platform::identity::Accounts::new(db.clone());
    let (tenant, _) = accounts.ensure_tenant("acme").await.unwrap();
    let key = platform::identity::ApiKeys::new(db.clone())
        .create(tenant.id, platform::ServiceName::Vision, "ci", None)
        .await
        .unwrap()
        .key;
    let client = reqwest::Client::new();
    let astronaut = vision::b64(&vision::photo("astronaut.png"));
    let images: Vec<Value> = (0..16)
        .map(|n| json!({ "external_id": n.to_string(), "data_base64": astronaut }))
        .collect();
    let body =
        json!({ "images": images, "features": ["faces", "face_attributes", "ocr", "quality"] });
    let submit = client
        .post(format!("http://127.0.0.1:{}/v1/images", server.port))
        .header("x-api-key", &key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(submit.status(), 202);
    let location = submit.headers()["location"].to_str().unwrap().to_string();
    let job_id = location.rsplit('/').next().unwrap().to_string();
    let poll = |port: u16| {
        let (client, key, location) = (client.clone(), key.clone(), location.clone());
        async move {
            let r = client
                .get(format!("http://127.0.0.1:{port}{location}"))
                .header("x-api-key", &key)
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    // Kill it mid-batch.
    for _ in 0..300 {
        let doc = poll(server.port).await;
        if doc["status"] == "processing" && doc["progress"].as_f64().unwrap_or(0.0) > 0.0 {
            break;
        }
        assert_ne!(
            doc["status"], "finished",
            "the batch ended before it could be interrupted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.signal(Signal::SIGKILL);
    assert_eq!(server.wait(Duration::from_secs(10)).await, None);
    assert!(
        data.join("media").join(&job_id).exists(),
        "the media must outlive the crash"
    );

    let server = Process::serve(&data, &url, "vision", "/v1/health", &env).await;
    let mut doc = Value::Null;
    for _ in 0..600 {
        doc = poll(server.port).await;
        if doc["status"] == "finished" || doc["status"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(doc["status"], "finished", "{doc}");
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 16);
    assert!(items
        .iter()
        .all(|i| i["status"] == "finished" && i["result"]["faces"].as_array().unwrap().len() == 1));
    // The media goes right after the job's end is committed (in that order, so that a crash
    // between the two leaves media to retry with, which the sweep removes later).
    for _ in 0..50 {
        if !data.join("media").join(&job_id).exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !data.join("media").join(&job_id).exists(),
        "no media once the job has ended"
    );
    server.signal(Signal::SIGTERM);
    server.wait(Duration::from_secs(20)).await;
}
