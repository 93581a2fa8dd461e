//! Vision's handlers, one file per resource.

pub mod images;
pub mod jobs;
pub mod status;
pub mod video;
