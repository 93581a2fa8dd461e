//! ZIP archives with a manifest: every entry is deflated, and `manifest.json` (written last)
//! lists each file's name, size and SHA-256, so a recipient can check what it received.

use std::io::{Cursor, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The manifest's file name inside the archive.
pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ManifestEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Builds an archive in memory, one file at a time.
pub struct ArchiveBuilder {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    entries: Vec<ManifestEntry>,
}

impl Default for ArchiveBuilder {
    fn default() -> Self {
        ArchiveBuilder::new()
    }
}

impl ArchiveBuilder {
    pub fn new() -> ArchiveBuilder {
        ArchiveBuilder {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
            entries: Vec::new(),
        }
    }

    fn options() -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
            .large_file(false)
    }

    /// Adds `name` with `contents`, recording its hash for the manifest.
    pub fn add(&mut self, name: &str, contents: &[u8]) -> std::io::Result<()> {
        let mut file = self.begin(name)?;
        file.write(contents)?;
        file.end();
        Ok(())
    }

    /// Starts `name`, to be written in pieces (a file too large to hold whole) and ended.
    pub fn begin(&mut self, name: &str) -> std::io::Result<FileWriter<'_>> {
        if name == MANIFEST || self.entries.iter().any(|e| e.name == name) {
            return Err(std::io::Error::other(format!(
                "{name} is already in the archive"
            )));
        }
        self.zip
            .start_file(name, Self::options())
            .map_err(std::io::Error::other)?;
        Ok(FileWriter {
            builder: self,
            name: name.to_string(),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Writes the manifest (`extra` fields beside `files`) and returns the archive's bytes.
    pub fn finish(mut self, extra: serde_json::Value) -> std::io::Result<Vec<u8>> {
        let mut manifest = match extra {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        manifest.insert("algorithm".into(), "sha256".into());
        manifest.insert(
            "files".into(),
            serde_json::to_value(&self.entries).map_err(std::io::Error::other)?,
        );
        let bytes = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
        self.zip
            .start_file(MANIFEST, Self::options())
            .map_err(std::io::Error::other)?;
        self.zip.write_all(&bytes)?;
        Ok(self
            .zip
            .finish()
            .map_err(std::io::Error::other)?
            .into_inner())
    }
}

/// One file being written; [`FileWriter::end`] records it in the manifest.
pub struct FileWriter<'a> {
    builder: &'a mut ArchiveBuilder,
    name: String,
    hasher: Sha256,
    bytes: u64,
}

impl FileWriter<'_> {
    pub fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.builder.zip.write_all(chunk)?;
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
        Ok(())
    }

    pub fn end(self) {
        self.builder.entries.push(ManifestEntry {
            name: self.name,
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.finalize()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn read_all(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut zip = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut file = zip.by_index(i).unwrap();
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).unwrap();
                (file.name().unwrap().to_string(), bytes)
            })
            .collect()
    }

    #[test]
    fn the_manifest_hashes_match_the_files() {
        let mut builder = ArchiveBuilder::new();
        builder.add("a.json", b"[1,2,3]").unwrap();
        let mut big = builder.begin("dir/b.json").unwrap();
        for _ in 0..10 {
            big.write(&[b'x'; 10_000]).unwrap();
        }
        big.end();
        let archive = builder.finish(serde_json::json!({"tenant": "t"})).unwrap();
        let files = read_all(&archive);
        let (name, manifest) = files.last().unwrap();
        assert_eq!(name, MANIFEST);
        let manifest: serde_json::Value = serde_json::from_slice(manifest).unwrap();
        assert_eq!(manifest["tenant"], "t");
        let listed = manifest["files"].as_array().unwrap();
        assert_eq!(listed.len(), 2);
        for (entry, (name, bytes)) in listed.iter().zip(&files) {
            assert_eq!(entry["name"], name.as_str());
            assert_eq!(entry["sha256"], hex::encode(Sha256::digest(bytes)));
        }
    }

    #[test]
    fn a_name_cannot_be_added_twice() {
        let mut builder = ArchiveBuilder::new();
        builder.add("a", b"1").unwrap();
        assert!(builder.add("a", b"2").is_err());
        assert!(builder.add(MANIFEST, b"{}").is_err());
    }
}
