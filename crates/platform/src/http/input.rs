//! Input that no backend may see: NUL characters. PostgreSQL text refuses `\u0000` (a 500 on
//! every query that binds one) while SQLite stores it, so the two would disagree; every service
//! answers 400 instead, before any handler runs (URLs) or any field is read (JSON bodies).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

pub const NUL_IN_URL: &str = "The request URL must not contain NUL characters (%00)";
pub const NUL_IN_BODY: &str = "The request body must not contain NUL characters (\\u0000)";

/// Middleware: a path or query string carrying `%00` is refused with 400.
pub async fn reject_nul_in_url(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let query = uri.query().unwrap_or("");
    if has_encoded_nul(uri.path()) || has_encoded_nul(query) {
        return ApiError::bad_request(NUL_IN_URL).into_response();
    }
    next.run(req).await
}

fn has_encoded_nul(text: &str) -> bool {
    text.as_bytes().windows(3).any(|w| w == b"%00")
}

/// True when a JSON text holds a NUL: as a `\u0000` escape in a string, or as a raw byte (which
/// no valid JSON holds, but a parser would reject later with a less clear message).
pub fn json_has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            0 => return true,
            // An escape: `\\` and `\"` consume their second byte, so `\\u0000` is not a NUL.
            b'\\' => {
                if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(b"0000") {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// `Err(400)` when `json` holds a NUL (see [`json_has_nul`]).
pub fn refuse_nul(json: &[u8]) -> Result<(), ApiError> {
    if json_has_nul(json) {
        Err(ApiError::bad_request(NUL_IN_BODY))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_escaped_and_raw_nuls_only() {
        assert!(json_has_nul(br#"{"email":"a\u0000b"}"#));
        assert!(json_has_nul(b"{\"email\":\"a\0b\"}"));
        assert!(json_has_nul(br#"["\\\u0000"]"#));
        assert!(!json_has_nul(br#"{"email":"a\\u0000b"}"#));
        assert!(json_has_nul(br#"{"a":"\u0001\"\u00000"}"#));
        assert!(!json_has_nul(br#"{"a":"\u0010","b":"u0000"}"#));
        assert!(!json_has_nul(b"\\"));
    }

    #[test]
    fn finds_encoded_nuls_in_urls() {
        assert!(has_encoded_nul("/v1/sessions/sess_%00"));
        assert!(has_encoded_nul("platform_id=a%00b"));
        assert!(!has_encoded_nul("/v1/keys/nrx%2500"));
        assert!(!has_encoded_nul("page=100"));
    }
}
