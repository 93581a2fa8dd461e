//! `POST /api/v1/classification/classify` (admins): run the classifier on a text and return
//! the findings, the risk score and band, and how long classification took. Nothing is stored;
//! matched values come back masked, like everywhere else in guard.

use std::time::Instant;

use axum::extract::State;
use axum::Json;
use platform::http::{ApiError, AppJson, AuthUser};
use platform::ServiceState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::interaction::MAX_TEXT_CHARS;
use crate::ErrorBody;

#[derive(Deserialize, ToSchema)]
pub struct ClassifyRequest {
    /// The text to classify (at most 100,000 characters).
    text: String,
}

/// One detection, in the contract's classification shape.
#[derive(Serialize, ToSchema)]
pub struct Classification {
    /// EMAIL, PHONE, CREDIT_CARD, IBAN, FR_NIR, FR_SIREN, FR_SIRET, IP_ADDRESS, …
    #[serde(rename = "type")]
    kind: &'static str,
    /// The matched text, masked (e.g. `a***@acme.fr`): the raw value is never returned or stored.
    value: String,
    /// Confidence 0–1.
    score: f32,
    /// Character offsets in the text, end exclusive.
    start: usize,
    end: usize,
    /// 1: validated patterns; 2: lexicons, context rules, secret formats.
    tier: u8,
}

#[derive(Serialize, ToSchema)]
pub struct ClassifyResponse {
    classifications: Vec<Classification>,
    /// 0–1, a noisy-OR of per-type weights (docs/decisions.md).
    risk_score: f64,
    /// minimal < 0.10 ≤ low < 0.30 ≤ medium < 0.70 ≤ high < 0.90 ≤ critical.
    risk_band: &'static str,
    /// Tiers that ran: 1 (validated identifiers) and 2 (so far: secrets; see docs/services.md).
    tiers: Vec<u8>,
    /// Server-side classification time, microseconds.
    latency_us: u64,
}

/// Classify text (admin only).
#[utoipa::path(post, path = "/api/v1/classification/classify", tag = "classification", request_body = ClassifyRequest,
    security(("bearer" = [])), responses(
        (status = 200, body = ClassifyResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn classify(
    State(_state): State<ServiceState>,
    user: AuthUser,
    AppJson(req): AppJson<ClassifyRequest>,
) -> Result<Json<ClassifyResponse>, ApiError> {
    user.require_role(&["admin"])?;
    if req.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request(format!(
            "text must be at most {MAX_TEXT_CHARS} characters"
        )));
    }
    let started = Instant::now();
    let findings = pii::detect(&req.text);
    let latency_us = started.elapsed().as_micros() as u64;
    let risk = pii::risk_score(&findings);
    let classifications = findings
        .iter()
        .map(|f| {
            let matched: String = req
                .text
                .chars()
                .skip(f.start)
                .take(f.end - f.start)
                .collect();
            Classification {
                kind: f.kind.as_str(),
                value: pii::mask(f.kind, &matched),
                score: f.score,
                start: f.start,
                end: f.end,
                tier: f.tier.number(),
            }
        })
        .collect();
    Ok(Json(ClassifyResponse {
        classifications,
        risk_score: risk,
        risk_band: pii::risk_band(risk).as_str(),
        tiers: vec![1, 2],
        latency_us,
    }))
}
