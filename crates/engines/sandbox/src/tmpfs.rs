//! The session tmpfs: mounted size-capped (and `noswap` where the kernel has it), written into
//! safely from the host, overwritten and read back on destroy, then unmounted and checked gone.

use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{FileExt, MetadataExt, PermissionsExt};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::AtFlags;
use nix::fcntl::{openat, OFlag};
use nix::mount::{umount2, MntFlags, MsFlags};
use nix::sys::stat::{mkdirat, Mode};
use nix::unistd::{fchown, fchownat, unlinkat, Gid, Uid, UnlinkatFlags};

use crate::merkle::MerkleBuilder;
use crate::teardown::{MountEvidence, WipeEvidence};
use crate::SandboxError;

/// Directories made in every session tmpfs: `input/` (the contract's), and the backing of the
/// sandbox's `/tmp` and `/dev/shm`, so that everything a command can write lands here and is
/// wiped with the rest.
pub(crate) const SUBDIRS: [&str; 3] = ["input", ".tmp", ".shm"];

/// Mounts the tmpfs at `dir`, owned by `uid`. Returns whether `noswap` took.
pub(crate) fn mount(dir: &Path, size: u64, uid: u32) -> Result<bool, SandboxError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| SandboxError::io(format!("creating {}", dir.display()), e))?;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
    // No uid= / gid= options: they would show the host uid in the sandbox's mountinfo. The
    // root of the tmpfs is chowned instead, once mounted.
    let base = format!("size={size},nr_inodes=16384,mode=0700");
    let noswap = match nix::mount::mount(
        Some("tmpfs"),
        dir,
        Some("tmpfs"),
        flags,
        Some(format!("{base},noswap").as_str()),
    ) {
        Ok(()) => true,
        Err(Errno::EINVAL) => {
            nix::mount::mount(
                Some("tmpfs"),
                dir,
                Some("tmpfs"),
                flags,
                Some(base.as_str()),
            )
            .map_err(|e| SandboxError::io("mounting the session tmpfs", e.into()))?;
            false
        }
        Err(e) => {
            let _ = std::fs::remove_dir(dir);
            return Err(SandboxError::io("mounting the session tmpfs", e.into()));
        }
    };
    if let Err(e) = std::os::unix::fs::chown(dir, Some(uid), Some(uid)) {
        let _ = unmount(dir);
        return Err(SandboxError::io("owning the session tmpfs", e));
    }
    for sub in SUBDIRS {
        let path = dir.join(sub);
        let made = std::fs::create_dir(&path)
            .and_then(|_| std::os::unix::fs::chown(&path, Some(uid), Some(uid)));
        if let Err(e) = made {
            let _ = unmount(dir);
            return Err(SandboxError::io(format!("creating {sub}/"), e));
        }
    }
    Ok(noswap)
}

