//! Overlap resolution: where candidates cover the same characters, keep the more specific type
//! (a SIRET is not also a card, an IP is not a phone), then the longer match, then the higher score.

use crate::Finding;

pub(crate) fn resolve(mut candidates: Vec<Finding>) -> Vec<Finding> {
    // Best first: precedence, then length, then score.
    candidates.sort_by(|a, b| {
        b.kind
            .precedence()
            .cmp(&a.kind.precedence())
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(b.score.total_cmp(&a.score))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Finding> = Vec::with_capacity(candidates.len());
    for c in candidates {
        if kept.iter().all(|k| c.end <= k.start || c.start >= k.end) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|f| (f.start, f.end));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PiiType, Tier};

    fn f(kind: PiiType, start: usize, end: usize) -> Finding {
        Finding {
            kind,
            start,
            end,
            score: 0.9,
            tier: Tier::One,
        }
    }

    #[test]
    fn the_more_specific_type_wins_and_disjoint_findings_stay() {
        let out = resolve(vec![
            f(PiiType::CreditCard, 0, 14),
            f(PiiType::FrSiret, 0, 14),
            f(PiiType::Email, 20, 30),
        ]);
        assert_eq!(
            out,
            vec![f(PiiType::FrSiret, 0, 14), f(PiiType::Email, 20, 30)]
        );
        let out = resolve(vec![f(PiiType::Phone, 3, 12), f(PiiType::IpAddress, 0, 12)]);
        assert_eq!(out, vec![f(PiiType::IpAddress, 0, 12)]);
    }
}
