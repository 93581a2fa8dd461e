//! Identity: tenants, users with per-service roles, password hashing, JWTs and API keys.

pub mod accounts;
pub mod api_keys;
pub mod jwt;
pub mod login;
pub mod membership;
pub mod password;

pub use accounts::{AccountError, Accounts, Member, MemberQuery, Tenant, User};
pub use api_keys::{ApiKeyRecord, ApiKeys, IssuedApiKey};
pub use jwt::{Claims, JwtError, JwtKeys};