/// Writes `data` to `input/data` without trusting what an earlier command left there: the
/// directory is opened without following a link, whatever sits at `data` (a symlink, a FIFO, a
/// file) is unlinked, and a new regular file is created exclusively and non-blocking.
/// `root` is the session tmpfs, opened by `open_root` on the mount thread: the write itself can
/// then run on any thread (a descriptor reaches its mount from any namespace), with no copy of
/// the data.
pub(crate) fn write_input(root: &OwnedFd, data: &[u8], uid: u32) -> Result<(), SandboxError> {
    let bad = |what: &str, e: Errno| SandboxError::Input(format!("{what}: {e}"));
    let root = root.as_fd();
    let input = match open_dir_at(&root, "input") {
        Ok(fd) => fd,
        // Not a directory any more (a symlink or a file was planted): replace it.
        Err(Errno::ENOTDIR | Errno::ELOOP | Errno::ENOENT) => {
            let _ = unlinkat(root, "input", UnlinkatFlags::NoRemoveDir);
            mkdirat(root, "input", Mode::from_bits_truncate(0o700))
                .map_err(|e| bad("re-creating input/", e))?;
            fchownat(
                root,
                "input",
                Some(Uid::from_raw(uid)),
                Some(Gid::from_raw(uid)),
                AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(|e| bad("owning input/", e))?;
            open_dir_at(&root, "input").map_err(|e| bad("opening input/", e))?
        }
        Err(e) => return Err(bad("opening input/", e)),
    };
    match unlinkat(&input, "data", UnlinkatFlags::NoRemoveDir) {
        Ok(()) | Err(Errno::ENOENT) => {}
        Err(Errno::EISDIR) => {
            return Err(SandboxError::Input(
                "input/data is a directory; remove it in a command first".into(),
            ))
        }
        Err(e) => return Err(bad("clearing input/data", e)),
    }
    let fd = openat(
        &input,
        "data",
        OFlag::O_WRONLY
            | OFlag::O_CREAT
            | OFlag::O_EXCL
            | OFlag::O_NOFOLLOW
            | OFlag::O_NONBLOCK
            | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(0o600),
    )
    .map_err(|e| bad("creating input/data", e))?;
    fchown(&fd, Some(Uid::from_raw(uid)), Some(Gid::from_raw(uid)))
        .map_err(|e| bad("owning input/data", e))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(data)
        .map_err(|e| SandboxError::Input(format!("writing input/data: {e}")))
}

/// The session directory, opened without following a link (on the mount thread, where the
/// tmpfs is mounted).
pub(crate) fn open_root(dir: &Path) -> Result<OwnedFd, SandboxError> {
    nix::fcntl::open(
        dir,
        OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| SandboxError::Input(format!("opening the session directory: {e}")))
}

fn open_dir_at<Fd: AsFd>(dir: &Fd, name: &str) -> Result<OwnedFd, Errno> {
    openat(
        dir,
        name,
        OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// Overwrite patterns, in order; the last is zeros, which the readback then checks.
const PASSES: [Pattern; 3] = [Pattern::Random, Pattern::Ones, Pattern::Zeros];

#[derive(Clone, Copy)]
enum Pattern {
    Random,
    Ones,
    Zeros,
}

const CHUNK: usize = 64 * 1024;
pub(crate) const BLOCK: usize = 4096;

/// Overwrites every data byte of every regular file under `dir` (holes hold no data) with
/// random bytes, ones, then zeros, reads each block back, checks it is zero and adds it to a
/// Merkle tree; then unlinks everything. Runs only when nothing can still write there.
pub(crate) fn wipe(dir: &Path) -> WipeEvidence {
    let mut evidence = WipeEvidence {
        passes: PASSES.len() as u32,
        pattern: "random, 0xFF, 0x00; readback of every block".into(),
        ..WipeEvidence::default()
    };
    let mut merkle = MerkleBuilder::default();
    wipe_tree(dir, &mut evidence, &mut merkle);
    evidence.blocks = merkle.leaf_count();
    evidence.merkle_root = merkle.root_hex();
    evidence.readback_all_zero = evidence.nonzero_blocks == 0 && evidence.errors.is_empty();
    // Unlink what is there now; count what is left (must be nothing).
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let removed = match entry.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
                _ => std::fs::remove_file(&path),
            };
            if let Err(e) = removed {
                evidence
                    .errors
                    .push(format!("unlinking {}: {e}", path.display()));
            }
        }
    }
    evidence.entries_left = std::fs::read_dir(dir)
        .map(|d| d.count() as u64)
        .unwrap_or(0);
    evidence
}

fn wipe_tree(dir: &Path, evidence: &mut WipeEvidence, merkle: &mut MerkleBuilder) {
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.flatten().collect(),
        Err(e) => {
            evidence
                .errors
                .push(format!("listing {}: {e}", dir.display()));
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let kind = meta.file_type();
        if kind.is_dir() {
            evidence.directories += 1;
            wipe_tree(&path, evidence, merkle);
        } else if kind.is_file() {
            evidence.files += 1;
            if let Err(e) = wipe_file(&path, meta.size(), evidence, merkle) {
                evidence
                    .errors
                    .push(format!("overwriting {}: {e}", path.display()));
            }
        } else {
            // Symlinks, FIFOs, sockets: no data blocks of their own; unlinked below.
            evidence.other_entries += 1;
        }
    }
}

