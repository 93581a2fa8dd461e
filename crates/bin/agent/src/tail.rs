//! Following a host auth log (auth.log, secure, or a journald export piped to a file): new
//! lines since the last read, from the end at start, across rotation (a file that shrank or was
//! replaced is read again from its start).

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

pub struct LogTail {
    path: PathBuf,
    offset: u64,
    inode: u64,
    partial: String,
}

/// Longest line kept; longer ones are cut (sshd lines are far shorter).
const MAX_LINE: usize = 8192;

impl LogTail {
    /// Starts at the end of the file (or at its start with `from_start`, for replays).
    pub fn new(path: PathBuf, from_start: bool) -> LogTail {
        let meta = std::fs::metadata(&path).ok();
        LogTail {
            offset: if from_start {
                0
            } else {
                meta.as_ref().map_or(0, |m| m.len())
            },
            inode: meta.map_or(0, |m| m.ino()),
            path,
            partial: String::new(),
        }
    }

    /// Complete lines appended since the last call.
    pub fn read(&mut self) -> Vec<String> {
        let Ok(meta) = std::fs::metadata(&self.path) else {
            return Vec::new();
        };
        if meta.ino() != self.inode || meta.len() < self.offset {
            self.inode = meta.ino();
            self.offset = 0;
            self.partial.clear();
        }
        let Ok(mut file) = File::open(&self.path) else {
            return Vec::new();
        };
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return Vec::new();
        }
        let mut reader = BufReader::new(file);
        let mut lines = Vec::new();
        let mut buf = Vec::new();
        while let Ok(n) = reader.read_until(b'\n', &mut buf) {
            if n == 0 {
                break;
            }
            self.offset += n as u64;
            let text = String::from_utf8_lossy(&buf);
            if text.ends_with('\n') {
                let mut line = std::mem::take(&mut self.partial);
                line.push_str(text.trim_end_matches(['\n', '\r']));
                if line.len() > MAX_LINE {
                    let mut cut = MAX_LINE;
                    while !line.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    line.truncate(cut);
                }
                lines.push(line);
            } else if self.partial.len() < MAX_LINE {
                self.partial.push_str(&text);
            }
            buf.clear();
        }
        lines
    }
}
