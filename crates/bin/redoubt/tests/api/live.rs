//! guard's `/api/v1/ws` over a real WebSocket: authentication by header or `?token=`, and only
//! the caller's tenant's `interaction.created` / `alert.created` events.

use std::time::Duration;

use futures::StreamExt;
use platform::ServiceName;
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::guard::{spawn_guard, with_text};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message in time")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[tokio::test]
async fn the_live_feed_carries_the_tenants_events_only() {
    let app = spawn_guard().await;
    let (tenant, token) = app.guard_user("acme", "alice@acme.fr", "admin").await;
    let (_, other) = app.guard_user("globex", "gina@globex.com", "admin").await;
    let base = format!("ws://{}/api/v1/ws", app.addr(ServiceName::Guard));

    // By query parameter.
    let (mut by_query, _) = tokio_tungstenite::connect_async(format!("{base}?token={token}"))
        .await
        .unwrap();
    // By header.
    let mut request = base.clone().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut by_header, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    for socket in [&mut by_query, &mut by_header] {
        let hello = next_json(socket).await;
        assert_eq!(
            (hello["type"].as_str(), hello["tenant_id"].as_str()),
            (Some("connected"), Some(tenant.to_string().as_str()))
        );
    }

    // Another tenant's interaction first: it must not show up.
    let theirs = app
        .guard(&other)
        .post(
            "/api/v1/interactions",
            with_text("chatgpt", "globex secret plans"),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let mine = app
        .guard(&token)
        .post(
            "/api/v1/interactions",
            with_text("chatgpt", "Carte 4111 1111 1111 1111"),
        )
        .await
        .body;
    for socket in [&mut by_query, &mut by_header] {
        let first = next_json(socket).await;
        assert_eq!(first["type"], "interaction.created");
        assert_eq!(
            first["data"]["id"], mine["id"],
            "the other tenant's event was not sent"
        );
        assert!(!first.to_string().contains("4111 1111 1111 1111"));
        let second = next_json(socket).await;
        assert_eq!(second["type"], "alert.created");
        assert_eq!(second["data"]["interaction_id"], mine["id"]);
    }
}

#[tokio::test]
async fn the_live_feed_refuses_missing_or_bad_tokens() {
    let app = spawn_guard().await;
    let base = format!("ws://{}/api/v1/ws", app.addr(ServiceName::Guard));
    for url in [base.clone(), format!("{base}?token=not.a.jwt")] {
        match tokio_tungstenite::connect_async(url).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 401)
            }
            other => panic!("expected a 401, got {other:?}"),
        }
    }
    let netwatch_token = app.token(
        ServiceName::Netwatch,
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        "admin",
    );
    match tokio_tungstenite::connect_async(format!("{base}?token={netwatch_token}")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!("a token of another service must be refused, got {other:?}"),
    }
}
