//! Tier 1 against worked examples and generated identifiers: every valid identifier is found
//! with exact character offsets; every checksum-invalid one is not.

use pii::checksum::{luhn_check_digit, mod97};
use pii::{detect, Finding, PiiType};
use proptest::prelude::*;

fn kinds(text: &str) -> Vec<(PiiType, String)> {
    detect(text)
        .into_iter()
        .map(|f| {
            (
                f.kind,
                text.chars().skip(f.start).take(f.end - f.start).collect(),
            )
        })
        .collect()
}

fn found(text: &str, kind: PiiType, value: &str) -> bool {
    kinds(text).iter().any(|(k, v)| *k == kind && v == value)
}

#[test]
fn worked_examples() {
    let cases: &[(&str, PiiType, &str)] = &[
        ("Écris à alice@acme.fr stp", PiiType::Email, "alice@acme.fr"),
        (
            "Appelle-moi au 06 12 34 56 78 demain",
            PiiType::Phone,
            "06 12 34 56 78",
        ),
        (
            "call +33 6 12 34 56 78 now",
            PiiType::Phone,
            "+33 6 12 34 56 78",
        ),
        (
            "or +1 650-253-0000 in the US",
            PiiType::Phone,
            "+1 650-253-0000",
        ),
        (
            "carte 4111 1111 1111 1111 exp 12/29",
            PiiType::CreditCard,
            "4111 1111 1111 1111",
        ),
        (
            "Mastercard 2223003122003222",
            PiiType::CreditCard,
            "2223003122003222",
        ),
        (
            "IBAN FR76 3000 6000 0112 3456 7890 189 merci",
            PiiType::Iban,
            "FR76 3000 6000 0112 3456 7890 189",
        ),
        (
            "virement sur DE89370400440532013000.",
            PiiType::Iban,
            "DE89370400440532013000",
        ),
        (
            "mon numéro de sécu 1 85 05 78 006 084 91",
            PiiType::FrNir,
            "1 85 05 78 006 084 91",
        ),
        (
            "SIRET 732 829 320 00074 (Acme)",
            PiiType::FrSiret,
            "732 829 320 00074",
        ),
        (
            "la société, SIREN 732829320, à Paris",
            PiiType::FrSiren,
            "732829320",
        ),
        (
            "ping 192.168.1.10 please",
            PiiType::IpAddress,
            "192.168.1.10",
        ),
        (
            "host 2001:db8::8a2e:370:7334 is down",
            PiiType::IpAddress,
            "2001:db8::8a2e:370:7334",
        ),
    ];
    for (text, kind, value) in cases {
        assert!(
            found(text, *kind, value),
            "{text}: expected {kind} {value:?}, got {:?}",
            kinds(text)
        );
    }
}

#[test]
fn presidios_known_mistakes_are_not_made() {
    // A SIRET is not also a card, an IP is not a phone, a version is not an IP.
    assert_eq!(
        kinds("SIRET 73282932000074"),
        vec![(PiiType::FrSiret, "73282932000074".into())]
    );
    assert_eq!(
        kinds("server 10.20.30.40 is up"),
        vec![(PiiType::IpAddress, "10.20.30.40".into())]
    );
    assert!(kinds("upgrade to version 10.4.2.1 today").is_empty());
    assert!(kinds("release 1.2.3.4.5 is out").is_empty());
    // Slices of a spaced IBAN are not cards.
    let iban = kinds("FR76 3000 6000 0112 3456 7890 189");
    assert_eq!(iban.len(), 1);
    assert_eq!(iban[0].0, PiiType::Iban);
    // Digits after a country code are the phone number, not a SIREN, SIRET or card.
    assert_eq!(
        kinds("joignable au +385 802 657 081, merci"),
        vec![(PiiType::Phone, "+385 802 657 081".into())]
    );
    assert!(kinds("International: +49 800 26650759689 ext. 909")
        .iter()
        .all(|(k, _)| *k == PiiType::Phone));
    // Overseas numbers under +33 do not exist.
    assert!(!found(
        "+33 2 62 12 34 56",
        PiiType::Phone,
        "+33 2 62 12 34 56"
    ));
}

