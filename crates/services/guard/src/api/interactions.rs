//! `/api/v1/interactions`: record AI interactions (single or batch), classify any text sent
//! with them, decide by policy, raise alerts, and list or read them back. Raw text is never
//! stored: the hash, masked findings and the decision are.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::http::pagination::{PageParams, Paged};
use platform::http::{ApiError, AppJson, AuthUser};
use platform::store::Filter;
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::announce;
use crate::model::alert::{self, AlertRow};
use crate::model::analysis;
use crate::model::interaction::{Interaction, NewInteraction};
use crate::model::vocabulary::{
    filter, filter_in, risk_bands, Action, Direction, InteractionType, Source,
};
use crate::store::GuardStore;
use crate::ErrorBody;

const MAX_BATCH: usize = 100;

/// A batch: either a bare array of interactions or `{"interactions": [...]}`.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Batch {
    Wrapped { interactions: Vec<NewInteraction> },
    Bare(Vec<NewInteraction>),
}

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    interactions: Vec<Interaction>,
    count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct InteractionList {
    interactions: Vec<Interaction>,
}

/// Validates, analyses and stores `items` for the caller's tenant; all or nothing.
async fn record(
    state: &ServiceState,
    store: &GuardStore,
    user: &AuthUser,
    items: Vec<NewInteraction>,
) -> Result<Vec<Interaction>, ApiError> {
    let batch = items.len() > 1;
    let mut checked = Vec::with_capacity(items.len());
    for (n, mut item) in items.into_iter().enumerate() {
        let text = item.validate().map_err(|e| {
            if batch {
                e.in_context(format!("interactions[{n}]"))
            } else {
                e
            }
        })?;
        checked.push((item, text));
    }
    let candidates = store.enabled_policies(user.tenant_id()).await?;
    let now = platform::store::now();
    let stored: Vec<(Interaction, Option<AlertRow>)> = checked
        .into_iter()
        .map(|(req, text)| {
            let a = analysis::analyse(&req, text.as_deref(), &candidates);
            let interaction = Interaction {
                id: Uuid::now_v7(),
                tenant_id: user.tenant_id(),
                risk_band: pii::risk_band(a.risk_score).as_str().to_string(),
                classification_count: a.classifications.len(),
                action: a.decision.action.clone(),
                platform_id: req.platform_id,
                interaction_type: req.interaction_type,
                content_hash: req.content_hash,
                content_metadata: a.metadata,
                classifications: a.classifications,
                risk_score: a.risk_score,
                direction: req.direction,
                source: req.source,
                user_id: req.user_id,
                decision: a.decision,
                created_at: now,
            };
            let alert = alert::for_interaction(&interaction);
            (interaction, alert)
        })
        .collect();
    store.insert_interactions(&stored).await?;
    announce::interactions_recorded(state, user.tenant_id(), &stored).await;
    Ok(stored.into_iter().map(|(i, _)| i).collect())
}

/// Record one interaction. Text in `content_metadata.text` is classified (Tier 1 + 2), merged
/// with the client's classifications, evaluated against enabled policies, then discarded.
#[utoipa::path(post, path = "/api/v1/interactions", tag = "interactions", request_body = NewInteraction, security(("bearer" = [])),
    responses((status = 201, body = Interaction), (status = 400, body = ErrorBody, description = "Invalid field, or content_hash does not match the text"),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create_interaction(
    State(state): State<ServiceState>,
    State(store): State<GuardStore>,
    user: AuthUser,
    AppJson(req): AppJson<NewInteraction>,
) -> Result<impl IntoResponse, ApiError> {
    let mut stored = record(&state, &store, &user, vec![req]).await?;
    let interaction = stored.pop().expect("one in, one out");
    let location = format!("/api/v1/interactions/{}", interaction.id);
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(interaction),
    ))
}

