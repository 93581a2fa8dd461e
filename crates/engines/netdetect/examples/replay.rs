//! Prints every detection of one capture as JSON lines (a debugging aid for rule work).
//!
//!     cargo run -p netdetect --example replay -- crates/engines/netdetect/captures/dev syn_flood

use std::path::PathBuf;

use netdetect::replay::{read_labels, replay};
use netdetect::{EngineConfig, Model};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: replay CAPTURE_DIR NAME"));
    let name = args.next().expect("usage: replay CAPTURE_DIR NAME");
    let labels = read_labels(&dir).expect("labels.jsonl");
    let label = labels
        .iter()
        .find(|l| l.name() == name)
        .expect("a capture of that name");
    let run = replay(
        &dir,
        label,
        EngineConfig::default(),
        Model::shipped(),
        1e9,
        false,
    )
    .expect("replay");
    for d in run.detections {
        println!("{}", serde_json::to_string(&d).expect("serialisable"));
    }
}
