//! Unpacks an untrusted `.tar.gz` (a project's test workspace) into a folder. Every entry's
//! path must stay inside it (no absolute paths, no `..`, no writing through a link); symbolic
//! links must point inside it; hard links, devices and FIFOs are refused; sizes, counts and
//! depth are checked against [`Limits`] from the headers before a byte is written, and the
//! decompressed stream is cut at the total limit (gzip bombs, oversized PAX headers).

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;
use tar::EntryType;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of all files together, once decompressed.
    pub max_total_bytes: u64,
    pub max_file_bytes: u64,
    pub max_entries: u64,
    /// Path components of an entry.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 256 << 20,
            max_file_bytes: 64 << 20,
            max_entries: 20_000,
            max_depth: 32,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unpacked {
    pub files: u64,
    pub dirs: u64,
    pub links: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("not a gzip-compressed tar archive, or a corrupt one: {0}")]
    Corrupt(String),
    #[error("`{0}` is not a relative path inside the workspace")]
    UnsafePath(String),
    #[error("the link `{0}` points outside the workspace")]
    LinkOutside(String),
    #[error("`{0}` is a {1}, which a workspace may not contain")]
    Unsupported(String, &'static str),
    #[error("{0}")]
    TooLarge(String),
    #[error("writing the workspace: {0}")]
    Io(#[from] io::Error),
}

/// The entry's path as relative normal components, or why not.
fn safe_relative(raw: &Path, limits: &Limits) -> Result<PathBuf, UnpackError> {
    let shown = || raw.display().to_string();
    let mut out = PathBuf::new();
    for component in raw.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(UnpackError::UnsafePath(shown()))
            }
        }
    }
    if out.components().count() > limits.max_depth {
        return Err(UnpackError::TooLarge(format!(
            "`{}` is nested deeper than {} folders",
            shown(),
            limits.max_depth
        )));
    }
    Ok(out)
}