#[test]
fn pii_free_prompts_are_quiet() {
    for text in [
        "Traduis ce texte en anglais s'il te plaît.",
        "Résume l'article sur la réforme des retraites de 2023.",
        "What is 12 * 34 + 567? Explain step by step.",
        "The meeting is at 10:30 in room 204, order #123456789.",
        "Write a haiku about the 14th of July.",
        "Compare Python 3.11 and 3.12 performance.",
    ] {
        assert!(detect(text).is_empty(), "{text}: {:?}", kinds(text));
    }
}

#[test]
fn offsets_are_characters_and_end_exclusive() {
    let text = "Élève: écrire à zoé@example.com ou bob@example.com";
    let findings: Vec<Finding> = detect(text);
    let emails: Vec<String> = findings
        .iter()
        .map(|f| text.chars().skip(f.start).take(f.end - f.start).collect())
        .collect();
    assert_eq!(
        emails,
        vec!["bob@example.com".to_string()],
        "the non-ASCII local part is Tier 2's business"
    );
    let f = &findings[0];
    assert_eq!(f.end - f.start, "bob@example.com".chars().count());
}

// ---- generators ----

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, n)
        .prop_map(|v| v.into_iter().map(|d| char::from(b'0' + d)).collect())
}

fn card() -> impl Strategy<Value = String> {
    let prefix = prop_oneof![
        Just(("4".to_string(), 16usize)),
        (51u32..=55).prop_map(|p| (p.to_string(), 16)),
        (2221u32..=2720).prop_map(|p| (p.to_string(), 16)),
        prop_oneof![Just("34"), Just("37")].prop_map(|p| (p.to_string(), 15)),
    ];
    prefix.prop_flat_map(|(p, len)| {
        let body_len = len - 1 - p.len();
        digits(body_len).prop_map(move |mid| {
            let body = format!("{p}{mid}");
            format!("{body}{}", luhn_check_digit(&body))
        })
    })
}

