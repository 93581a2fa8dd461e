//! The language of recognised text, as an ISO 639-1 code where one exists (whatlang detects).

/// `und` when the text is too short or the guess unreliable.
pub fn language_code(text: &str) -> String {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 4 {
        return "und".into();
    }
    let Some(info) = whatlang::detect(text) else {
        return "und".into();
    };
    tracing::trace!(
        lang = info.lang().code(),
        confidence = info.confidence(),
        reliable = info.is_reliable(),
        "language"
    );
    // Signs and captions rarely reach whatlang's "reliable" bar (an English sentence of 50
    // letters scores 0.32): take its best guess from 8 letters when it leads by any margin.
    if !info.is_reliable() && (letters < 8 || info.confidence() < 0.1) {
        return "und".into();
    }
    iso_639_1(info.lang().code())
        .unwrap_or(info.lang().code())
        .to_string()
}

fn iso_639_1(code: &str) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("afr", "af"),
        ("aka", "ak"),
        ("amh", "am"),
        ("ara", "ar"),
        ("aze", "az"),
        ("bel", "be"),
        ("ben", "bn"),
        ("bul", "bg"),
        ("cat", "ca"),
        ("ces", "cs"),
        ("cmn", "zh"),
        ("dan", "da"),
        ("deu", "de"),
        ("ell", "el"),
        ("eng", "en"),
        ("epo", "eo"),
        ("est", "et"),
        ("fin", "fi"),
        ("fra", "fr"),
        ("guj", "gu"),
        ("heb", "he"),
        ("hin", "hi"),
        ("hrv", "hr"),
        ("hun", "hu"),
        ("hye", "hy"),
        ("ind", "id"),
        ("ita", "it"),
        ("jav", "jv"),
        ("jpn", "ja"),
        ("kan", "kn"),
        ("kat", "ka"),
        ("khm", "km"),
        ("kor", "ko"),
        ("lat", "la"),
        ("lav", "lv"),
        ("lit", "lt"),
        ("mal", "ml"),
        ("mar", "mr"),
        ("mkd", "mk"),
        ("mya", "my"),
        ("nep", "ne"),
        ("nld", "nl"),
        ("nob", "nb"),
        ("ori", "or"),
        ("pan", "pa"),
        ("pes", "fa"),
        ("pol", "pl"),
        ("por", "pt"),
        ("ron", "ro"),
        ("rus", "ru"),
        ("sin", "si"),
        ("slk", "sk"),
        ("slv", "sl"),
        ("sna", "sn"),
        ("spa", "es"),
        ("srp", "sr"),
        ("swe", "sv"),
        ("tam", "ta"),
        ("tel", "te"),
        ("tgl", "tl"),
        ("tha", "th"),
        ("tuk", "tk"),
        ("tur", "tr"),
        ("ukr", "uk"),
        ("urd", "ur"),
        ("uzb", "uz"),
        ("vie", "vi"),
        ("yid", "yi"),
        ("zul", "zu"),
    ];
    TABLE
        .iter()
        .find(|(three, _)| *three == code)
        .map(|(_, two)| *two)
}

#[cfg(test)]
mod tests {
    use super::language_code;

    #[test]
    fn common_languages_and_short_text() {
        assert_eq!(
            language_code("The quick brown fox jumps over the lazy dog near the river bank"),
            "en"
        );
        assert_eq!(
            language_code("Der schnelle braune Fuchs springt über den faulen Hund am Fluss"),
            "de"
        );
        assert_eq!(language_code("42"), "und");
    }
}
