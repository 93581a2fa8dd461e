//! Billing through Stripe (configurable base URL): `GET /billing/subscription` (every role) reads
//! the tenant's plan, its limits and — once it has a Stripe customer — the latest subscription,
//! applying an active one's plan to the tenant's licences; `POST /billing/checkout`
//! `{plan, billing_cycle}` and `POST /billing/portal` (admins) open Stripe sessions.
//! Unconfigured: 503 `{"detail"}`; Stripe unreachable or refusing: 502 `{"detail"}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use platform::audit::AuditEvent;
use platform::billing::{BillingError, Stripe};
use platform::http::fields::{Field, Vocabulary};
use platform::http::{ApiError, AppJson};
use platform::{ServiceName, ServiceState};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::auth::{Admin, Dashboard};
use crate::model::{BillingRow, Plan};
use crate::store::NetwatchStore;
use crate::ErrorBody;

platform::vocabulary!(
    /// How often a subscription is billed.
    pub enum BillingCycle {
        Monthly = "monthly",
        Annual = "annual",
    }
);

fn billing_error(e: BillingError) -> ApiError {
    match e {
        BillingError::NotConfigured(what) => ApiError::unavailable(format!(
            "Billing is not configured on this server ({what}): ask the operator to set billing.stripe_secret_key and billing.prices"
        )),
        BillingError::Upstream(m) => ApiError::new(StatusCode::BAD_GATEWAY, m),
    }
}

fn stripe(state: &ServiceState) -> Result<Stripe<'_>, ApiError> {
    Stripe::from_settings(&state.platform.settings().billing).map_err(billing_error)
}

#[derive(Serialize, ToSchema)]
pub struct PlanLimits {
    /// Null: no limit.
    max_agents: Option<usize>,
    agents_registered: usize,
    /// Rule families the plan runs: core, extended, ot.
    rule_coverage: Vec<&'static str>,
}

#[derive(Serialize, ToSchema)]
pub struct Subscription {
    #[schema(value_type = Plan)]
    plan: &'static str,
    /// monthly or annual; null before any checkout.
    billing_cycle: Option<String>,
    /// Stripe's subscription status (active, trialing, past_due, canceled, …), or `none`.
    status: String,
    current_period_end: Option<chrono::DateTime<chrono::Utc>>,
    stripe_customer_id: Option<String>,
    stripe_subscription_id: Option<String>,
    limits: PlanLimits,
}

fn period_end(sub: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    sub["current_period_end"]
        .as_i64()
        .or_else(|| sub["items"]["data"][0]["current_period_end"].as_i64())
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
}

/// The plan and cycle a configured netwatch price id stands for.
fn plan_of_price(
    settings: &platform::settings::BillingSettings,
    price: &str,
) -> Option<(Plan, BillingCycle)> {
    let (key, _) = settings
        .prices
        .iter()
        .find(|(_, id)| id.as_str() == price)?;
    let rest = key.strip_prefix("netwatch_")?;
    let (plan, cycle) = rest.rsplit_once('_')?;
    Some((Plan::parse(plan)?, BillingCycle::parse(cycle)?))
}