/// Record up to 100 interactions at once; if any is invalid, none is stored (400 names it).
#[utoipa::path(post, path = "/api/v1/interactions/batch", tag = "interactions", request_body = Batch, security(("bearer" = [])),
    responses((status = 201, body = BatchResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_batch(
    State(state): State<ServiceState>,
    State(store): State<GuardStore>,
    user: AuthUser,
    AppJson(batch): AppJson<Batch>,
) -> Result<impl IntoResponse, ApiError> {
    let items = match batch {
        Batch::Wrapped { interactions } | Batch::Bare(interactions) => interactions,
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::bad_request(format!(
            "a batch holds 1 to {MAX_BATCH} interactions"
        )));
    }
    let interactions = record(&state, &store, &user, items).await?;
    let count = interactions.len();
    Ok((
        StatusCode::CREATED,
        Json(BatchResult {
            interactions,
            count,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionFilters {
    pub platform_id: Option<String>,
    pub user_id: Option<Uuid>,
    /// browser_extension, proxy, endpoint_agent, api.
    #[param(value_type = Option<Source>)]
    pub source: Option<String>,
    /// outbound, inbound.
    #[param(value_type = Option<Direction>)]
    pub direction: Option<String>,
    /// block, coach, log, allow.
    #[param(value_type = Option<Action>)]
    pub action: Option<String>,
    #[param(value_type = Option<InteractionType>)]
    pub interaction_type: Option<String>,
    /// minimal, low, medium, high, critical.
    pub risk_band: Option<String>,
    /// Risk at least this (0–1).
    pub min_risk: Option<f64>,
    /// Risk at most this (0–1).
    pub max_risk: Option<f64>,
    /// At or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

impl InteractionFilters {
    fn into_filter(self, tenant_id: Uuid) -> Result<Filter, ApiError> {
        filter::<Source>("source", &self.source)?;
        filter::<Direction>("direction", &self.direction)?;
        filter::<Action>("action", &self.action)?;
        filter::<InteractionType>("interaction_type", &self.interaction_type)?;
        filter_in("risk_band", &self.risk_band, &risk_bands())?;
        for risk in [self.min_risk, self.max_risk].into_iter().flatten() {
            if !(0.0..=1.0).contains(&risk) {
                return Err(ApiError::bad_request(
                    "min_risk and max_risk must be between 0 and 1",
                ));
            }
        }
        Ok(Filter::new()
            .eq("tenant_id", tenant_id)
            .eq_opt(
                "platform_id",
                self.platform_id.map(|p| p.to_ascii_lowercase()),
            )
            .eq_opt("user_id", self.user_id)
            .eq_opt("source", self.source)
            .eq_opt("direction", self.direction)
            .eq_opt("action", self.action)
            .eq_opt("interaction_type", self.interaction_type)
            .eq_opt("risk_band", self.risk_band)
            .cmp_opt("risk_score", ">=", self.min_risk)
            .cmp_opt("risk_score", "<=", self.max_risk)
            .cmp_opt("created_at", ">=", self.from)
            .cmp_opt("created_at", "<", self.to))
    }
}

/// List interactions, newest first (`page`/`limit`, default 50, max 500, and filters).
#[utoipa::path(get, path = "/api/v1/interactions", tag = "interactions", params(PageParams, InteractionFilters), security(("bearer" = [])),
    responses((status = 200, body = InteractionList, headers(("X-Total-Count" = u64), ("X-Page" = u64), ("X-Per-Page" = u64), ("X-Total-Pages" = u64))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_interactions(
    State(store): State<GuardStore>,
    user: AuthUser,
    Query(params): Query<PageParams>,
    Query(filters): Query<InteractionFilters>,
) -> Result<Paged<InteractionList>, ApiError> {
    let page = params.resolve(50, 500)?;
    let filter = filters.into_filter(user.tenant_id())?;
    let (interactions, total) = store.interactions_page(&filter, page).await?;
    let returned = interactions.len();
    Ok(Paged::new(
        page,
        total,
        returned,
        InteractionList { interactions },
    ))
}

/// Get one interaction of the caller's tenant.
#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "interactions", security(("bearer" = [])),
    responses((status = 200, body = Interaction), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_interaction(
    State(store): State<GuardStore>,
    user: AuthUser,
    Path(id): Path<Uuid>,
) -> Result<Json<Interaction>, ApiError> {
    let interaction = store
        .interaction(user.tenant_id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("Interaction not found"))?;
    Ok(Json(interaction))
}
