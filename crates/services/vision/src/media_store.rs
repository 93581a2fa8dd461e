//! Where submitted media waits for its job: files under the media directory, written and
//! fsynced before the 202 (so a job survives `kill -9`), deleted when the job ends.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

#[derive(Clone)]
pub struct MediaStore {
    dir: PathBuf,
}

impl MediaStore {
    pub fn new(dir: &Path) -> MediaStore {
        MediaStore {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        // Keys are made by the service (`<job id>/<n>`); refuse anything else.
        let valid = !key.is_empty()
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/');
        anyhow::ensure!(valid, "invalid media key {key:?}");
        Ok(self.dir.join(key))
    }

    /// Stores several files of one folder durably at once: each written, all fsynced together
    /// (the journal commits them in one go), renamed into place, the folder fsynced once.
    pub fn put_all(&self, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
        let mut staged = Vec::with_capacity(files.len());
        for (key, bytes) in files {
            let path = self.path(key)?;
            let parent = path
                .parent()
                .context("media key without a folder")?
                .to_path_buf();
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

    /// A file written piece by piece (an upload), in place only after [`MediaWriter::commit`].
    pub fn writer(&self, key: &str) -> anyhow::Result<MediaWriter> {
        let path = self.path(key)?;
        let parent = path
            .parent()
            .context("media key without a folder")?
            .to_path_buf();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let partial = path.with_extension("partial");
        let file = std::fs::File::create(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        Ok(MediaWriter {
            file,
            partial,
            path,
            parent,
        })
    }

    /// Where `key` is on disk (for decoders that read a file).
    pub fn file(&self, key: &str) -> anyhow::Result<PathBuf> {
        self.path(key)
    }

    pub fn read(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.path(key)?;
        std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
    }

    /// Each job folder and when it was last written.
    pub fn job_folders(&self) -> anyhow::Result<Vec<(String, std::time::SystemTime)>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("listing {}", self.dir.display())),
        };
        let mut folders = Vec::new();
        for entry in entries.flatten() {
            let (Some(name), Ok(meta)) = (
                entry.file_name().to_str().map(str::to_string),
                entry.metadata(),
            ) else {
                continue;
            };
            if meta.is_dir() && self.path(&name).is_ok() {
                folders.push((name, meta.modified().unwrap_or(std::time::UNIX_EPOCH)));
            }
        }
        Ok(folders)
    }

    /// Deletes everything stored for `job_id`.
    pub fn delete_job(&self, job_id: &str) -> anyhow::Result<()> {
        let path = self.path(job_id)?;
        match std::fs::remove_dir_all(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("deleting {}", path.display())),
        }
    }
}

pub struct MediaWriter {
    file: std::fs::File,
    partial: PathBuf,
    path: PathBuf,
    parent: PathBuf,
}

impl MediaWriter {
    pub fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.file.write_all(bytes).context("writing media")
    }

    /// Fsyncs the file, renames it into place and fsyncs its folder.
    pub fn commit(self) -> anyhow::Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.partial, &self.path)?;
        std::fs::File::open(&self.parent)?.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_cannot_leave_the_directory() {
        let store = super::MediaStore::new(std::path::Path::new("/tmp/none"));
        for key in ["../x", "a/../b", "/etc/passwd", "", "a//b", "a b"] {
            assert!(store.path(key).is_err(), "{key}");
        }
        assert!(store.path("image_batch_01/0").is_ok());
    }
}
