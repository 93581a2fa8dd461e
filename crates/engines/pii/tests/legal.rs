//! Tier 2 legal references.

use pii::{detect, PiiType};

fn legal(text: &str) -> Vec<String> {
    detect(text)
        .into_iter()
        .filter(|f| f.kind == PiiType::LegalRef)
        .map(|f| text.chars().skip(f.start).take(f.end - f.start).collect())
        .collect()
}

#[test]
fn french_and_european_references_are_found() {
    let cases = [
        (
            "Selon l'article L. 1234-5 du Code du travail, le préavis est dû.",
            "article L. 1234-5 du Code du travail",
        ),
        (
            "voir articles 1240 et 1241 du code civil",
            "articles 1240 et 1241 du code civil",
        ),
        (
            "l'article R. 4127-4 du code de la santé publique impose le secret",
            "article R. 4127-4 du code de la santé publique",
        ),
        (
            "Cass. soc., pourvoi n° 19-12.345, rejet",
            "pourvoi n° 19-12.345",
        ),
        (
            "affaire RG n° 21/01234 devant la cour d'appel",
            "RG n° 21/01234",
        ),
        (
            "ECLI:FR:CCASS:2021:C100123 est publié",
            "ECLI:FR:CCASS:2021:C100123",
        ),
        ("CJUE, arrêt C-311/18 (Schrems II)", "C-311/18"),
    ];
    for (text, want) in cases {
        assert_eq!(legal(text), vec![want.to_string()], "{text}");
    }
}

#[test]
fn ordinary_mentions_are_not_legal_references() {
    for text in [
        "Write an article about the civil code of conduct for our team.",
        "L'article sur le code de la route était intéressant.",
        "Le vol AF 1234 part à 10:30, porte C-12.",
        "J'ai relu le code source du module RG.",
    ] {
        assert!(legal(text).is_empty(), "{text}: {:?}", legal(text));
    }
}
