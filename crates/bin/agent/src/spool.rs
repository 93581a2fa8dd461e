//! The offline queue: one JSON file per detection in the spool directory, written to a temporary
//! name, fsynced and renamed (so a crash leaves whole files or none). A file goes only when the
//! server has acknowledged its upload id; upload ids are derived from the detection itself, so a
//! replay of the same traffic, or a retry after a lost answer, is stored once.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub struct Spool {
    dir: PathBuf,
}

/// A stable id for a detection of this agent: SHA-256 over who saw what, when.
pub fn upload_id(agent_id: &str, d: &netdetect::Detection) -> String {
    let key = format!(
        "{agent_id}|{}|{}|{:?}|{:?}|{:.6}",
        d.rule.as_str(),
        d.source_ip,
        d.dest_ip,
        d.port,
        d.first_seen
    );
    hex::encode(&Sha256::digest(key.as_bytes())[..16])
}

impl Spool {
    pub fn open(dir: &Path) -> anyhow::Result<Spool> {
        fs::create_dir_all(dir.join("queue"))
            .with_context(|| format!("creating the spool {}", dir.display()))?;
        Ok(Spool {
            dir: dir.to_path_buf(),
        })
    }

    fn queue(&self) -> PathBuf {
        self.dir.join("queue")
    }

    fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        let tmp = path.with_extension("tmp");
        let mut f = File::create(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(path.parent().expect("inside the spool"))?.sync_all()?;
        Ok(())
    }

    /// Queues a detection (already carrying its `upload_id`).
    pub fn push(&self, detection: &Value) -> anyhow::Result<()> {
        let id = detection["upload_id"]
            .as_str()
            .context("a queued detection has an upload_id")?;
        Self::write_durably(
            &self.queue().join(format!("{id}.json")),
            detection.to_string().as_bytes(),
        )
    }

    /// Up to `max` queued detections (oldest files first) with their ids.
    pub fn batch(&self, max: usize) -> anyhow::Result<Vec<(String, Value)>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = fs::read_dir(self.queue())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| Some((fs::metadata(&p).ok()?.modified().ok()?, p)))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for (_, path) in files.into_iter().take(max) {
            let text = fs::read_to_string(&path)?;
            match serde_json::from_str::<Value>(&text) {
                Ok(v) => out.push((
                    path.file_stem()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                    v,
                )),
                // A file no upload can fix: set aside, not retried forever.
                Err(_) => fs::rename(&path, path.with_extension("bad"))?,
            }
        }
        Ok(out)
    }

    pub fn remove(&self, id: &str) -> anyhow::Result<()> {
        match fs::remove_file(self.queue().join(format!("{id}.json"))) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    pub fn len(&self) -> usize {
        fs::read_dir(self.queue())
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// When the server last answered (Unix seconds), kept across restarts for degraded mode.
    pub fn last_contact(&self) -> Option<f64> {
        fs::read_to_string(self.dir.join("last_contact"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    pub fn set_last_contact(&self, ts: f64) -> anyhow::Result<()> {
        Self::write_durably(&self.dir.join("last_contact"), format!("{ts}").as_bytes())
    }
}
