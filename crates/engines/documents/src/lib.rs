//! Documents: PDFs typeset by Typst from a template plus JSON data ([`pdf`]), and ZIP archives
//! whose manifest lists every file's SHA-256 ([`archive`]). Knows nothing of HTTP or storage.

pub mod archive;
pub mod pdf;
