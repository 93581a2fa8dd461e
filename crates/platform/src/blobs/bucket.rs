//! The S3 backend of [`super::BlobStore`] (`object_store`): keys under `<prefix>/<namespace>/`,
//! uploads of any size streamed through a bounded buffer (multipart beyond 10 MiB).

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Context;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tokio::io::AsyncWriteExt;

use crate::settings::ObjectStoreSettings;

/// Uploads and deletions in flight at once.
const CONCURRENCY: usize = 8;

#[derive(Clone)]
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    name: String,
    /// `<prefix>/<namespace>`, without slashes at either end.
    root: String,
}

impl Bucket {
    /// Credentials, region and endpoint from the settings, else from the usual `AWS_*`
    /// environment variables.
    pub(super) fn open(
        settings: &ObjectStoreSettings,
        name: &str,
        namespace: &str,
    ) -> anyhow::Result<Bucket> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(name)
            .with_allow_http(settings.s3_allow_http);
        if let Some(endpoint) = &settings.s3_endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(region) = &settings.s3_region {
            builder = builder.with_region(region);
        }
        if let Some(id) = &settings.s3_access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &settings.s3_secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        let store = builder
            .build()
            .with_context(|| format!("configuring the S3 bucket {name}"))?;
        let root = [settings.s3_prefix.trim_matches('/'), namespace]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        Ok(Bucket {
            store: Arc::new(store),
            name: name.to_string(),
            root,
        })
    }

    pub(super) fn url(&self) -> String {
        format!("s3://{}/{}", self.name, self.root)
    }

    fn path(&self, key: &str) -> ObjectPath {
        ObjectPath::from(format!("{}/{key}", self.root))
    }

    pub(super) async fn put_all(&self, files: Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
        futures::stream::iter(files)
            .map(|(key, bytes)| async move {
                self.store
                    .put(&self.path(&key), PutPayload::from(bytes))
                    .await
                    .with_context(|| format!("uploading {key}"))
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect::<Vec<_>>()
            .await?;
        Ok(())
    }

    pub(super) fn writer(&self, key: &str) -> Writer {
        Writer(BufWriter::new(self.store.clone(), self.path(key)))
    }

    pub(super) async fn read(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        let got = self
            .store
            .get(&self.path(key))
            .await
            .with_context(|| format!("fetching {key}"))?;
        Ok(got.bytes().await?.to_vec())
    }

    /// Streams `key` into the file at `to` (replacing it).
    pub(super) async fn fetch(&self, key: &str, to: &Path) -> anyhow::Result<()> {
        if let Some(parent) = to.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let got = self
            .store
            .get(&self.path(key))
            .await
            .with_context(|| format!("fetching {key}"))?;
        let mut file = tokio::fs::File::create(to)
            .await
            .with_context(|| format!("creating {}", to.display()))?;
        let mut stream = got.into_stream();
        while let Some(chunk) = stream.next().await {
            file.write_all(&chunk?).await?;
        }
        file.flush().await?;
        Ok(())
    }

    /// Each folder under the root, with its newest object's time.
    pub(super) async fn folders(&self) -> anyhow::Result<Vec<(String, SystemTime)>> {
        let root = ObjectPath::from(self.root.as_str());
        let mut listing = self.store.list(Some(&root));
        let mut folders: std::collections::BTreeMap<String, SystemTime> = Default::default();
        while let Some(meta) = listing.next().await {
            let meta = meta.context("listing the bucket")?;
            let Some(rest) = meta
                .location
                .as_ref()
                .strip_prefix(&format!("{}/", self.root))
            else {
                continue;
            };
            let Some((folder, _)) = rest.split_once('/') else {
                continue;
            };
            let modified = SystemTime::from(meta.last_modified);
            let newest = folders.entry(folder.to_string()).or_insert(modified);
            *newest = (*newest).max(modified);
        }
        Ok(folders.into_iter().collect())
    }

    pub(super) async fn delete_folder(&self, folder: &str) -> anyhow::Result<()> {
        let prefix = self.path(folder);
        let objects = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .boxed();
        self.store
            .delete_stream(objects)
            .try_collect::<Vec<_>>()
            .await
            .with_context(|| format!("deleting {folder}"))?;
        Ok(())
    }
}

pub struct Writer(BufWriter);

impl Writer {
    pub(super) async fn write(&mut self, bytes: Bytes) -> anyhow::Result<()> {
        self.0.put(bytes).await.context("uploading")
    }

    /// Uploads what is buffered and completes the upload: stored once this returns.
    pub(super) async fn commit(mut self) -> anyhow::Result<()> {
        self.0.shutdown().await.context("completing the upload")
    }

    pub(super) async fn abort(mut self) {
        let _ = self.0.abort().await;
    }
}
