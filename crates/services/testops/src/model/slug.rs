//! Slugs of organisation and project names: lower case, every run of other characters a single
//! `-`, no leading or trailing `-`.

pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn collapses_and_trims() {
        assert_eq!(slugify("  Acme QA -- Team!! "), "acme-qa-team");
        assert_eq!(slugify("Ünïcode 2"), "n-code-2");
        assert_eq!(slugify("***"), "");
    }
}
