//! A local S3-compatible server for the media-store tests: moto in server mode (PyPI, pinned in
//! scripts/moto-requirements.txt, installed by scripts/test), one per test on a free port, with
//! a bucket; listed over plain HTTP so the checks do not go through our own S3 client.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use platform::settings::ObjectStoreSettings;

pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub bucket: String,
}

fn moto_binary() -> PathBuf {
    std::env::var_os("REDOUBT_TEST_MOTO")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/redoubt/moto-venv/bin/moto_server")
        })
}

impl Moto {
    /// A running moto with an empty bucket; None (the test skips) when moto is not installed,
    /// unless REDOUBT_REQUIRE_MODELS=1 (scripts/test), where that fails the test.
    pub async fn start() -> Option<Moto> {
        let binary = moto_binary();
        if super::tool_missing(
            binary.is_file(),
            &format!("moto_server at {}", binary.display()),
        ) {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "redoubt-media".into(),
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http.get(&moto.endpoint).send().await.is_ok() {
                let created = http
                    .put(format!("{}/{}", moto.endpoint, moto.bucket))
                    .send()
                    .await
                    .unwrap();
                assert!(
                    created.status().is_success(),
                    "bucket: {}",
                    created.status()
                );
                return Some(moto);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto_server did not answer on port {port}");
    }

    /// Settings that point the platform's object store at this server.
    pub fn settings(&self) -> ObjectStoreSettings {
        ObjectStoreSettings {
            s3_bucket: Some(self.bucket.clone()),
            s3_endpoint: Some(self.endpoint.clone()),
            s3_region: Some("us-east-1".into()),
            s3_access_key_id: Some("testing".into()),
            s3_secret_access_key: Some("testing".into()),
            s3_prefix: "cluster-a".into(),
            s3_allow_http: true,
        }
    }

    /// Every object under `prefix`, with its size (ListObjectsV2, unsigned: moto does not check).
    pub async fn objects(&self, prefix: &str) -> Vec<(String, u64)> {
        let url = format!(
            "{}/{}?list-type=2&max-keys=1000&prefix={prefix}",
            self.endpoint, self.bucket
        );
        let xml = reqwest::get(url).await.unwrap().text().await.unwrap();
        let key = regex::Regex::new(r"<Key>([^<]*)</Key>.*?<Size>(\d+)</Size>").unwrap();
        key.captures_iter(&xml)
            .map(|c| (c[1].to_string(), c[2].parse().unwrap()))
            .collect()
    }

    /// Multipart uploads begun and neither completed nor aborted (ListMultipartUploads).
    pub async fn pending_uploads(&self) -> usize {
        let url = format!("{}/{}?uploads", self.endpoint, self.bucket);
        let xml = reqwest::get(url).await.unwrap().text().await.unwrap();
        xml.matches("<Upload>").count()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