fn wipe_file(
    path: &Path,
    size: u64,
    evidence: &mut WipeEvidence,
    merkle: &mut MerkleBuilder,
) -> std::io::Result<()> {
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    let fd = nix::fcntl::open(
        path,
        OFlag::O_RDWR | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let file = std::fs::File::from(fd);
    let extents = data_extents(&file, size);
    let data_bytes: u64 = extents.iter().map(|(s, e)| e - s).sum();
    evidence.hole_bytes += size - data_bytes.min(size);
    let mut buf = vec![0u8; CHUNK];
    for pattern in PASSES {
        for &(start, end) in &extents {
            let mut at = start;
            while at < end {
                let n = ((end - at) as usize).min(CHUNK);
                match pattern {
                    Pattern::Random => {
                        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut buf[..n])
                    }
                    Pattern::Ones => buf[..n].fill(0xFF),
                    Pattern::Zeros => buf[..n].fill(0),
                }
                file.write_all_at(&buf[..n], at)?;
                at += n as u64;
            }
        }
    }
    evidence.bytes_overwritten += data_bytes;
    for &(start, end) in &extents {
        let mut at = start;
        while at < end {
            let n = ((end - at) as usize).min(CHUNK);
            file.read_exact_at(&mut buf[..n], at)?;
            for block in buf[..n].chunks(BLOCK) {
                if block.iter().any(|b| *b != 0) {
                    evidence.nonzero_blocks += 1;
                }
                merkle.push_block(block);
            }
            at += n as u64;
        }
    }
    evidence.bytes_read_back += data_bytes;
    Ok(())
}

/// `(start, end)` of each run of data in the file (tmpfs answers SEEK_DATA / SEEK_HOLE).
fn data_extents(file: &std::fs::File, size: u64) -> Vec<(u64, u64)> {
    use nix::unistd::{lseek, Whence};
    let fd = file.as_fd();
    let mut extents = Vec::new();
    let mut at: i64 = 0;
    while (at as u64) < size {
        let Ok(start) = lseek(fd, at, Whence::SeekData) else {
            break;
        };
        let end = lseek(fd, start, Whence::SeekHole).unwrap_or(size as i64);
        if end <= start {
            break;
        }
        extents.push((start as u64, end as u64));
        at = end;
    }
    extents
}

/// Unmounts the tmpfs, checks that no mount remains at `dir`, removes the mount point.
pub(crate) fn unmount(dir: &Path) -> MountEvidence {
    let mut evidence = MountEvidence {
        mount_point: dir.display().to_string(),
        ..MountEvidence::default()
    };
    evidence.was_mounted = is_mounted(dir);
    if evidence.was_mounted {
        if let Err(e) = umount2(dir, MntFlags::empty()) {
            evidence.error = Some(format!("umount2: {e}"));
        }
    }
    evidence.absent_from_mountinfo = !is_mounted(dir);
    match std::fs::remove_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            if evidence.error.is_none() {
                evidence.error = Some(format!("removing the mount point: {e}"));
            }
        }
    }
    evidence.mount_point_removed = !dir.exists();
    evidence
}

/// Whether the calling thread's mountinfo lists a mount at `dir` (called on the mount thread,
/// whose namespace holds the session mounts).
pub(crate) fn is_mounted(dir: &Path) -> bool {
    let wanted = dir.to_string_lossy();
    std::fs::read_to_string(crate::keeper::MOUNTINFO)
        .unwrap_or_default()
        .lines()
        .any(|line| line.split(' ').nth(4) == Some(&*wanted))
}
