//! SHA-256 hash chains: each link commits to its payload and to the previous link's hash.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first link of every chain: 64 zero hex digits.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `hex(sha256(prev_hash || "\n" || payload))`, the hash that a link stores.
pub fn link_hash(prev_hash: &str, payload: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(payload.as_bytes());
    hex::encode(hasher.finalize())
}

/// One stored link as a verifier sees it: the canonical payload and the two hashes kept with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a chain failed verification, naming the zero-based position of the first bad link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The link's `prev_hash` is not the previous link's `hash` (a row removed, reordered or forged).
    BrokenLink { index: usize },
    /// The link's stored `hash` does not match its payload (the row was edited).
    HashMismatch { index: usize },
}

impl ChainBreak {
    pub fn index(&self) -> usize {
        match self {
            ChainBreak::BrokenLink { index } | ChainBreak::HashMismatch { index } => *index,
        }
    }
}

/// Checks every link in order, starting from [`GENESIS_HASH`]. Returns the number of links checked.
pub fn verify_chain<'a>(
    links: impl IntoIterator<Item = &'a ChainLink>,
) -> Result<usize, ChainBreak> {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut count = 0;
    for (index, link) in links.into_iter().enumerate() {
        if link.prev_hash != expected_prev {
            return Err(ChainBreak::BrokenLink { index });
        }
        if link_hash(&link.prev_hash, &link.payload) != link.hash {
            return Err(ChainBreak::HashMismatch { index });
        }
        expected_prev = link.hash.clone();
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn build(payloads: &[String]) -> Vec<ChainLink> {
        let mut prev = GENESIS_HASH.to_string();
        payloads
            .iter()
            .map(|p| {
                let hash = link_hash(&prev, p);
                let link = ChainLink {
                    payload: p.clone(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                link
            })
            .collect()
    }

    #[test]
    fn known_vector() {
        // sha256("0…0\n{}") computed independently with coreutils' sha256sum.
        assert_eq!(
            link_hash(GENESIS_HASH, "{}"),
            "5649d09ed68c17156095d175eef152856c5b1a81c117c409c1e00f096aa6838e"
        );
    }

    proptest! {
        #[test]
        fn an_honest_chain_verifies(payloads in prop::collection::vec(".{0,20}", 0..20)) {
            let links = build(&payloads);
            prop_assert_eq!(verify_chain(&links), Ok(payloads.len()));
        }

        #[test]
        fn editing_any_payload_is_detected(
            payloads in prop::collection::vec(".{0,20}", 1..20),
            pick in any::<prop::sample::Index>(),
            extra in "[a-z]{1,5}",
        ) {
            let mut links = build(&payloads);
            let i = pick.index(links.len());
            links[i].payload.push_str(&extra);
            prop_assert_eq!(verify_chain(&links), Err(ChainBreak::HashMismatch { index: i }));
        }

        #[test]
        fn removing_any_link_but_the_last_is_detected(
            payloads in prop::collection::vec(".{0,20}", 2..20),
            pick in any::<prop::sample::Index>(),
        ) {
            let mut links = build(&payloads);
            let i = pick.index(links.len() - 1);
            links.remove(i);
            prop_assert_eq!(verify_chain(&links), Err(ChainBreak::BrokenLink { index: i }));
        }
    }
}