fn grouped(s: &str, size: usize) -> String {
    s.as_bytes()
        .chunks(size)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

fn iban_fr() -> impl Strategy<Value = String> {
    (digits(10), "[0-9A-Z]{11}", digits(2)).prop_map(|(bank, account, key)| {
        let bban = format!("{bank}{account}{key}");
        let check = 98 - mod97(&format!("{bban}FR00")).unwrap();
        format!("FR{check:02}{bban}")
    })
}

fn nir() -> impl Strategy<Value = String> {
    let dept = prop_oneof![
        (1u32..=95)
            .prop_filter("not 20", |d| *d != 20)
            .prop_map(|d| format!("{d:02}")),
        Just("2A".into()),
        Just("2B".into())
    ];
    (1u32..=2, 0u32..100, 1u32..=12, dept, digits(3), digits(3)).prop_map(
        |(sex, yy, mm, dept, commune, order)| {
            let body = format!("{sex}{yy:02}{mm:02}{dept}{commune}{order}");
            let numeric = body.replace("2A", "19").replace("2B", "18");
            let key = 97 - numeric.parse::<u64>().unwrap() % 97;
            format!("{body}{key:02}")
        },
    )
}

fn siret() -> impl Strategy<Value = String> {
    digits(13)
        .prop_filter("not La Poste", |d| !d.starts_with("356000000"))
        .prop_map(|d| format!("{d}{}", luhn_check_digit(&d)))
}

fn fr_phone() -> impl Strategy<Value = String> {
    let mobile = (
        prop_oneof![
            Just('0'),
            Just('1'),
            Just('2'),
            Just('4'),
            Just('5'),
            Just('6'),
            Just('7'),
            Just('8')
        ],
        digits(7),
    )
        .prop_map(|(c, rest)| format!("06{c}{rest}"));
    let fixed = (1u32..=5, digits(8)).prop_map(|(area, rest)| format!("0{area}{rest}"));
    // The numbering plan has holes (e.g. 04 00 …): keep what libphonenumber itself calls valid.
    prop_oneof![mobile, fixed].prop_filter("allocated in the French numbering plan", |n| {
        phonenumber::parse(Some(phonenumber::country::Id::FR), n)
            .is_ok_and(|p| phonenumber::is_valid(&p))
    })
}

/// Changes the last digit so a check digit no longer matches.
fn break_last_digit(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let last = chars.iter().rposition(|c| c.is_ascii_digit()).unwrap();
    chars[last] = char::from(b'0' + ((chars[last] as u8 - b'0' + 5) % 10));
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_valid_card_is_found(card in card(), spaced in any::<bool>()) {
        let shown = if spaced { grouped(&card, 4) } else { card.clone() };
        let text = format!("Paie avec la carte {shown} stp");
        prop_assert!(found(&text, PiiType::CreditCard, &shown), "{text}: {:?}", kinds(&text));
        let broken = format!("Paie avec la carte {} stp", break_last_digit(&shown));
        prop_assert!(!kinds(&broken).iter().any(|(k, _)| *k == PiiType::CreditCard), "{broken}");
    }

    #[test]
    fn every_valid_iban_is_found(iban in iban_fr(), spaced in any::<bool>()) {
        let shown = if spaced { grouped(&iban, 4) } else { iban.clone() };
        let text = format!("Mon IBAN est {shown}. Merci !");
        prop_assert!(found(&text, PiiType::Iban, &shown), "{text}: {:?}", kinds(&text));
        let broken = format!("Mon IBAN est {}. Merci !", break_last_digit(&shown));
        prop_assert!(!kinds(&broken).iter().any(|(k, _)| *k == PiiType::Iban), "{broken}");
    }

    #[test]
    fn every_valid_nir_is_found(nir in nir()) {
        let text = format!("numéro de sécurité sociale : {nir}");
        prop_assert!(found(&text, PiiType::FrNir, &nir), "{text}: {:?}", kinds(&text));
        let broken = format!("numéro de sécurité sociale : {}", break_last_digit(&nir));
        prop_assert!(!kinds(&broken).iter().any(|(k, _)| *k == PiiType::FrNir), "{broken}");
    }

    #[test]
    fn every_valid_siret_is_found(siret in siret()) {
        let text = format!("Société Dupont, SIRET {siret}, Lyon");
        prop_assert_eq!(kinds(&text), vec![(PiiType::FrSiret, siret.clone())]);
        let broken = format!("Société Dupont, SIRET {}, Lyon", break_last_digit(&siret));
        prop_assert!(!kinds(&broken).iter().any(|(k, _)| *k == PiiType::FrSiret), "{broken}");
    }

    #[test]
    fn every_valid_siren_with_context_is_found(body in digits(8)) {
        let siren = format!("{body}{}", luhn_check_digit(&body));
        let text = format!("entreprise immatriculée SIREN {siren}");
        prop_assert!(found(&text, PiiType::FrSiren, &siren), "{text}: {:?}", kinds(&text));
    }

    #[test]
    fn every_french_phone_is_found(phone in fr_phone(), style in 0usize..3) {
        let shown = match style {
            0 => phone.clone(),
            1 => grouped(&phone, 2),
            _ => format!("+33 {}", grouped(&phone[1..], 2).trim_start()),
        };
        let text = format!("Rappelle-moi au {shown} stp");
        prop_assert!(found(&text, PiiType::Phone, &shown), "{text}: {:?}", kinds(&text));
    }

    #[test]
    fn every_email_and_ip_is_found(local in "[a-z][a-z0-9]{0,5}(\\.[a-z0-9]{1,5})?", domain in "[a-z]{2,10}", tld in "[a-z]{2,6}",
                                   v4 in any::<[u8; 4]>(), v6 in any::<u128>()) {
        let email = format!("{local}@{domain}.{tld}");
        let ip4 = std::net::Ipv4Addr::from(v4).to_string();
        let ip6 = std::net::Ipv6Addr::from(v6).to_string();
        let text = format!("write to {email}, server {ip4} and {ip6} ok");
        prop_assert!(found(&text, PiiType::Email, &email), "{text}: {:?}", kinds(&text));
        prop_assert!(found(&text, PiiType::IpAddress, &ip4), "{text}: {:?}", kinds(&text));
        prop_assert!(found(&text, PiiType::IpAddress, &ip6), "{text}: {:?}", kinds(&text));
    }
}
