//! Evidence primitives: canonical JSON and SHA-256 hash chains (audit logs), and CDP 1.0
//! destruction proofs (SHA-512 chain + Ed25519), shared by the services that issue and verify them.
//!
//! Knows nothing of HTTP or storage. Everything here is deterministic so a verifier written
//! elsewhere can recompute the same bytes and hashes.

pub mod canonical;
pub mod cdp;
pub mod chain;
pub mod trail;

pub use canonical::canonical_json;
pub use chain::{link_hash, verify_chain, ChainBreak, ChainLink, GENESIS_HASH};
