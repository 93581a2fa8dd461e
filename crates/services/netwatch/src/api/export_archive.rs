//! The GDPR export's ZIP, deflated and hashed on a blocking thread while the handler reads and
//! serialises the next page: the two halves of the work overlap instead of taking turns.

use documents::archive::ArchiveBuilder;
use platform::http::ApiError;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What the handler hands the archive thread, in order.
enum Piece {
    Begin(String),
    Chunk(Vec<u8>),
    End,
    Whole(String, Vec<u8>),
    Finish(serde_json::Value),
}

/// Pieces in flight: enough to keep the thread busy, few enough to bound memory (chunks are a
/// page of rows, a few MB at most).
const IN_FLIGHT: usize = 4;

/// The finished archive and its SHA-256 (hex), computed on the archive thread too.
pub struct Archive {
    pub bytes: Vec<u8>,
    pub sha256: String,
}

pub struct ExportArchive {
    pieces: mpsc::Sender<Piece>,
    thread: JoinHandle<std::io::Result<Archive>>,
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    anyhow::anyhow!("writing the export: {e}").into()
}

fn build(mut pieces: mpsc::Receiver<Piece>) -> std::io::Result<Archive> {
    let out_of_order = || std::io::Error::other("export pieces out of order");
    let mut zip = ArchiveBuilder::new();
    while let Some(piece) = pieces.blocking_recv() {
        match piece {
            Piece::Begin(name) => {
                let mut file = zip.begin(&name)?;
                loop {
                    match pieces.blocking_recv() {
                        Some(Piece::Chunk(bytes)) => file.write(&bytes)?,
                        Some(Piece::End) => break,
                        _ => return Err(out_of_order()),
                    }
                }
                file.end();
            }
            Piece::Whole(name, bytes) => zip.add(&name, &bytes)?,
            Piece::Finish(extra) => {
                let bytes = zip.finish(extra)?;
                let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
                return Ok(Archive { bytes, sha256 });
            }
            Piece::Chunk(_) | Piece::End => return Err(out_of_order()),
        }
    }
    Err(std::io::Error::other(
        "the export stopped before it finished",
    ))
}

impl ExportArchive {
    pub fn start() -> ExportArchive {
        let (pieces, receiver) = mpsc::channel(IN_FLIGHT);
        ExportArchive {
            pieces,
            thread: tokio::task::spawn_blocking(move || build(receiver)),
        }
    }

    async fn send(&self, piece: Piece) -> Result<(), ApiError> {
        self.pieces
            .send(piece)
            .await
            .map_err(|_| failed("the archive thread stopped"))
    }

    /// Starts a file written in chunks, up to [`ExportArchive::end`].
    pub async fn begin(&self, name: &str) -> Result<(), ApiError> {
        self.send(Piece::Begin(name.to_string())).await
    }

    pub async fn write(&self, chunk: Vec<u8>) -> Result<(), ApiError> {
        self.send(Piece::Chunk(chunk)).await
    }

    pub async fn end(&self) -> Result<(), ApiError> {
        self.send(Piece::End).await
    }

    /// A file written whole.
    pub async fn add(&self, name: &str, contents: Vec<u8>) -> Result<(), ApiError> {
        self.send(Piece::Whole(name.to_string(), contents)).await
    }

    /// Writes the manifest (`extra` beside its file list) and returns the archive.
    pub async fn finish(self, extra: serde_json::Value) -> Result<Archive, ApiError> {
        self.send(Piece::Finish(extra)).await?;
        drop(self.pieces);
        self.thread.await.map_err(failed)?.map_err(failed)
    }
}
