//! Webhook signatures: `X-Redoubt-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<raw body>")>`, as receivers verify them; secrets are `whsec_` + 32 random bytes hex.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-redoubt-signature";
pub const TIMESTAMP_HEADER: &str = "x-redoubt-timestamp";

/// A fresh signing secret.
pub fn new_signing_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Lowercase hex HMAC-SHA256(secret, body): vision's `X-Webhook-Signature`, as its contract has it.
pub fn sign_body(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The key a Standard Webhooks receiver derives from `secret`: the base64 after `whsec_` when
/// it decodes, else the secret's own bytes.
fn standard_key(secret: &str) -> Vec<u8> {
    use base64::Engine as _;
    secret
        .strip_prefix("whsec_")
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` (Standard Webhooks).
pub fn sign_standard(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine as _;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&standard_key(secret)).expect("HMAC takes any key");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Checks a signature header as a receiver would: well formed, matching (constant time), and
/// no older than `tolerance_secs` at `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut timestamp = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => tags.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = timestamp else { return false };
    if (now - t).abs() > tolerance_secs {
        return false;
    }
    tags.iter()
        .any(|tag| mac(secret, t, body).verify_slice(tag).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn secrets_have_the_documented_shape() {
        let s = new_signing_secret();
        assert!(s.starts_with("whsec_") && s.len() == 6 + 64);
        assert_ne!(s, new_signing_secret());
    }

    #[test]
    fn a_known_vector() {
        // printf '%s' '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            sign("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn body_and_standard_vectors() {
        // printf '%s' '{}' | openssl dgst -sha256 -hmac s3cret
        assert_eq!(
            sign_body("s3cret", b"{}"),
            "adbde1ce40c89c14215687d5d762a47df6dfaefcfad61e2e86718ffc8498571b"
        );
        // The Standard Webhooks specification's example: secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,
        // id msg_p5jXN8AQM9LWM0D4loKWxJek, timestamp 1614265330, body {"test": 2432232314}.
        assert_eq!(
            sign_standard(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    proptest! {
        #[test]
        fn verify_accepts_its_own_signatures_and_nothing_altered(
            body in proptest::collection::vec(any::<u8>(), 0..256), t in 0i64..4_000_000_000, flip in 0usize..256
        ) {
            let header = sign("whsec_k", t, &body);
            prop_assert!(verify("whsec_k", &header, &body, t + 10, 300));
            prop_assert!(!verify("whsec_other", &header, &body, t, 300));
            prop_assert!(!verify("whsec_k", &header, &body, t + 301, 300));
            if !body.is_empty() {
                let mut altered = body.clone();
                altered[flip % body.len()] ^= 0x01;
                prop_assert!(!verify("whsec_k", &header, &altered, t, 300));
            }
        }
    }
}
