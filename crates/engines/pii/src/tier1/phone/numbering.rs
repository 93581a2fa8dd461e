//! Validity from libphonenumber's metadata (the `phonenumber` crate's database), read directly:
//! the national significant number must match the region's general pattern and one of its
//! number types, as libphonenumber's `isValidNumber` decides. Going straight to the metadata
//! skips the crate's general-purpose parser, which was most of the engine's time on long prompts.

use phonenumber::country::Id;
use phonenumber::metadata::{Metadata, DATABASE};

/// Regions whose national format has no trunk prefix in daily use, or none at all: their bare
/// digit groups are only tried when the prompt points at the region.
pub(super) fn has_trunk_prefix(meta: &Metadata) -> bool {
    meta.national_prefix().is_some_and(|p| p.starts_with('0'))
}

pub(super) fn metadata(region: Id) -> Option<&'static Metadata> {
    DATABASE.by_id(region.as_ref())
}

/// True when `national` (digits only, as written in the region's national form) is a valid
/// number of the region. A written trunk prefix is stripped; regions without one (Italy keeps
/// its leading zero) are matched as written. In a region with a trunk prefix, a number written
/// without it counts only when `trunk_optional` (the prompt names the region) or when it is a
/// non-geographic number, which some plans write bare (Ireland's 1800 numbers).
pub(super) fn valid_national(meta: &Metadata, national: &str, trunk_optional: bool) -> bool {
    match meta.national_prefix() {
        Some(prefix) if national.starts_with(prefix) => valid_nsn(meta, &national[prefix.len()..]),
        Some(prefix) if prefix.starts_with('0') && !trunk_optional => {
            let d = meta.descriptors();
            valid_nsn(meta, national)
                && [d.toll_free(), d.uan(), d.shared_cost()]
                    .into_iter()
                    .flatten()
                    .any(|t| t.is_match(national))
        }
        _ => valid_nsn(meta, national),
    }
}

/// True when `digits` (country code first, no `+`) is a valid international number. Country
/// codes are prefix-free, so at most one of the 1-, 2- and 3-digit prefixes is assigned.
pub(super) fn valid_international(digits: &str) -> Option<u16> {
    (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        let regions = DATABASE.by_code(&code)?;
        let nsn = &digits[len..];
        regions
            .into_iter()
            .any(|meta| valid_nsn(meta, nsn))
            .then_some(code)
    })
}

/// The regions that use an international calling code (main region first).
pub(super) fn regions_of_code(code: u16) -> Vec<Id> {
    DATABASE
        .region(&code)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.parse().ok())
        .collect()
}

fn valid_nsn(meta: &Metadata, nsn: &str) -> bool {
    let d = meta.descriptors();
    if nsn.len() < 4 || !d.general().is_match(nsn) {
        return false;
    }
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .any(|t| t.is_match(nsn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn national(region: Id, n: &str) -> bool {
        valid_national(metadata(region).unwrap(), n, false)
    }

    #[test]
    fn national_forms_with_and_without_trunk_prefix() {
        assert!(national(Id::GB, "02079460958"));
        assert!(national(Id::GB, "07400123456"));
        assert!(
            !national(Id::GB, "2079460958"),
            "a UK number is written with its 0"
        );
        assert!(national(Id::FR, "0612345678"));
        assert!(
            national(Id::IT, "0612345678"),
            "Italy keeps its leading zero"
        );
        assert!(national(Id::ES, "912345678"));
        assert!(national(Id::US, "4155552671"));
        assert!(!national(Id::FR, "0012345678"));
        assert!(
            national(Id::IE, "1800084060"),
            "Irish freephone, written without its 0"
        );
        assert!(
            national(Id::IE, "1800084060"),
            "Irish freephone, written without its 0"
        );
    }

    #[test]
    fn international_numbers_resolve_their_country_code() {
        assert_eq!(valid_international("442079460958"), Some(44));
        assert_eq!(valid_international("14155552671"), Some(1));
        assert_eq!(valid_international("33612345678"), Some(33));
        assert_eq!(valid_international("4912"), None);
        assert_eq!(valid_international("999123456789"), None);
    }
}
