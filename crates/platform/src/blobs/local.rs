//! The local backend of [`super::BlobStore`]: files written, fsynced and renamed into place, the
//! folder fsynced, so that a stored file survives `kill -9` and power loss.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context;
use tokio::io::AsyncWriteExt;

fn parent(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(path
        .parent()
        .context("a blob key without a folder")?
        .to_path_buf())
}

/// Writes each file, fsyncs them all together (the journal commits them in one go), renames
/// them into place and fsyncs each folder once.
pub(super) fn put_all(dir: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (key, bytes) in files {
        let path = dir.join(key);
        let parent = parent(&path)?;
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let partial = path.with_extension("partial");
        let mut file = std::fs::File::create(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        file.write_all(bytes)?;
        staged.push((file, partial, path, parent));
    }
    std::thread::scope(|scope| {
        let syncs: Vec<_> = staged
            .iter()
            .map(|(file, ..)| scope.spawn(move || file.sync_all()))
            .collect();
        syncs.into_iter().try_for_each(|s| {
            s.join()
                .map_err(|_| anyhow::anyhow!("an fsync thread panicked"))?
                .map_err(anyhow::Error::from)
        })
    })?;
    let mut folders: Vec<&PathBuf> = Vec::new();
    for (_, partial, path, parent) in &staged {
        std::fs::rename(partial, path)?;
        if !folders.contains(&parent) {
            folders.push(parent);
        }
    }
    for folder in folders {
        std::fs::File::open(folder)?.sync_all()?;
    }
    Ok(())
}

pub(super) async fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    tokio::fs::read(path)
        .await
        .with_context(|| format!("reading {}", path.display()))
}

/// Each folder directly under `dir` and when it was last written.
pub(super) fn folders(dir: &Path) -> anyhow::Result<Vec<(String, SystemTime)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
    };
    let mut folders = Vec::new();
    for entry in entries.flatten() {
        let (Some(name), Ok(meta)) = (
            entry.file_name().to_str().map(str::to_string),
            entry.metadata(),
        ) else {
            continue;
        };
        if meta.is_dir() {
            folders.push((name, meta.modified().unwrap_or(std::time::UNIX_EPOCH)));
        }
    }
    Ok(folders)
}

pub(super) async fn remove_dir(path: &Path) -> anyhow::Result<()> {
    match tokio::fs::remove_dir_all(path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("deleting {}", path.display())),
    }
}

/// A file being written as `<name>.partial`, renamed to its name on commit.
pub struct Writer {
    file: tokio::fs::File,
    partial: PathBuf,
    path: PathBuf,
    parent: PathBuf,
}

impl Writer {
    pub(super) async fn create(dir: &Path, key: &str) -> anyhow::Result<Writer> {
        let path = dir.join(key);
        let parent = parent(&path)?;
        tokio::fs::create_dir_all(&parent)
            .await
            .with_context(|| format!("creating {}", parent.display()))?;
        let partial = path.with_extension("partial");
        let file = tokio::fs::File::create(&partial)
            .await
            .with_context(|| format!("creating {}", partial.display()))?;
        Ok(Writer {
            file,
            partial,
            path,
            parent,
        })
    }

    pub(super) async fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.file.write_all(bytes).await.context("writing a file")
    }

    /// Fsyncs the file, renames it into place and fsyncs its folder.
    pub(super) async fn commit(mut self) -> anyhow::Result<()> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        tokio::fs::rename(&self.partial, &self.path).await?;
        tokio::fs::File::open(&self.parent)
            .await?
            .sync_all()
            .await?;
        Ok(())
    }

    pub(super) async fn abort(self) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.partial).await;
        // The folder too, when this was its only file (fails harmlessly otherwise).
        let _ = tokio::fs::remove_dir(&self.parent).await;
    }
}
