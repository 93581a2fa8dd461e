//! `scripts/bench-enclave`: the enclave lifecycle measured side by side, in one run, with a
//! one-shot raw `bwrap … true` of equivalent isolation (the engine choice, docs/decisions.md).
//!
//! Rows: raw bwrap one-shots (`true`, and `sh -c true` under tini, which is what an engine exec
//! runs); plain fork+exec (the floor a persistent sandbox could approach); the engine's create,
//! exec and destroy (namespaces entered in-process); the same through the HTTP API with the CDP
//! (POST /v1/sessions, POST …/exec `true`, DELETE); exec `python3 -c pass`; DELETE alone
//! (teardown + CDP + storage); 20 concurrent creates. The Python `requests` cycle is printed
//! beside the same client's floor (three calls answered 404), which no server work can go under.

use std::ffi::OsString;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use platform::ServiceName;
use serde_json::{json, Value};

const SECCOMP_FD_BASE: i32 = 200;

struct Stats {
    name: String,
    samples: Vec<Duration>,
}

impl Stats {
    fn pct(&self, p: f64) -> f64 {
        let mut v: Vec<f64> = self
            .samples
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i]
    }
    fn mean(&self) -> f64 {
        self.samples
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .sum::<f64>()
            / self.samples.len() as f64
    }
}

fn time<F: FnMut()>(name: &str, n: usize, mut f: F) -> Stats {
    eprintln!("measuring: {name}");
    for _ in 0..3 {
        f();
    }
    let samples = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    Stats {
        name: name.into(),
        samples,
    }
}

fn host_uid() -> Option<u32> {
    nix::unistd::geteuid().is_root().then_some(1_499_999)
}

fn memfd(bytes: &[u8]) -> OwnedFd {
    use std::io::{Seek, Write};
    let fd =
        nix::sys::memfd::memfd_create(c"bench", nix::sys::memfd::MFdFlags::MFD_CLOEXEC).unwrap();
    let mut f = std::fs::File::from(fd);
    f.write_all(bytes).unwrap();
    f.rewind().unwrap();
    OwnedFd::from(f)
}

