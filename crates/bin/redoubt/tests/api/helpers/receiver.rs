//! A webhook receiver on 127.0.0.1 for delivery tests: records each request, answers 500 to
//! the first `failures`, then 200.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use tokio::sync::mpsc;

pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A receiver on 127.0.0.1 that answers 500 to the first `failures` requests, then 200.
pub async fn receiver(
    failures: usize,
) -> (String, mpsc::UnboundedReceiver<Received>, Arc<AtomicUsize>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (tx, counter) = (tx.clone(), counter.clone());
            async move {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(Received { headers, body });
                if n < failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), rx, hits)
}

pub async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a delivery in time")
        .unwrap()
}