/// The tenant's plan, limits and subscription.
#[utoipa::path(get, path = "/api/v1/billing/subscription", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = Subscription), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 423, body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn subscription(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Dashboard,
) -> Result<Json<Subscription>, ApiError> {
    let stripe = stripe(&state)?;
    let tenant_id = user.tenant_id();
    let mut billing = store.billing(tenant_id).await?;
    if let Some(b) = &billing {
        if let Some(sub) = stripe
            .latest_subscription(&b.stripe_customer_id)
            .await
            .map_err(billing_error)?
        {
            // The price says what is paid for (a plan changed in the Portal changes the price,
            // not our metadata); the metadata is the fallback for a price we do not know.
            let priced = sub["items"]["data"][0]["price"]["id"]
                .as_str()
                .and_then(|id| plan_of_price(stripe.settings(), id));
            let plan = priced
                .map(|(p, _)| p)
                .or_else(|| sub["metadata"]["plan"].as_str().and_then(Plan::parse));
            let cycle = priced.map(|(_, c)| c).or_else(|| {
                sub["metadata"]["billing_cycle"]
                    .as_str()
                    .and_then(BillingCycle::parse)
            });
            let row = BillingRow {
                stripe_customer_id: b.stripe_customer_id.clone(),
                subscription_id: sub["id"].as_str().map(str::to_string),
                plan: plan.map(|p| p.as_str().to_string()),
                billing_cycle: cycle.map(|c| c.as_str().to_string()),
                status: sub["status"].as_str().map(str::to_string),
                current_period_end: period_end(&sub),
            };
            store.record_subscription(tenant_id, &row).await?;
            billing = Some(row);
        }
    }
    let now = chrono::Utc::now();
    let licenses = store.licenses(tenant_id).await?;
    let plan = licenses
        .iter()
        .filter(|l| l.usable_at(now))
        .map(|l| l.plan())
        .max_by_key(|p| Plan::ALL.iter().position(|x| x == p))
        .unwrap_or(Plan::Free);
    let agents = store.agents(tenant_id).await?;
    Ok(Json(Subscription {
        plan: plan.as_str(),
        billing_cycle: billing.as_ref().and_then(|b| b.billing_cycle.clone()),
        status: billing
            .as_ref()
            .and_then(|b| b.status.clone())
            .unwrap_or_else(|| "none".into()),
        current_period_end: billing.as_ref().and_then(|b| b.current_period_end),
        stripe_customer_id: billing.as_ref().map(|b| b.stripe_customer_id.clone()),
        stripe_subscription_id: billing.as_ref().and_then(|b| b.subscription_id.clone()),
        limits: PlanLimits {
            max_agents: plan.max_agents(),
            agents_registered: agents.len(),
            rule_coverage: plan.coverage().to_vec(),
        },
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CheckoutRequest {
    /// starter, professional, business or enterprise.
    #[serde(default)]
    #[schema(value_type = Plan, example = "professional")]
    plan: Field<Plan>,
    /// monthly or annual.
    #[serde(default)]
    #[schema(value_type = BillingCycle, example = "annual")]
    billing_cycle: Field<BillingCycle>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionUrl {
    #[schema(example = "https://checkout.stripe.com/c/pay/cs_test_…")]
    url: String,
    session_id: String,
}

/// The tenant's Stripe customer, created on first use.
async fn customer(
    stripe: &Stripe<'_>,
    store: &NetwatchStore,
    user: &Dashboard,
) -> Result<String, ApiError> {
    if let Some(b) = store.billing(user.tenant_id()).await? {
        return Ok(b.stripe_customer_id);
    }
    let tenant = user.tenant_id().to_string();
    let created = stripe
        .create_customer(
            &[
                ("email", user.email()),
                ("metadata[tenant_id]", &tenant),
                ("metadata[service]", "netwatch"),
            ],
            &format!("netwatch-customer-{tenant}"),
        )
        .await
        .map_err(billing_error)?;
    Ok(store
        .set_stripe_customer(user.tenant_id(), &created)
        .await?)
}

/// A Stripe Checkout session for a paid plan (admins).
#[utoipa::path(post, path = "/api/v1/billing/checkout", tag = "billing", request_body = CheckoutRequest, security(("bearer" = [])),
    responses((status = 200, body = SessionUrl), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn checkout(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Admin,
    AppJson(body): AppJson<CheckoutRequest>,
) -> Result<Json<SessionUrl>, ApiError> {
    let paid = "plan must be one of starter, professional, business, enterprise";
    let plan = match body.plan {
        Field::Value(p) if p != Plan::Free => p,
        _ => return Err(ApiError::bad_request(paid)),
    };
    let cycle = match body.billing_cycle {
        Field::Value(c) => c,
        _ => {
            return Err(ApiError::bad_request(format!(
                "billing_cycle must be one of {}",
                BillingCycle::listed()
            )))
        }
    };
    let stripe = stripe(&state)?;
    let price = stripe
        .price(&format!("netwatch_{}_{}", plan.as_str(), cycle.as_str()))
        .map_err(billing_error)?;
    let customer = customer(&stripe, &store, &user.0).await?;
    let settings = stripe.settings();
    let tenant = user.tenant_id().to_string();
    let minute = chrono::Utc::now().timestamp() / 60;
    let session = stripe
        .checkout_session(
            &[
                ("mode", "subscription"),
                ("customer", &customer),
                ("line_items[0][price]", price),
                ("line_items[0][quantity]", "1"),
                ("success_url", &settings.success_url),
                ("cancel_url", &settings.cancel_url),
                ("client_reference_id", &tenant),
                ("metadata[tenant_id]", &tenant),
                ("metadata[plan]", plan.as_str()),
                ("metadata[billing_cycle]", cycle.as_str()),
                ("subscription_data[metadata][tenant_id]", &tenant),
                ("subscription_data[metadata][plan]", plan.as_str()),
                ("subscription_data[metadata][billing_cycle]", cycle.as_str()),
            ],
            &format!(
                "netwatch-checkout-{tenant}-{}-{}-{minute}",
                plan.as_str(),
                cycle.as_str()
            ),
        )
        .await
        .map_err(billing_error)?;
    let event = AuditEvent {
        service: ServiceName::Netwatch,
        actor: user.email().to_string(),
        action: "billing.checkout".into(),
        target: format!("tenant:{tenant}"),
        details: json!({"plan": plan, "billing_cycle": cycle, "session_id": session.id}),
    };
    state
        .platform
        .audit()
        .append(user.tenant_id(), event)
        .await?;
    Ok(Json(SessionUrl {
        url: session.url,
        session_id: session.id,
    }))
}

/// A Stripe Customer Portal session (admins), once the tenant has a Stripe customer.
#[utoipa::path(post, path = "/api/v1/billing/portal", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SessionUrl), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn portal(
    State(state): State<ServiceState>,
    State(store): State<NetwatchStore>,
    user: Admin,
) -> Result<Json<SessionUrl>, ApiError> {
    let stripe = stripe(&state)?;
    let billing = store.billing(user.tenant_id()).await?.ok_or_else(|| {
        ApiError::not_found("No billing account yet: subscribe first with POST /billing/checkout")
    })?;
    let session = stripe
        .portal_session(
            &billing.stripe_customer_id,
            &stripe.settings().portal_return_url,
        )
        .await
        .map_err(billing_error)?;
    Ok(Json(SessionUrl {
        url: session.url,
        session_id: session.id,
    }))
}
