//! Secrets at rest: values the server must read back (webhook signing secrets, delivery tokens)
//! are sealed with the master key (XChaCha20-Poly1305, random nonce) and stored as base64.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;
const PREFIX: &str = "v1:";

/// Seals `plaintext`; the result is printable and differs on every call.
pub fn seal(master_key: &[u8; 32], plaintext: &str) -> String {
    let cipher = XChaCha20Poly1305::new(master_key.into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, plaintext.as_bytes())
        .expect("encryption of an in-memory buffer cannot fail");
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// Opens what `seal` produced with the same key; `None` if it was altered or the key differs.
pub fn open(master_key: &[u8; 32], sealed: &str) -> Option<String> {
    let bytes = STANDARD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
    if bytes.len() < NONCE_LEN {
        return None;
    }
    let (nonce, body) = bytes.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(master_key.into());
    let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
    let plain = cipher.decrypt(&XNonce::from(nonce), body).ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_tampering_or_another_key() {
        let key = [3u8; 32];
        let a = seal(&key, "whsec_abc");
        let b = seal(&key, "whsec_abc");
        assert_ne!(a, b, "random nonce");
        assert!(!a.contains("whsec_abc"));
        assert_eq!(open(&key, &a).as_deref(), Some("whsec_abc"));
        assert_eq!(open(&[4u8; 32], &a), None);
        let mut bytes = STANDARD.decode(&a[3..]).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        assert_eq!(open(&key, &format!("v1:{}", STANDARD.encode(bytes))), None);
        assert_eq!(open(&key, "garbage"), None);
    }
}
