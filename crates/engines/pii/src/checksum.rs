//! Check-digit algorithms: Luhn (cards, SIREN, SIRET) and ISO 7064 MOD 97-10 (IBAN).

/// Luhn over ASCII digits; false for anything else or an empty string.
pub fn luhn(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The Luhn check digit that completes `body`.
pub fn luhn_check_digit(body: &str) -> u8 {
    (0..10u8)
        .find(|d| luhn(&format!("{body}{d}")))
        .expect("one digit always completes a Luhn number")
}

/// `value mod 97` for a string of ASCII digits and letters, letters counting A=10 … Z=35.
pub fn mod97(alnum: &str) -> Option<u32> {
    let mut rem: u32 = 0;
    for c in alnum.chars() {
        let v = c.to_digit(36)?;
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    Some(rem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
        assert!(luhn("732829320")); // a SIREN
        assert_eq!(luhn_check_digit("411111111111111"), 1);
        assert_eq!(mod97("1234"), Some(1234 % 97));
        assert_eq!(mod97("A"), Some(10));
        assert_eq!(mod97("a-1"), None);
    }
}
