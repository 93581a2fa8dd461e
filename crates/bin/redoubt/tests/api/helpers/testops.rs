//! testops helpers: organisations made through the real signup, and clients acting as their
//! members (`app.testops(&token)`, or `app.testops_key(&key)` for `x-api-key`).

use platform::ServiceName;
use serde_json::{json, Value};

use super::client::ServiceClient;
use super::TestApp;

/// A password the signup rules accept.
pub const STRONG: &str = "Str0ng!passw0rd";

/// A member signed in: their token and the ids the API gave.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user_id: String,
    pub org_id: String,
}

impl Session {
    fn from(body: &Value) -> Session {
        Session {
            token: body["token"].as_str().unwrap().to_string(),
            user_id: body["user"]["id"].as_str().unwrap().to_string(),
            org_id: body["user"]["organizationId"].as_str().unwrap().to_string(),
        }
    }
}

impl TestApp {
    pub fn testops(&self, token: &str) -> ServiceClient<'_> {
        self.client(ServiceName::Testops).bearer(token)
    }

    pub fn testops_key(&self, key: &str) -> ServiceClient<'_> {
        self.client(ServiceName::Testops).header("x-api-key", key)
    }

    /// Signs up `email` as the admin of a new organisation `org`.
    pub async fn testops_signup(&self, org: &str, email: &str) -> Session {
        let r = self
            .client(ServiceName::Testops)
            .post(
                "/api/auth/signup",
                json!({"email": email, "password": STRONG, "name": email.split('@').next().unwrap(), "organizationName": org}),
            )
            .await;
        assert_eq!(r.status, 201, "signup of {email}: {}", r.body);
        Session::from(&r.body)
    }

    pub async fn testops_login(&self, email: &str) -> Session {
        let r = self
            .client(ServiceName::Testops)
            .post(
                "/api/auth/login",
                json!({"email": email, "password": STRONG}),
            )
            .await;
        assert_eq!(r.status, 200, "login of {email}: {}", r.body);
        Session::from(&r.body)
    }

    /// Invites `email` with `role` into the admin's organisation and signs them up with the token.
    pub async fn testops_invite_signup(&self, admin: &Session, email: &str, role: &str) -> Session {
        let r = self
            .testops(&admin.token)
            .post("/api/invitations", json!({"email": email, "role": role}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let token = r.body["invitation"]["token"].as_str().unwrap().to_string();
        let r = self
            .client(ServiceName::Testops)
            .post("/api/auth/signup", json!({"email": email, "password": STRONG, "name": "Invitee", "inviteToken": token}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        Session::from(&r.body)
    }
}

/// Whether `id` has the contract's form (24 lowercase hex digits).
pub fn is_object_id(id: &Value) -> bool {
    id.as_str().is_some_and(|s| {
        s.len() == 24
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}