/// bwrap with the engine's flags, but its own tmpfs for /work instead of our host-side one,
/// and no cgroup: the one-shot floor the engine is compared with.
fn raw_bwrap(program: &[&str]) -> Command {
    let programs: Vec<OwnedFd> = sandbox::seccomp::programs()
        .iter()
        .map(|p| memfd(p))
        .collect();
    let mut args: Vec<OsString> = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid",
        "1000",
        "--gid",
        "1000",
        "--hostname",
        "sbx-raw",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/sbin",
        "/sbin",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--ro-bind-try",
        "/etc/ld.so.cache",
        "/etc/ld.so.cache",
        "--ro-bind-try",
        "/etc/alternatives",
        "/etc/alternatives",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        "134217728",
        "--tmpfs",
        "/work",
        "--size",
        "16777216",
        "--tmpfs",
        "/tmp",
        "--remount-ro",
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        "/work",
        "--add-seccomp-fd",
        "200",
        "--add-seccomp-fd",
        "201",
        "--",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    args.extend(program.iter().map(OsString::from));
    let mut command = Command::new("/usr/bin/bwrap");
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let raw: Vec<i32> = programs.iter().map(|f| f.as_raw_fd()).collect();
    let uid = host_uid();
    unsafe {
        command.pre_exec(move || {
            let _keep = &programs;
            for (i, fd) in raw.iter().enumerate() {
                if libc::dup2(*fd, SECCOMP_FD_BASE + i as i32) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some(uid) = uid {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setresgid(uid, uid, uid) != 0
                    || libc::setresuid(uid, uid, uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    command
}

fn run_ok(mut command: Command) {
    let status = command.status().expect("spawn");
    assert!(status.success(), "{status}");
}

/// The enclave API as the benchmark's client uses it.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    async fn create(&self) -> String {
        let body = call(
            &self.http,
            reqwest::Method::POST,
            &format!("{}/v1/sessions", self.base),
            &self.key,
            Some(json!({})),
        )
        .await;
        body["session_id"].as_str().unwrap().to_string()
    }

    async fn exec(&self, id: &str, command: &str) -> Value {
        let url = format!("{}/v1/sessions/{id}/exec", self.base);
        call(
            &self.http,
            reqwest::Method::POST,
            &url,
            &self.key,
            Some(json!({ "command": command })),
        )
        .await
    }

    async fn delete(&self, id: &str) -> Value {
        call(
            &self.http,
            reqwest::Method::DELETE,
            &format!("{}/v1/sessions/{id}", self.base),
            &self.key,
            None,
        )
        .await
    }
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    key: &str,
    body: Option<Value>,
) -> Value {
    let mut request = http.request(method, url).bearer_auth(key);
    if let Some(b) = body {
        request = request.json(&b);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status} {body}");
    body
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let mut rows: Vec<Stats> = Vec::new();

    // One-shot spawns: raw bwrap, plain.
    rows.push(time(
        "raw bwrap one-shot `true` (equivalent isolation)",
        n,
        || run_ok(raw_bwrap(&["/bin/true"])),
    ));
    rows.push(time(
        "raw bwrap one-shot `tini -- sh -c true` (what an engine exec runs)",
        n,
        || {
            run_ok(raw_bwrap(&[
                "/usr/bin/tini-static",
                "--",
                "/bin/sh",
                "-c",
                "true",
            ]))
        },
    ));
    rows.push(time(
        "plain fork+exec `true` (no isolation: the floor)",
        n,
        || run_ok(Command::new("/bin/true")),
    ));
    rows.push(time("raw bwrap one-shot `python3 -c pass`", n / 4, || {
        run_ok(raw_bwrap(&["/usr/bin/python3", "-c", "pass"]))
    }));

    // The engine alone (no HTTP, no database, no CDP).
    let tmp = tempfile::tempdir().unwrap();
    let engine = sandbox::Engine::new(sandbox::EngineConfig {
        root: tmp.path().join("engine"),
        ..Default::default()
    })
    .expect("bubblewrap");
    let mut i = 0;
    let (mut c, mut e, mut d) = (Vec::new(), Vec::new(), Vec::new());
    rows.push(time("engine: create + exec `true` + destroy", n, || {
        i += 1;
        let t = Instant::now();
        let sb = engine
            .create(&format!("bench{i}"), sandbox::Limits::for_memory(256 << 20))
            .unwrap();
        c.push(t.elapsed());
        let t = Instant::now();
        let out = sb
            .exec(&sandbox::ExecRequest {
                command: "true".into(),
                input_data: None,
                timeout: Duration::from_secs(10),
            })
            .unwrap();
        e.push(t.elapsed());
        assert_eq!(out.exit_code, 0);
        let t = Instant::now();
        assert!(sb.destroy().clean());
        d.push(t.elapsed());
    }));
    rows.push(Stats {
        name: "engine: create alone".into(),
        samples: c,
    });
    rows.push(Stats {
        name: "engine: exec `true` alone".into(),
        samples: e,
    });
    rows.push(Stats {
        name: "engine: destroy alone (kill, wipe, unmount, cgroup, checks)".into(),
        samples: d,
    });

    // Through the API, with the CDP, on SQLite.
    let mut config = redoubt::config::Config {
        data_dir: tmp.path().join("data"),
        services: Some(vec![ServiceName::Enclave]),
        log_level: "warn".into(),
        ..Default::default()
    };
    config.ports.enclave = 0;
    config.platform.sandbox.root = tmp.path().join("sandboxes");
    if let Some(n) = std::env::var("BENCH_SPARES")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        config.platform.sandbox.spare_sandboxes = n;
    }
    let server = redoubt::serve::start(&config).await.expect("server");
    let base = format!("http://{}", server.addr(ServiceName::Enclave));
    let http = reqwest::Client::new();
    let signup = |email: &'static str| {
        let request = http
            .post(format!("{base}/v1/signup"))
            .json(&json!({ "email": email }));
        async move {
            let reply: Value = request.send().await.unwrap().json().await.unwrap();
            reply["api_key"].as_str().unwrap().to_string()
        }
    };
    let key = signup("bench@example.org").await;
    // A second customer for the Python client: its own rate budget.
    let python_key = signup("bench-python@example.org").await;
    // Enterprise: no session, rate or quota limit gets in the way of the measurement.
    platform::on_db!(server.platform.db(), |p| sqlx::query(
        "UPDATE enclave_customers SET tier = 'enterprise'"
    )
    .execute(p)
    .await
    .map(|_| ()))
    .unwrap();

    let mut j = 0;
    rows.push(time(
        "engine again, with the server running in this process",
        n,
        || {
            j += 1;
            let sb = engine
                .create(&format!("again{j}"), sandbox::Limits::for_memory(256 << 20))
                .unwrap();
            sb.exec(&sandbox::ExecRequest {
                command: "true".into(),
                input_data: None,
                timeout: Duration::from_secs(10),
            })
            .unwrap();
            assert!(sb.destroy().clean());
        },
    ));
    rows.push(time(
        "plain fork+exec `true`, with the server running",
        n,
        || run_ok(Command::new("/bin/true")),
    ));
    let api = Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        key: key.clone(),
    };
    let (mut full, mut deletes, mut creates) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..n + 3 {
        let t = Instant::now();
        let id = api.create().await;
        let t_create = t.elapsed();
        assert_eq!(api.exec(&id, "true").await["exit_code"], 0);
        let t_delete = Instant::now();
        assert_eq!(api.delete(&id).await["status"], "destroyed");
        let delete_took = t_delete.elapsed();
        if round >= 3 {
            full.push(t.elapsed());
            deletes.push(delete_took);
            creates.push(t_create);
        }
    }
    rows.push(Stats {
        name: "API: create + exec `true` + delete (CDP included)".into(),
        samples: full,
    });
    rows.push(Stats {
        name: "API: POST /v1/sessions alone".into(),
        samples: creates,
    });
    rows.push(Stats {
        name: "API: DELETE alone (teardown + CDP signed + stored)".into(),
        samples: deletes,
    });
    // The same cycle when the server is not still busy with the previous one (a user's session
    // between others): 20 ms apart, which lets the spares be topped up in between.
    let mut paced = Vec::new();
    for round in 0..n / 2 + 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let t = Instant::now();
        let id = api.create().await;
        assert_eq!(api.exec(&id, "true").await["exit_code"], 0);
        assert_eq!(api.delete(&id).await["status"], "destroyed");
        if round >= 3 {
            paced.push(t.elapsed());
        }
    }
    rows.push(Stats {
        name: "API: the same cycle, 20 ms after the previous one".into(),
        samples: paced,
    });

    // The same cycle from a plain HTTP client in another process (Python `requests`, one
    // keep-alive connection), as a user measures it.
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../scripts/bench_enclave/http_client.py"
    );
    let python_rows = [
        (
            "HTTP client (Python requests): create + exec `true` + delete",
            None,
        ),
        (
            "HTTP client (Python requests): the same cycle, 20 ms after the previous one",
            Some("paced"),
        ),
        (
            "HTTP client (Python requests): the same three calls answered 404 (client + HTTP floor)",
            Some("floor"),
        ),
    ];
    for (name, mode) in python_rows {
        let out = Command::new("python3")
            .arg(script)
            .args([&base, &python_key, &n.to_string()])
            .args(mode)
            .output()
            .expect("python3 runs the HTTP client");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        rows.push(Stats {
            name: name.into(),
            samples: String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.trim().parse::<u64>().ok())
                .map(Duration::from_micros)
                .collect(),
        });
    }

    let id = api.create().await;
    let mut python = Vec::new();
    for round in 0..n / 4 + 2 {
        let t = Instant::now();
        assert_eq!(api.exec(&id, "python3 -c pass").await["exit_code"], 0);
        if round >= 2 {
            python.push(t.elapsed());
        }
    }
    api.delete(&id).await;
    rows.push(Stats {
        name: "API: exec `python3 -c pass` in a live session".into(),
        samples: python,
    });

    // 20 concurrent creates, five rounds.
    let mut concurrent = Vec::new();
    for _ in 0..5 {
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let api = api.clone();
                tokio::spawn(async move {
                    let t = Instant::now();
                    let id = api.create().await;
                    (t.elapsed(), id)
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            let (took, id) = task.await.unwrap();
            concurrent.push(took);
            ids.push(id);
        }
        for id in ids {
            api.delete(&id).await;
        }
    }
    rows.push(Stats {
        name: "API: each of 20 concurrent creates".into(),
        samples: concurrent,
    });
    server.stop().await;

    println!("\n| measurement | n | p50 ms | p99 ms | mean ms |\n|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} |",
            r.name,
            r.samples.len(),
            r.pct(0.5),
            r.pct(0.99),
            r.mean()
        );
    }
    let by = |prefix: &str| rows.iter().find(|r| r.name.starts_with(prefix)).unwrap();
    let (raw, api, del, conc) = (
        by("raw bwrap one-shot `true`"),
        by("API: create"),
        by("API: DELETE"),
        by("API: each of 20"),
    );
    let (raw_sh, engine_exec) = (by("raw bwrap one-shot `tini"), by("engine: exec"));
    println!("\n| target | measured | met |\n|---|---|---|");
    let row = |t: &str, m: String, ok: bool| {
        println!("| {t} | {m} | {} |", if ok { "yes" } else { "**no**" })
    };
    row(
        "create+exec+destroy p50 ≤ 10 ms",
        format!("{:.2} ms", api.pct(0.5)),
        api.pct(0.5) <= 10.0,
    );
    row(
        "create+exec+destroy p99 ≤ 25 ms",
        format!("{:.2} ms", api.pct(0.99)),
        api.pct(0.99) <= 25.0,
    );
    // Issue 11's target, for each client and pace.
    for (client, measured) in [
        ("Rust client in-process", "API: create"),
        (
            "Python requests in another process",
            "HTTP client (Python requests): create",
        ),
        (
            "Rust client in-process, cycles 20 ms apart",
            "API: the same cycle, 20 ms",
        ),
        (
            "Python requests, cycles 20 ms apart",
            "HTTP client (Python requests): the same cycle, 20 ms",
        ),
    ] {
        let ratio = by(measured).pct(0.5) / raw.pct(0.5);
        row(
            &format!("≤ 1.3× raw bwrap one-shot (p50), {client}"),
            format!("{ratio:.2}×"),
            ratio <= 1.3,
        );
    }
    row(
        "20 concurrent creates p99 < 100 ms",
        format!("{:.2} ms", conc.pct(0.99)),
        conc.pct(0.99) < 100.0,
    );
    row(
        "CDP issued ≤ 5 ms after DELETE starts (p50 / p99)",
        format!("{:.2} / {:.2} ms", del.pct(0.5), del.pct(0.99)),
        del.pct(0.99) <= 5.0,
    );
    println!(
        "\nengine exec (namespaces entered in-process) vs raw bwrap running the same `tini -- sh -c true` (p50): {:.2}×",
        engine_exec.pct(0.5) / raw_sh.pct(0.5)
    );
}