/// Whether a link at `at` (relative to the root) to `target` stays inside the root, resolving
/// `..` lexically.
fn link_stays_inside(at: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let mut depth: Vec<&std::ffi::OsStr> =
        at.parent().map(|p| p.iter().collect()).unwrap_or_default();
    for component in target.components() {
        match component {
            Component::Normal(part) => depth.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if depth.pop().is_none() {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Refuses a path whose existing ancestors (below `root`) include a link: nothing is written
/// through one.
fn no_link_on_the_way(root: &Path, relative: &Path) -> Result<(), UnpackError> {
    let mut at = root.to_path_buf();
    for part in relative.parent().into_iter().flat_map(Path::iter) {
        at.push(part);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(UnpackError::UnsafePath(relative.display().to_string()))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Unpacks the gzip-compressed tar read from `reader` into `dest` (created if needed, expected
/// empty: an existing file is not overwritten).
pub fn unpack(reader: impl Read, dest: &Path, limits: &Limits) -> Result<Unpacked, UnpackError> {
    fs::create_dir_all(dest)?;
    // Headers and padding are small next to the files; the cut keeps a bomb from running on.
    let budget = limits.max_total_bytes + (limits.max_entries + 16) * 2048;
    let stream = GzDecoder::new(reader).take(budget);
    let mut archive = tar::Archive::new(stream);
    let mut done = Unpacked::default();
    let mut entries_seen = 0u64;
    let corrupt = |e: io::Error| UnpackError::Corrupt(e.to_string());
    for entry in archive.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        entries_seen += 1;
        if entries_seen > limits.max_entries {
            return Err(UnpackError::TooLarge(format!(
                "more than {} entries",
                limits.max_entries
            )));
        }
        let raw = entry.path().map_err(corrupt)?.into_owned();
        let relative = safe_relative(&raw, limits)?;
        if relative.as_os_str().is_empty() {
            continue;
        }
        no_link_on_the_way(dest, &relative)?;
        let target = dest.join(&relative);
        let shown = relative.display().to_string();
        match entry.header().entry_type() {
            EntryType::Directory => {
                fs::create_dir_all(&target)?;
                done.dirs += 1;
            }
            EntryType::Regular | EntryType::Continuous => {
                let size = entry.header().size().map_err(corrupt)?;
                if size > limits.max_file_bytes {
                    return Err(UnpackError::TooLarge(format!(
                        "`{shown}` is {size} bytes (at most {})",
                        limits.max_file_bytes
                    )));
                }
                if done.bytes + size > limits.max_total_bytes {
                    return Err(UnpackError::TooLarge(format!(
                        "the files add up to more than {} bytes",
                        limits.max_total_bytes
                    )));
                }
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)?;
                }
                let mut file = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&target)?;
                let written = io::copy(&mut (&mut entry).take(size), &mut file)?;
                if written != size {
                    return Err(UnpackError::Corrupt(format!("`{shown}` ends early")));
                }
                let executable = entry
                    .header()
                    .mode()
                    .map(|m| m & 0o111 != 0)
                    .unwrap_or(false);
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(
                    &target,
                    fs::Permissions::from_mode(if executable { 0o755 } else { 0o644 }),
                )?;
                done.files += 1;
                done.bytes += size;
            }
            EntryType::Symlink => {
                let link = entry
                    .link_name()
                    .map_err(corrupt)?
                    .ok_or_else(|| UnpackError::Corrupt(format!("`{shown}` has no target")))?;
                if !link_stays_inside(&relative, &link) {
                    return Err(UnpackError::LinkOutside(shown));
                }
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)?;
                }
                std::os::unix::fs::symlink(&link, &target)?;
                done.links += 1;
            }
            EntryType::Link => return Err(UnpackError::Unsupported(shown, "hard link")),
            EntryType::Char | EntryType::Block => {
                return Err(UnpackError::Unsupported(shown, "device"))
            }
            EntryType::Fifo => return Err(UnpackError::Unsupported(shown, "FIFO")),
            // PAX and GNU long-name headers are consumed by `tar` itself; anything else is odd.
            _ => return Err(UnpackError::Unsupported(shown, "special entry")),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;

    enum Item<'a> {
        File(&'a str, &'a [u8]),
        Dir(&'a str),
        Symlink(&'a str, &'a str),
        Hardlink(&'a str, &'a str),
    }

    /// A .tar.gz of `items`, headers written by hand where `tar`'s builder would refuse the path.
    fn tarball(items: &[Item]) -> Vec<u8> {
        let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for item in items {
            let mut header = tar::Header::new_gnu();
            let (name, kind, data, link): (&str, EntryType, &[u8], Option<&str>) = match item {
                Item::File(n, d) => (n, EntryType::Regular, d, None),
                Item::Dir(n) => (n, EntryType::Directory, b"", None),
                Item::Symlink(n, t) => (n, EntryType::Symlink, b"", Some(t)),
                Item::Hardlink(n, t) => (n, EntryType::Link, b"", Some(t)),
            };
            // Raw name bytes: `set_path` refuses `..` and absolute paths, which the tests need.
            let bytes = name.as_bytes();
            header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            header.set_entry_type(kind);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            if let Some(t) = link {
                header.as_old_mut().linkname[..t.len()].copy_from_slice(t.as_bytes());
            }
            header.set_cksum();
            builder.append(&header, data).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    fn unpack_items(
        items: &[Item],
        limits: Limits,
    ) -> (tempfile::TempDir, Result<Unpacked, UnpackError>) {
        let dir = tempfile::tempdir().unwrap();
        let result = unpack(&tarball(items)[..], &dir.path().join("ws"), &limits);
        (dir, result)
    }

    #[test]
    fn a_workspace_unpacks_with_its_folders_files_and_inside_links() {
        let items = [
            Item::Dir("tests"),
            Item::File("tests/test_a.py", b"def test_a():\n    assert True\n"),
            Item::File("./pytest.ini", b"[pytest]\n"),
            Item::Symlink("tests/conf.ini", "../pytest.ini"),
        ];
        let (dir, result) = unpack_items(&items, Limits::default());
        let done = result.unwrap();
        assert_eq!((done.files, done.dirs, done.links), (2, 1, 1));
        let ws = dir.path().join("ws");
        assert_eq!(
            fs::read_to_string(ws.join("tests/conf.ini")).unwrap(),
            "[pytest]\n"
        );
        assert_eq!(done.bytes, 39);
    }

    #[test]
    fn paths_and_links_that_leave_the_folder_are_refused() {
        for (items, expected) in [
            (vec![Item::File("../evil", b"x")], "not a relative path"),
            (vec![Item::File("/etc/evil", b"x")], "not a relative path"),
            (
                vec![Item::File("a/../../evil", b"x")],
                "not a relative path",
            ),
            (vec![Item::Symlink("out", "/etc")], "points outside"),
            (vec![Item::Symlink("a/out", "../../etc")], "points outside"),
            (vec![Item::Hardlink("h", "/etc/passwd")], "hard link"),
            (
                vec![Item::Symlink("d", "sub"), Item::File("d/x", b"x")],
                "not a relative path",
            ),
        ] {
            let (dir, result) = unpack_items(&items, Limits::default());
            let message = result.unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
            assert!(!dir.path().join("evil").exists());
        }
    }

    #[test]
    fn limits_are_checked_before_writing() {
        let big = vec![b'x'; 5000];
        let tight = Limits {
            max_total_bytes: 8000,
            max_file_bytes: 4096,
            max_entries: 3,
            max_depth: 2,
        };
        for (items, expected) in [
            (vec![Item::File("big", &big[..])], "4096"),
            (
                vec![
                    Item::File("a", &big[..4000]),
                    Item::File("b", &big[..4000]),
                    Item::File("c", b"1"),
                ],
                "more than 8000",
            ),
            (
                vec![
                    Item::Dir("a"),
                    Item::Dir("b"),
                    Item::Dir("c"),
                    Item::Dir("d"),
                ],
                "more than 3 entries",
            ),
            (vec![Item::File("a/b/c", b"x")], "deeper than 2"),
        ] {
            let (dir, result) = unpack_items(&items, tight);
            let message = result.unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
            assert!(
                !dir.path().join("ws/big").exists(),
                "nothing of an oversized file is written"
            );
        }
    }

    #[test]
    fn garbage_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let err = unpack(&b"definitely not gzip"[..], dir.path(), &Limits::default()).unwrap_err();
        assert!(matches!(err, UnpackError::Corrupt(_)), "{err}");
    }
}
