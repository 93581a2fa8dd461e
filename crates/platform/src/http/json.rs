//! `AppJson`: axum's JSON extractor with its rejections turned into `ApiError`s (400 for syntax,
//! missing fields and wrong types; 415 for a wrong content type; 413 for an oversize body).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::Json;
use http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;

pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
    let status = match rejection.status() {
        StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
        other => other,
    };
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "Expected a request with `Content-Type: application/json`".to_string()
        }
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => "Request body too large".to_string(),
        _ => rejection.body_text(),
    };
    ApiError::new(status, message)
}
