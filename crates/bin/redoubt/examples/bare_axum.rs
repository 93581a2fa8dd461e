//! The baseline of `scripts/bench-http`: a bare axum "hello" handler with no middleware,
//! on the same runtime settings as Redoubt. Prints its address, then serves until killed.

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("binding");
    println!("{}", listener.local_addr().expect("local address"));
    let app = Router::new().route("/hello", get(|| async { "hello" }));
    axum::serve(listener, app).await.expect("serving");
}
