//! Files a service keeps until its work is done (vision's media): a local folder by default, or
//! an S3-compatible bucket so that any node of a cluster reads what any other node stored.
//! Either way a stored file is durable when the call returns: fsynced, or acknowledged by S3.

mod bucket;
mod local;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;

use crate::settings::ObjectStoreSettings;

/// Keys are `<folder>/<name>`: ASCII letters, digits and `_` between single slashes.
fn checked(key: &str) -> anyhow::Result<&str> {
    let valid = !key.is_empty()
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/');
    anyhow::ensure!(valid, "invalid blob key {key:?}");
    Ok(key)
}

#[derive(Clone)]
pub struct BlobStore {
    /// The files themselves, or (with a bucket) where local copies for readers of files go.
    dir: PathBuf,
    bucket: Option<bucket::Bucket>,
}

impl BlobStore {
    /// Files under `dir`.
    pub fn local(dir: &Path) -> BlobStore {
        BlobStore {
            dir: dir.to_path_buf(),
            bucket: None,
        }
    }

    /// The bucket the settings name (keys under `<prefix>/<namespace>/`), else files under `dir`.
    pub fn open(
        settings: &ObjectStoreSettings,
        namespace: &str,
        dir: &Path,
    ) -> anyhow::Result<BlobStore> {
        let bucket = match &settings.s3_bucket {
            Some(name) if !name.is_empty() => {
                Some(bucket::Bucket::open(settings, name, namespace)?)
            }
            _ => None,
        };
        let store = BlobStore {
            dir: dir.to_path_buf(),
            bucket,
        };
        // Copies serve only the jobs this process runs: any left are from a crash.
        if store.bucket.is_some() {
            match std::fs::remove_dir_all(store.copies()) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::warn!(error = %e, "removing stale local copies of blobs")
                }
                _ => {}
            }
        }
        Ok(store)
    }

    /// `local` or `s3://bucket/prefix`, for health and logs.
    pub fn location(&self) -> String {
        match &self.bucket {
            Some(bucket) => bucket.url(),
            None => "local".into(),
        }
    }

    /// Stores several files durably at once.
    pub async fn put_all(&self, files: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
        for (key, _) in &files {
            checked(key)?;
        }
        match &self.bucket {
            Some(bucket) => bucket.put_all(files).await,
            None => {
                let dir = self.dir.clone();
                tokio::task::spawn_blocking(move || local::put_all(&dir, &files))
                    .await
                    .map_err(|e| anyhow::anyhow!("storing files: {e}"))?
            }
        }
    }

    /// A file written piece by piece (an upload), stored only by [`BlobWriter::commit`].
    pub async fn writer(&self, key: &str) -> anyhow::Result<BlobWriter> {
        let key = checked(key)?;
        Ok(match &self.bucket {
            Some(bucket) => BlobWriter::Bucket(bucket.writer(key)),
            None => BlobWriter::Local(local::Writer::create(&self.dir, key).await?),
        })
    }

    pub async fn read(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        let key = checked(key)?;
        match &self.bucket {
            Some(bucket) => bucket.read(key).await,
            None => local::read(&self.dir.join(key)).await,
        }
    }

    /// A path on this machine holding `key`, for readers that need a file (a decoder process):
    /// the file itself, or a copy fetched from the bucket (removed with its folder).
    pub async fn local_file(&self, key: &str) -> anyhow::Result<PathBuf> {
        let key = checked(key)?;
        match &self.bucket {
            Some(bucket) => {
                let path = self.copies().join(key);
                bucket.fetch(key, &path).await?;
                Ok(path)
            }
            None => Ok(self.dir.join(key)),
        }
    }

    /// Each folder and when it was last written.
    pub async fn folders(&self) -> anyhow::Result<Vec<(String, SystemTime)>> {
        let listed = match &self.bucket {
            Some(bucket) => bucket.folders().await?,
            None => {
                let dir = self.dir.clone();
                tokio::task::spawn_blocking(move || local::folders(&dir))
                    .await
                    .map_err(|e| anyhow::anyhow!("listing files: {e}"))??
            }
        };
        Ok(listed
            .into_iter()
            .filter(|(name, _)| checked(name).is_ok())
            .collect())
    }

    /// Deletes every file of `folder` (and this machine's copies of them).
    pub async fn delete_folder(&self, folder: &str) -> anyhow::Result<()> {
        let folder = checked(folder)?;
        if let Some(bucket) = &self.bucket {
            bucket.delete_folder(folder).await?;
            return local::remove_dir(&self.copies().join(folder)).await;
        }
        local::remove_dir(&self.dir.join(folder)).await
    }

    /// Where fetched copies go: a name no key can take, so never listed as a folder.
    fn copies(&self) -> PathBuf {
        self.dir.join(".copies")
    }
}

/// An upload in progress; dropped without [`BlobWriter::commit`], nothing is stored (call
/// [`BlobWriter::abort`] to clean up at once).
pub enum BlobWriter {
    Local(local::Writer),
    Bucket(bucket::Writer),
}

impl BlobWriter {
    pub async fn write(&mut self, bytes: Bytes) -> anyhow::Result<()> {
        match self {
            BlobWriter::Local(w) => w.write(&bytes).await,
            BlobWriter::Bucket(w) => w.write(bytes).await,
        }
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        match self {
            BlobWriter::Local(w) => w.commit().await,
            BlobWriter::Bucket(w) => w.commit().await,
        }
    }

    pub async fn abort(self) {
        match self {
            BlobWriter::Local(w) => w.abort().await,
            BlobWriter::Bucket(w) => w.abort().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_their_folder() {
        for key in [
            "../x",
            "a/../b",
            "/etc/passwd",
            "",
            "a//b",
            "a b",
            ".copies/x",
        ] {
            assert!(checked(key).is_err(), "{key}");
        }
        assert!(checked("image_batch_01/0").is_ok());
    }

    async fn folder_names(store: &BlobStore) -> Vec<String> {
        let mut names: Vec<String> = store
            .folders()
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.0)
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn local_files_round_trip_and_go_with_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path());
        store
            .put_all(vec![
                ("job_1/0".into(), b"zero".to_vec()),
                ("job_1/1".into(), b"one".to_vec()),
            ])
            .await
            .unwrap();
        let mut writer = store.writer("job_2/video").await.unwrap();
        writer.write(Bytes::from_static(b"vid")).await.unwrap();
        writer.write(Bytes::from_static(b"eo")).await.unwrap();
        assert!(
            store.read("job_2/video").await.is_err(),
            "not stored before commit"
        );
        writer.commit().await.unwrap();
        assert_eq!(store.read("job_1/1").await.unwrap(), b"one");
        assert_eq!(store.read("job_2/video").await.unwrap(), b"video");
        assert_eq!(folder_names(&store).await, ["job_1", "job_2"]);
        store.delete_folder("job_1").await.unwrap();
        store.delete_folder("job_1").await.unwrap();
        assert!(store.read("job_1/0").await.is_err());
        let aborted = store.writer("job_3/video").await.unwrap();
        aborted.abort().await;
        assert_eq!(folder_names(&store).await, ["job_2"]);
    }
}
