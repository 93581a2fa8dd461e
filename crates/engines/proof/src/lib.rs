//! Evidence primitives: canonical JSON and SHA-256 hash chains, shared by audit logs and proofs.
//!
//! Knows nothing of HTTP or storage. Everything here is deterministic so a verifier written
//! elsewhere can recompute the same bytes and hashes.

pub mod canonical;
pub mod chain;

pub use canonical::canonical_json;
pub use chain::{link_hash, verify_chain, ChainBreak, ChainLink, GENESIS_HASH};
