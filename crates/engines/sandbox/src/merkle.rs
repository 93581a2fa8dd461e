//! A binary SHA-256 Merkle tree over data blocks (RFC 6962 hashing: leaves `0x00‖block`,
//! nodes `0x01‖left‖right`, an odd last node promoted), so one root stands for every block
//! that a wipe read back.

use sha2::{Digest, Sha256};

#[derive(Default)]
pub struct MerkleBuilder {
    leaves: Vec<[u8; 32]>,
}

impl MerkleBuilder {
    pub fn push_block(&mut self, block: &[u8]) {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(block);
        self.leaves.push(h.finalize().into());
    }

    pub fn leaf_count(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The root as lowercase hex; SHA-256 of nothing for an empty tree.
    pub fn root_hex(&self) -> String {
        hex::encode(root(&self.leaves))
    }
}

/// The root of `leaves`.
pub fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.is_empty() {
        return Sha256::digest([]).into();
    }
    let mut level = leaves.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => {
                    let mut h = Sha256::new();
                    h.update([1u8]);
                    h.update(l);
                    h.update(r);
                    h.finalize().into()
                }
                [one] => *one,
                _ => unreachable!(),
            })
            .collect();
    }
    level[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_block_root_is_its_leaf_hash() {
        let mut m = MerkleBuilder::default();
        m.push_block(&[0u8; 4096]);
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update([0u8; 4096]);
        assert_eq!(m.root_hex(), hex::encode(h.finalize()));
    }

    proptest! {
        #[test]
        fn changing_any_block_changes_the_root(blocks in prop::collection::vec(prop::collection::vec(any::<u8>(), 1..64), 1..20), which in any::<prop::sample::Index>()) {
            let build = |bs: &[Vec<u8>]| { let mut m = MerkleBuilder::default(); bs.iter().for_each(|b| m.push_block(b)); m.root_hex() };
            let before = build(&blocks);
            let mut changed = blocks.clone();
            let i = which.index(changed.len());
            changed[i][0] ^= 1;
            prop_assert_ne!(before, build(&changed));
        }
    }
}
