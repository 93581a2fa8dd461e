//! The contract's password rule for signup: 8–128 characters with a lowercase letter, an
//! uppercase letter, a digit and one of `!@#$%^&*(),.?":{}|<>`.

const SPECIALS: &str = "!@#$%^&*(),.?\":{}|<>";

/// Every rule `password` breaks, in the contract's words (empty when it is strong enough).
pub fn weaknesses(password: &str) -> Vec<&'static str> {
    let mut failed = Vec::new();
    let length = password.chars().count();
    if length < 8 {
        failed.push("Password must be at least 8 characters long");
    }
    if length > 128 {
        failed.push("Password must be at most 128 characters long");
    }
    if !password.chars().any(|c| c.is_ascii_lowercase()) {
        failed.push("Password must contain at least one lowercase letter");
    }
    if !password.chars().any(|c| c.is_ascii_uppercase()) {
        failed.push("Password must contain at least one uppercase letter");
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        failed.push("Password must contain at least one number");
    }
    if !password.chars().any(|c| SPECIALS.contains(c)) {
        failed.push("Password must contain at least one special character");
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strong_password_passes_and_each_rule_is_named() {
        assert!(weaknesses("Str0ng!pass").is_empty());
        assert_eq!(weaknesses("short1!").len(), 2, "length and uppercase");
        assert_eq!(weaknesses("alllowercase").len(), 3);
        assert_eq!(weaknesses(&format!("Aa1!{}", "x".repeat(125))).len(), 1);
    }
}
