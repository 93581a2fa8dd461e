//! The contract's ids: 24 lowercase hex digits (MongoDB ObjectId form) — 4 bytes of creation
//! time in seconds, then 8 random bytes.

use rand::RngCore;

/// Generates a new id.
pub fn new_id() -> String {
    let mut bytes = [0u8; 12];
    let secs = chrono::Utc::now().timestamp().clamp(0, u32::MAX as i64) as u32;
    bytes[..4].copy_from_slice(&secs.to_be_bytes());
    rand::rngs::OsRng.fill_bytes(&mut bytes[4..]);
    hex::encode(bytes)
}

/// The id in canonical (lowercase) form, when `raw` is 24 hex digits.
pub fn parse_id(raw: &str) -> Option<String> {
    (raw.len() == 24 && raw.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| raw.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_parse_and_differ() {
        let (a, b) = (new_id(), new_id());
        assert_eq!(parse_id(&a).as_deref(), Some(a.as_str()));
        assert_ne!(a, b);
        let secs = u32::from_str_radix(&a[..8], 16).unwrap() as i64;
        assert!(
            (chrono::Utc::now().timestamp() - secs).abs() < 5,
            "the creation time comes first"
        );
    }

    #[test]
    fn only_24_hex_digits_are_ids() {
        assert_eq!(
            parse_id("507F1F77BCF86CD799439011").as_deref(),
            Some("507f1f77bcf86cd799439011")
        );
        for bad in [
            "",
            "507f1f77bcf86cd79943901",
            "507f1f77bcf86cd7994390111",
            "507f1f77bcf86cd79943901g",
            "../../etc/passwd",
        ] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }
}
