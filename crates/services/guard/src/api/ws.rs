//! `GET /api/v1/ws`: a WebSocket of the caller's tenant's live events (`interaction.created`,
//! `alert.created`). The JWT comes in `Authorization: Bearer` or `?token=`; messages are JSON
//! text frames `{"type", "data", "occurred_at"}`, preceded by one `{"type":"connected"}`.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use platform::http::auth::bearer_token;
use platform::http::ApiError;
use platform::identity::{Claims, JwtError};
use platform::{ServiceName, ServiceState};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;

use crate::ErrorBody;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsAuth {
    /// The JWT, for clients that cannot set headers on a WebSocket (browsers).
    pub token: Option<String>,
}

fn authenticate(
    state: &ServiceState,
    headers: &HeaderMap,
    query: &WsAuth,
) -> Result<Claims, ApiError> {
    let token = bearer_token(headers)
        .or(query.token.as_deref())
        .ok_or_else(|| {
            ApiError::unauthorized("No token provided (Authorization header or ?token=)")
        })?;
    state
        .platform
        .jwt()
        .verify(ServiceName::Guard, token)
        .map_err(|e| match e {
            JwtError::Expired => ApiError::unauthorized("Token expired"),
            JwtError::Invalid => ApiError::unauthorized("Invalid token"),
        })
}

/// Open the live feed (WebSocket upgrade).
#[utoipa::path(get, path = "/api/v1/ws", tag = "live", params(WsAuth), security(("bearer" = [])),
    responses((status = 101, description = "Switching protocols: JSON event frames follow"),
        (status = 400, body = ErrorBody, description = "Not a WebSocket request"), (status = 401, body = ErrorBody)))]
pub async fn live(
    State(state): State<ServiceState>,
    headers: HeaderMap,
    Query(query): Query<WsAuth>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let claims = authenticate(&state, &headers, &query)?;
    Ok(upgrade.on_upgrade(move |socket| feed(socket, state, claims)))
}

async fn feed(mut socket: WebSocket, state: ServiceState, claims: Claims) {
    let mut events = state.platform.events().subscribe();
    let hello =
        json!({ "type": "connected", "tenant_id": claims.tenant_id, "user_id": claims.sub });
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(event) if event.service == ServiceName::Guard && event.tenant_id == claims.tenant_id => {
                    let text = serde_json::to_string(&*event).expect("events serialise");
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    let notice = json!({ "type": "events.missed", "count": missed });
                    if socket.send(Message::Text(notice.to_string().into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
