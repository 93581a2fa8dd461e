//! Validity from libphonenumber's metadata (the `phonenumber` crate's database), read directly:
//! the national significant number must fully match the region's general pattern and one of its
//! number types, as libphonenumber's `isValidNumber` decides. The patterns are compiled here,
//! once per region on first use, rather than matched through the crate's general-purpose
//! parser and its regex cache (an LRU lookup by pattern text on every match), which were most of
//! the engine's time on prompts with phone numbers.

use std::collections::HashMap;
use std::sync::OnceLock;

use phonenumber::country::Id;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use regex::{Regex, RegexBuilder};

/// The metadata's patterns are laid out over several lines: whitespace is not part of them.
fn compile(source: &str) -> Regex {
    RegexBuilder::new(source)
        .ignore_whitespace(true)
        .build()
        .expect("libphonenumber patterns compile")
}

/// One number type's rule: its possible lengths and its full-match pattern.
struct Pattern {
    lengths: &'static [u16],
    re: Regex,
}

impl Pattern {
    fn of(d: &'static Descriptor) -> Self {
        Self {
            lengths: d.possible_length(),
            re: compile(&format!("^(?:{})$", d.national_number().as_str())),
        }
    }

    fn matches(&self, nsn: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(nsn.len() as u16)))
            && self.re.is_match(nsn)
    }
}

/// A region's numbering plan as the detector uses it.
struct Plan {
    /// Every length any number type allows (empty: not known), checked before any pattern.
    lengths: Vec<u16>,
    general: Pattern,
    /// Fixed line, mobile, toll-free, premium, shared cost, personal, VoIP, pager, UAN, voicemail.
    types: Vec<Pattern>,
    /// Toll-free, UAN and shared cost: numbers some plans write without their trunk prefix.
    non_geographic: Vec<Pattern>,
    /// Where regions share a calling code: the leading digits that claim a number.
    leading: Option<Regex>,
}

impl Plan {
    fn of(meta: &'static Metadata) -> Self {
        let d = meta.descriptors();
        let patterns = |list: Vec<Option<&'static Descriptor>>| {
            list.into_iter().flatten().map(Pattern::of).collect()
        };
        let types: Vec<Pattern> = patterns(vec![
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
        ]);
        let mut lengths: Vec<u16> = types
            .iter()
            .flat_map(|t| t.lengths.iter().copied())
            .collect();
        if types.iter().any(|t| t.lengths.is_empty()) {
            lengths.clear();
        }
        lengths.sort_unstable();
        lengths.dedup();
        Self {
            lengths,
            general: Pattern::of(d.general()),
            types,
            non_geographic: patterns(vec![d.toll_free(), d.uan(), d.shared_cost()]),
            leading: meta
                .leading_digits()
                .map(|l| compile(&format!("^(?:{})", l.as_str()))),
        }
    }

    fn valid(&self, nsn: &str) -> bool {
        nsn.len() >= 4
            && (self.lengths.is_empty() || self.lengths.contains(&(nsn.len() as u16)))
            && self.general.matches(nsn)
            && self.types.iter().any(|t| t.matches(nsn))
    }
}

fn plan(meta: &'static Metadata) -> &'static Plan {
    static PLANS: OnceLock<HashMap<&'static str, OnceLock<Plan>>> = OnceLock::new();
    let plans = PLANS.get_or_init(|| DATABASE.iter().map(|m| (m.id(), OnceLock::new())).collect());
    plans
        .get(meta.id())
        .expect("every region of the database has a slot")
        .get_or_init(|| Plan::of(meta))
}

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
pub(super) fn valid_national(
    meta: &'static Metadata,
    national: &str,
    trunk_optional: bool,
) -> bool {
    let plan = plan(meta);
    match meta.national_prefix() {
        Some(prefix) if national.starts_with(prefix) => plan.valid(&national[prefix.len()..]),
        Some(prefix) if prefix.starts_with('0') && !trunk_optional => {
            plan.non_geographic.iter().any(|t| t.matches(national)) && plan.valid(national)
        }
        _ => plan.valid(national),
    }
}

/// The calling code of `digits` (country code first, no `+`) when it is a valid international
/// number. Codes are prefix-free, so at most one of the 1-, 2- and 3-digit prefixes is assigned.
pub(super) fn valid_international(digits: &str) -> Option<u16> {
    (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        let regions = DATABASE.by_code(&code)?;
        let nsn = &digits[len..];
        // Where regions share a code (+1: the US, Canada and the Caribbean; +44, +7…), their
        // leading digits say which one to check, as libphonenumber does: one full check, not
        // one per region.
        // The main region first (the US for +1): most numbers are its, and a number valid
        // there is valid whichever region claims it.
        if regions
            .first()
            .is_some_and(|main| plan(main).leading.is_none() && plan(main).valid(nsn))
        {
            return Some(code);
        }
        let mut claimed = regions.iter().filter(|meta| {
            plan(meta)
                .leading
                .as_ref()
                .is_some_and(|lead| lead.is_match(nsn))
        });
        let valid = match claimed.next() {
            Some(meta) => plan(meta).valid(nsn),
            None => regions
                .iter()
                .filter(|meta| plan(meta).leading.is_none())
                .any(|meta| plan(meta).valid(nsn)),
        };
        valid.then_some(code)
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
