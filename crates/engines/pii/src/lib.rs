//! PII and secret detection for prompts sent to AI tools.
//!
//! `detect(text)` returns typed findings with character offsets (end exclusive), a confidence
//! score and the tier that found them; `risk_score` folds findings into one 0–1 number with the
//! contract's bands. Pure: no I/O, no async, no clock, so the same rules run in the server and,
//! compiled to wasm32, in a browser extension.

pub mod checksum;
mod finding;
mod mask;
mod offsets;
mod overlap;
pub mod risk;
pub mod tier1;
pub mod tier2;

pub use finding::{Finding, PiiType, Tier};
pub use mask::{mask, redact};
pub use risk::{risk_band, risk_score, RiskBand};

/// Runs every detector (Tier 1 and Tier 2) and resolves overlaps: at most one finding covers
/// any character.
pub fn detect(text: &str) -> Vec<Finding> {
    let mut candidates = tier1::candidates(text);
    candidates.extend(tier2::candidates(text));
    offsets::to_char_offsets(text, overlap::resolve(candidates))
}

/// Tier 1 only: the validated identifiers, what the browser extension runs before sending.
pub fn detect_tier1(text: &str) -> Vec<Finding> {
    offsets::to_char_offsets(text, overlap::resolve(tier1::candidates(text)))
}
