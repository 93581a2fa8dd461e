//! Words as the PERSON rules see them: letters with inner hyphens or apostrophes
//! ("Jean-Pierre", "O'Brien", "d'Alembert"), byte offsets, and where each stands in its sentence.

const SENTENCE_BREAKS: [char; 7] = ['.', '!', '?', '\n', ':', ';', '•'];

#[derive(Debug, Clone)]
pub(super) struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
    /// Only spaces (no punctuation) separate it from the previous word.
    pub joined_to_previous: bool,
    /// First word of a sentence, a line or a list item.
    pub sentence_start: bool,
    /// Touches a digit or underscore: part of a code or token, not a word.
    pub glued: bool,
}

pub(super) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out: Vec<Word> = Vec::with_capacity(text.len() / 5);
    let mut gap_clean = true;
    let mut sentence_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphabetic() {
            let start = i;
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                let inner = (d == '-' || d == '\'' || d == '’')
                    && text[j + d.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphabetic);
                if d.is_alphabetic() || inner {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let touches = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '_');
            let glued =
                touches(text[..start].chars().next_back()) || touches(text[end..].chars().next());
            out.push(Word {
                glued,
                text: &text[start..end],
                start,
                end,
                joined_to_previous: gap_clean && !out.is_empty(),
                sentence_start,
            });
            gap_clean = true;
            sentence_start = false;
        } else {
            // Dutch "van 't Hof": the elided article keeps the name in one piece.
            let dutch_article = matches!(c, '\'' | '’')
                && text[..i].ends_with(' ')
                && text[i + c.len_utf8()..].starts_with("t ");
            if (!c.is_whitespace() || c == '\n') && !dutch_article {
                gap_clean = false;
            }
            if SENTENCE_BREAKS.contains(&c) {
                sentence_start = true;
            }
            if c.is_ascii_digit() {
                sentence_start = false;
            }
        }
    }
    out
}

/// "Dupont", "DUPONT", "Marie-Claire", "O'Brien", "McArthur"; not "dupont" or "iPhone".
pub(super) fn capitalised(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().count() >= 1
        && (chars.clone().all(|c| !c.is_uppercase() || c == '-')
            || w.chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
            || w.contains(['-', '\'', '’'])
            || is_mac(w))
}

fn is_mac(w: &str) -> bool {
    let rest = w.strip_prefix("Mac").or_else(|| w.strip_prefix("Mc"));
    rest.is_some_and(|r| {
        let mut c = r.chars();
        c.next().is_some_and(char::is_uppercase) && c.all(char::is_lowercase)
    })
}

/// "tSaoi", "hÉinniú", "bhFionnáin": an Irish surname after "Mac an", "Ó", "Ní", whose initial
/// mutation puts lower-case letters before the capital.
pub(super) fn mutated_irish(w: &str) -> bool {
    let lower: usize = w.chars().take_while(|c| c.is_lowercase()).count();
    (1..=2).contains(&lower) && w.chars().nth(lower).is_some_and(char::is_uppercase)
}

/// "I'm", "It's", "I'd": an English contraction, not a name ("John's" is a possessive).
pub(super) fn contraction(w: &str) -> bool {
    let mut parts = w.split(['\'', '’']);
    let (head, tail) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    matches!(tail, "m" | "d" | "ll" | "re" | "ve" | "t")
        || tail == "s"
            && matches!(
                head.to_lowercase().as_str(),
                "it" | "that" | "there" | "here" | "what" | "he" | "she" | "let" | "who"
            )
}

/// "d'Alembert", "d’Artagnan": a surname with its elided particle.
pub(super) fn elided_surname(w: &str) -> bool {
    ["d'", "d’", "D'", "D’"]
        .iter()
        .any(|p| w.strip_prefix(p).is_some_and(capitalised))
}

/// Every letter upper-case ("DUPONT", "ALERTE").
pub(super) fn all_caps(w: &str) -> bool {
    w.chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
}

/// The name part of a word, without an English possessive ("John's" → "John").
pub(super) fn base(w: &str) -> &str {
    w.strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(w)
}

/// End offset of a word without its possessive suffix.
pub(super) fn end_of(w: &Word) -> usize {
    w.start + base(w.text).len()
}
