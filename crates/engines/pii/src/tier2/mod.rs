//! Tier 2: detectors that need lexicons, context or secret formats. Server side first; they
//! stay pure so the extension can opt into them later.

mod legal;
mod medical;
mod person;
mod secrets;

use crate::Finding;

/// All Tier 2 candidates in byte offsets.
pub fn candidates(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    secrets::find(text, &mut out);
    legal::find(text, &mut out);
    person::find(text, &mut out);
    medical::find(text, &mut out);
    out
}
