//! Masked values: enough to recognise a finding, never enough to use it (`a***@acme.fr`,
//! `**** **** **** 1111`). What the service stores and shows instead of the matched text.

use crate::PiiType;

/// Masks `value` (the matched text of a finding of `kind`).
pub fn mask(kind: PiiType, value: &str) -> String {
    match kind {
        PiiType::Email => match value.split_once('@') {
            Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
            None => stars_keep(value, 1, 0),
        },
        PiiType::CreditCard | PiiType::Iban => {
            stars_keep(value, if kind == PiiType::Iban { 4 } else { 0 }, 4)
        }
        PiiType::Phone | PiiType::FrNir => stars_keep(value, 0, 2),
        PiiType::FrSiren | PiiType::FrSiret => stars_keep(value, 3, 0),
        PiiType::IpAddress => match value.split_once(['.', ':']) {
            Some((first, _)) => {
                format!("{first}{}***", if value.contains('.') { "." } else { ":" })
            }
            None => stars_keep(value, 0, 0),
        },
        PiiType::ApiKey => mask_secret(value),
        PiiType::Person | PiiType::Medical | PiiType::LegalRef => stars_keep(value, 1, 0),
    }
}

/// `text` with every finding of `findings` (character offsets, sorted, not overlapping as
/// `detect` returns them) replaced by its masked value.
pub fn redact(text: &str, findings: &[crate::Finding]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at || f.end > chars.len() {
            continue;
        }
        out.extend(&chars[at..f.start]);
        let matched: String = chars[f.start..f.end].iter().collect();
        out.push_str(&mask(f.kind, &matched));
        at = f.end;
    }
    out.extend(&chars[at..]);
    out
}

/// A secret keeps only its format's prefix (`ghp_`, `sk_live_`, `sk-ant-api03-`, `AKIA`, a PEM
/// header): every character of the secret itself is masked.
fn mask_secret(value: &str) -> String {
    if value.starts_with("-----BEGIN") {
        let header_end = value[5..].find("-----").map_or(value.len(), |i| i + 10);
        let rest = &value[header_end..];
        return format!(
            "{}{}",
            &value[..header_end],
            rest.chars()
                .map(|c| if c.is_whitespace() { c } else { '*' })
                .collect::<String>()
        );
    }
    let window: String = value.chars().take(16).collect();
    let keep = match window.rfind(['_', '-']) {
        Some(i) => i + 1,
        None => value.chars().take(4).map(char::len_utf8).sum(),
    };
    format!(
        "{}{}",
        &value[..keep],
        "*".repeat(value[keep..].chars().count())
    )
}

/// Keeps the first `head` and last `tail` alphanumerics; other alphanumerics become `*`;
/// separators stay so the shape is recognisable.
fn stars_keep(value: &str, head: usize, tail: usize) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= head || seen > total.saturating_sub(tail) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_shape_not_the_value() {
        assert_eq!(mask(PiiType::Email, "alice@acme.fr"), "a***@acme.fr");
        assert_eq!(
            mask(PiiType::CreditCard, "4111 1111 1111 1111"),
            "**** **** **** 1111"
        );
        assert_eq!(
            mask(PiiType::Iban, "FR7630006000011234567890189"),
            "FR76*******************0189"
        );
        assert_eq!(mask(PiiType::Phone, "06 12 34 56 78"), "** ** ** ** 78");
        assert_eq!(mask(PiiType::FrSiret, "73282932000074"), "732***********");
        assert_eq!(mask(PiiType::IpAddress, "192.168.1.10"), "192.***");
        assert_eq!(
            mask(PiiType::FrNir, "1 85 05 78 006 084 91"),
            "* ** ** ** *** *** 91"
        );
    }

    #[test]
    fn redact_replaces_each_finding_with_its_mask() {
        let text = "Écris à alice@acme.fr ou au 06 12 34 56 78.";
        let out = redact(text, &crate::detect(text));
        assert_eq!(out, "Écris à a***@acme.fr ou au ** ** ** ** 78.");
        assert_eq!(redact("rien", &[]), "rien");
    }
}
