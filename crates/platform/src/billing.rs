//! Stripe, the billing provider of every paid service: our client for the four calls the
//! services make (customers, Checkout sessions, Customer Portal sessions, a customer's
//! subscriptions). It speaks Stripe's form-encoded API at the configured base URL, so tests
//! point it at a local fake that checks what it receives.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use crate::settings::BillingSettings;

/// Why a billing call could not be made; services answer 503 and 502.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// The operator has not configured Stripe (or this price).
    #[error("billing is not configured on this server ({0})")]
    NotConfigured(String),
    /// Stripe could not be reached, refused the call, or answered something unusable.
    #[error("{0}")]
    Upstream(String),
}

/// A session a customer is sent to.
#[derive(Debug, Clone)]
pub struct StripeSession {
    pub id: String,
    pub url: String,
}

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("a TLS client")
    })
}

/// Stripe as configured in `billing.*`.
pub struct Stripe<'a> {
    settings: &'a BillingSettings,
    secret: &'a str,
}

impl<'a> Stripe<'a> {
    /// The client, or `NotConfigured` without a secret key.
    pub fn from_settings(settings: &'a BillingSettings) -> Result<Stripe<'a>, BillingError> {
        let secret = settings
            .stripe_secret_key
            .as_deref()
            .ok_or_else(|| BillingError::NotConfigured("no Stripe secret key".into()))?;
        Ok(Stripe { settings, secret })
    }

    pub fn settings(&self) -> &BillingSettings {
        self.settings
    }

    /// The Price id configured under `key`.
    pub fn price(&self, key: &str) -> Result<&'a str, BillingError> {
        self.settings
            .prices
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| BillingError::NotConfigured(format!("no price for {key}")))
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<Value, BillingError> {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut url = format!(
            "{}{path}",
            self.settings.stripe_api_base.trim_end_matches('/')
        );
        let get = method == reqwest::Method::GET;
        if get && !encoded.is_empty() {
            url = format!("{url}?{encoded}");
        }
        let mut request = http().request(method, &url).bearer_auth(self.secret);
        if !get {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded);
        }
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let response = request
            .send()
            .await
            .map_err(|e| BillingError::Upstream(format!("Stripe could not be reached: {e}")))?;
        let status = response.status();
        let payload: Value = response.json().await.map_err(|_| {
            BillingError::Upstream(format!("Stripe answered {status} without JSON"))
        })?;
        if !status.is_success() {
            let why = payload["error"]["message"].as_str().unwrap_or("no message");
            return Err(BillingError::Upstream(format!(
                "Stripe refused {path} ({status}): {why}"
            )));
        }
        Ok(payload)
    }

    fn text(payload: &Value, field: &str, what: &str) -> Result<String, BillingError> {
        payload[field]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| BillingError::Upstream(format!("Stripe's {what} has no {field}")))
    }

    /// Creates a customer; returns its `cus_…` id.
    pub async fn create_customer(
        &self,
        fields: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<String, BillingError> {
        let payload = self
            .call(
                reqwest::Method::POST,
                "/v1/customers",
                fields,
                Some(idempotency_key),
            )
            .await?;
        Self::text(&payload, "id", "customer")
    }

    /// Creates a Checkout session from `fields` (mode, line items, URLs, metadata…).
    pub async fn checkout_session(
        &self,
        fields: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<StripeSession, BillingError> {
        let payload = self
            .call(
                reqwest::Method::POST,
                "/v1/checkout/sessions",
                fields,
                Some(idempotency_key),
            )
            .await?;
        Ok(StripeSession {
            id: Self::text(&payload, "id", "checkout session")?,
            url: Self::text(&payload, "url", "checkout session")?,
        })
    }

    /// A Customer Portal session for `customer`, returning to `return_url`.
    pub async fn portal_session(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<StripeSession, BillingError> {
        let payload = self
            .call(
                reqwest::Method::POST,
                "/v1/billing_portal/sessions",
                &[("customer", customer), ("return_url", return_url)],
                None,
            )
            .await?;
        Ok(StripeSession {
            id: Self::text(&payload, "id", "portal session")?,
            url: Self::text(&payload, "url", "portal session")?,
        })
    }

    /// The customer's most recent subscription in any status, if it has one.
    pub async fn latest_subscription(&self, customer: &str) -> Result<Option<Value>, BillingError> {
        let payload = self
            .call(
                reqwest::Method::GET,
                "/v1/subscriptions",
                &[("customer", customer), ("status", "all"), ("limit", "1")],
                None,
            )
            .await?;
        match payload["data"].as_array() {
            Some(list) => Ok(list.first().cloned()),
            None => Err(BillingError::Upstream(
                "Stripe's subscription list has no data".into(),
            )),
        }
    }
}
