//! The crash watcher: a small process, started with the engine, that outlives it. The engine
//! tells it over a pipe which session cgroups exist ("add <dir>", "del <dir>"); when the pipe
//! closes (the engine is gone: dropped, or its process killed), it removes the cgroups still
//! listed, once their processes (killed with the server) have left, and writes what it did to a
//! report file that recovery cites in the session's CDP. Session mounts need no such help: they
//! go with the server's mount namespace (`keeper`).

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

/// POSIX sh: keep the live set, and at end of input remove what is left (rmdir succeeds only
/// once a group is empty; it is retried for up to 5 s), one line per directory in the report.
/// The set is one string of newline-framed lines, edited with parameter expansions only: no
/// fork per message (a `grep` per removal cost every session's teardown a fork and an exec on
/// a CPU the request path needed).
const SCRIPT: &str = r#"
set -f
# The signals a service manager sends the server's whole group when it dies are not for this.
trap '' TERM HUP INT
nl='
'
live="$nl"
while IFS= read -r line; do
  case "$line" in
    "add "*) live="$live${line#add }$nl" ;;
    "del "*) gone="$nl${line#del }$nl"
      case "$live" in
        *"$gone"*) live="${live%%"$gone"*}$nl${live#*"$gone"}" ;;
      esac ;;
  esac
done
printf '%s\n' "$live" | while IFS= read -r dir; do
  [ -n "$dir" ] || continue
  if [ ! -d "$dir" ]; then echo "absent $dir"; continue; fi
  tries=0
  while [ -d "$dir" ] && [ "$tries" -lt 50 ]; do
    rmdir "$dir" 2>/dev/null || sleep 0.1
    tries=$((tries + 1))
  done
  if [ -d "$dir" ]; then echo "left $dir"; else echo "removed $dir"; fi
done > "$1.part"
# A clean stop leaves nothing to report: only a crash's report is kept.
if [ -s "$1.part" ]; then mv "$1.part" "$1"; else rm -f "$1.part"; fi
"#;

pub(crate) struct Watcher {
    input: Mutex<Option<ChildStdin>>,
    child: Mutex<Option<Child>>,
}

impl Watcher {
    /// Starts the watcher; its report goes to `report`. None when `/bin/sh` cannot be started
    /// (the engine then runs without one, and recovery removes the groups at the next start).
    pub(crate) fn start(report: &Path) -> Option<Watcher> {
        let mut child = Command::new("/bin/sh")
            .args(["-c", SCRIPT, "redoubt-crash-watcher"])
            .arg(report)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            // Its own process group: a signal meant for the server's group does not reach it.
            .process_group(0)
            .spawn()
            .ok()?;
        let input = child.stdin.take()?;
        Some(Watcher {
            input: Mutex::new(Some(input)),
            child: Mutex::new(Some(child)),
        })
    }

    pub(crate) fn added(&self, dirs: &[PathBuf]) {
        self.tell("add", dirs);
    }

    pub(crate) fn removed(&self, dirs: &[PathBuf]) {
        self.tell("del", dirs);
    }

    fn tell(&self, verb: &str, dirs: &[PathBuf]) {
        let mut input = self.input.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pipe) = input.as_mut() {
            for dir in dirs {
                // One short line per write: atomic on a pipe.
                let _ = pipe.write_all(format!("{verb} {}\n", dir.display()).as_bytes());
            }
        }
    }
}

/// On a clean stop the pipe closes and the watcher finds nothing left; it is reaped here.
impl Drop for Watcher {
    fn drop(&mut self) {
        drop(self.input.lock().unwrap_or_else(|e| e.into_inner()).take());
        if let Some(mut child) = self.child.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = child.wait();
        }
    }
}

/// What watchers reported about `dir`: `Some(true)` removed by the watcher (its rmdir
/// succeeded) after its engine was gone, `Some(false)` found absent or still busy, None not
/// mentioned. Reports sit in `root`.
pub(crate) fn reported(root: &Path, dir: &Path) -> Option<bool> {
    let removed = format!("removed {}", dir.display());
    let left = format!("left {}", dir.display());
    std::fs::read_dir(root)
        .ok()?
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            // A `.part` file is a report still being written (or cut short): not evidence.
            name.starts_with(REPORT_PREFIX) && !name.ends_with(".part")
        })
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .flat_map(|text| text.lines().map(str::to_string).collect::<Vec<_>>())
        .find_map(|line| {
            if line == removed {
                Some(true)
            } else if line == left || line == format!("absent {}", dir.display()) {
                Some(false)
            } else {
                None
            }
        })
}

pub(crate) const REPORT_PREFIX: &str = ".crash-watcher-";
