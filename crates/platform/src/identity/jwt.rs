//! HS256 JWTs as the contracts describe them: `sub`, `email`, `tenant_id`, `role`, `iat`, `exp`,
//! plus `aud` naming the service that issued the token, so a token for one service is refused by
//! another, and `jti`, the token's own id.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ServiceName;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: Uuid,
    pub email: String,
    pub tenant_id: Uuid,
    pub role: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// A random id per token, so one token can be revoked (testops' logout) without the others.
    #[serde(default)]
    pub jti: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum JwtError {
    #[error("token expired")]
    Expired,
    #[error("invalid token")]
    Invalid,
}

/// The signing and verifying keys of one installation, with the lifetime of issued tokens.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_secs: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs: ttl_secs as i64,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs a token for `service`, valid from now for the configured lifetime.
    pub fn issue(
        &self,
        service: ServiceName,
        sub: Uuid,
        email: &str,
        tenant_id: Uuid,
        role: &str,
    ) -> String {
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub,
            email: email.to_string(),
            tenant_id,
            role: role.to_string(),
            aud: service.as_str().to_string(),
            iat,
            exp: iat + self.ttl_secs,
            jti: Uuid::new_v4().simple().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// Verifies signature (HS256 only: `alg: none` and every other algorithm are refused),
    /// expiry and audience.
    pub fn verify(&self, service: ServiceName, token: &str) -> Result<Claims, JwtError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_audience(&[service.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "aud"]);
        decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => JwtError::Expired,
                _ => JwtError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[42u8; 64], 86_400)
    }

    #[test]
    fn round_trips_with_a_24h_lifetime() {
        let (sub, tenant) = (Uuid::new_v4(), Uuid::new_v4());
        let token = keys().issue(ServiceName::Guard, sub, "a@b.c", tenant, "admin");
        let claims = keys().verify(ServiceName::Guard, &token).unwrap();
        assert_eq!(
            (claims.sub, claims.tenant_id, claims.role.as_str()),
            (sub, tenant, "admin")
        );
        assert_eq!(claims.exp - claims.iat, 86_400);
    }

    #[test]
    fn refuses_other_services_other_secrets_and_alg_none() {
        let token = keys().issue(
            ServiceName::Guard,
            Uuid::new_v4(),
            "a@b.c",
            Uuid::new_v4(),
            "admin",
        );
        assert_eq!(
            keys().verify(ServiceName::Testops, &token),
            Err(JwtError::Invalid)
        );
        let other = JwtKeys::new(&[1u8; 64], 86_400);
        assert_eq!(
            other.verify(ServiceName::Guard, &token),
            Err(JwtError::Invalid)
        );
        let payload = token.split('.').nth(1).unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let forged = format!("{none_header}.{payload}.");
        assert_eq!(
            keys().verify(ServiceName::Guard, &forged),
            Err(JwtError::Invalid)
        );
    }

    #[test]
    fn expired_tokens_are_reported_as_expired() {
        let expired = JwtKeys {
            ttl_secs: -3600,
            ..keys()
        };
        let token = expired.issue(
            ServiceName::Guard,
            Uuid::new_v4(),
            "a@b.c",
            Uuid::new_v4(),
            "viewer",
        );
        assert_eq!(
            keys().verify(ServiceName::Guard, &token),
            Err(JwtError::Expired)
        );
    }
}
