//! Vision's handlers, one file per resource.

pub mod allowlist;
pub mod images;
pub mod jobs;
pub mod settings;
pub mod status;
pub mod video;
