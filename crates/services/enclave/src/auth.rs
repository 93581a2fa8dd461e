//! The `Customer` extractor: authenticates `Authorization: Bearer nrx_live_…` with the
//! platform's API keys, finds the key's customer, and applies the tier's request rate.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use platform::http::auth::presented_api_key;
use platform::http::ApiError;
use platform::ratelimit::{rejection, Quota};
use platform::{ServiceName, ServiceState};

use crate::model::CustomerRow;
use crate::store::EnclaveStore;

/// An authenticated customer, within its tier's request rate.
pub struct Customer {
    pub row: CustomerRow,
    pub key_prefix: String,
}

/// The customer whose live enclave key is `presented`, and the key's prefix.
async fn by_key(
    state: &ServiceState,
    store: &EnclaveStore,
    presented: &str,
) -> anyhow::Result<Option<(CustomerRow, String)>> {
    let keys = state.platform.api_keys();
    let Some(key) = keys.authenticate(ServiceName::Enclave, presented).await? else {
        return Ok(None);
    };
    let customer = store.customer_of_tenant(key.tenant_id).await?;
    Ok(customer.map(|row| (row, key.prefix)))
}

impl<S> FromRequestParts<S> for Customer
where
    ServiceState: FromRef<S>,
    EnclaveStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let (shared, store) = (ServiceState::from_ref(state), EnclaveStore::from_ref(state));
        let presented = presented_api_key(&parts.headers, ServiceName::Enclave)
            .ok_or_else(|| ApiError::unauthorized("Missing API key").into_response())?;
        let (row, key_prefix) = by_key(&shared, &store, presented)
            .await
            .map_err(|e| ApiError::from(e).into_response())?
            .ok_or_else(|| ApiError::unauthorized("Invalid API key").into_response())?;
        let settings = &shared.platform.settings().sandbox;
        let rpm = row
            .tier()
            .limits(settings.free_cdps_per_month)
            .requests_per_minute;
        let quota = Quota::new(rpm, std::time::Duration::from_secs(60));
        let limiter = shared.platform.rate_limiter();
        match limiter
            .check(&format!("enclave.tier:{}", row.id), quota)
            .await
        {
            Ok(d) if !d.allowed => {
                let message = format!("Rate limit of {rpm} requests/min for the {} tier exceeded; retry after the indicated period.", row.tier);
                return Err(rejection(message, &d, quota));
            }
            Ok(_) => {}
            // Failing open, as the rate-limit layer does: an unreachable store must not take the API down.
            Err(e) => tracing::error!(error = %e, "rate limiter unavailable; request allowed"),
        }
        Ok(Customer { row, key_prefix })
    }
}
