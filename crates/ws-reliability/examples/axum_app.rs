//! An axum application with a reliable endpoint beside its routes: `/ws` serves wsr.v1 and
//! legacy WebSocket clients (each session echoed by the accept loop, its identity taken
//! from `?user=NAME`), `/` answers a short text.
//!
//! ```text
//! cargo run -p ws-reliability --example axum_app --features full,axum
//! ```
//!
//! prints its address (`WSR_ADDR` chooses it, default `127.0.0.1:0`). With `WSR_SMOKE=1`
//! it connects a `ReliableClient` to itself, checks one echo and exits: CI's smoke run.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures::{SinkExt, StreamExt};
use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use ws_reliability::axum::ReliableUpgrade;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::server::{AuthHook, Identity, Refusal, ReliableServer, ServerConfig, Session};
use ws_reliability::Message;

/// Lets in whoever names a user in the query string.
fn by_user() -> AuthHook {
    Arc::new(|request| {
        let query = request.uri.as_ref().and_then(|uri| uri.query()).unwrap_or_default();
        let user = query.split('&').find_map(|pair| pair.strip_prefix("user="));
        user.filter(|user| !user.is_empty()).map(Identity::from).ok_or(Refusal::new("name a user"))
    })
}

/// The `/ws` route: the upgrade, answered for the reliable server in the router's state.
async fn ws(State(server): State<ReliableServer>, upgrade: ReliableUpgrade) -> Response {
    upgrade.serve(&server)
}

/// Echoes each message back to its session, addressed to its user.
async fn echo(mut session: Session) {
    while let Some(received) = session.next().await {
        let text = received.message.to_text().unwrap_or("(binary)").to_owned();
        let reply = Message::text(format!("{text}, {}", session.identity()));
        if session.send(reply).await.is_err() {
            return;
        }
    }
}

async fn accept_loop(server: ReliableServer) {
    while let Some(session) = server.accept().await {
        tokio::spawn(echo(session));
    }
}

fn app(server: ReliableServer) -> Router {
    let app = Router::new().route("/ws", get(ws));
    app.route("/", get(|| async { "ws-reliability on axum: WebSocket at /ws?user=NAME\n" }))
        .with_state(server)
}

/// One echo through a `ReliableClient` of this very server.
async fn smoke(addr: SocketAddr) -> Result<(), Box<dyn Error>> {
    let url = format!("ws://{addr}/ws?user=smoke");
    let client = ReliableClient::connect(&url, ClientConfig::default()).await?;
    let mut replies = client.incoming().ok_or("incoming taken")?;
    client.send(Message::text("ping"))?;
    let reply = tokio::time::timeout(Duration::from_secs(10), replies.next()).await?;
    println!("smoke: echoed {reply:?}");
    let echoed = reply == Some(Message::text("ping, smoke"));
    echoed.then_some(()).ok_or_else(|| "smoke: not the expected echo".into())
}

/// The app's task, serving until it fails.
type Serving = tokio::task::JoinHandle<std::io::Result<()>>;

/// Binds `WSR_ADDR` (default `127.0.0.1:0`) and serves the app there on a task (with
/// connect info: the authentication hook sees the peer's address); prints the address.
async fn serve(server: ReliableServer) -> std::io::Result<(SocketAddr, Serving)> {
    let addr = std::env::var("WSR_ADDR").unwrap_or_else(|_| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}/ (WebSocket: ws://{addr}/ws?user=NAME)");
    let service = app(server).into_make_service_with_connect_info::<SocketAddr>();
    Ok((addr, tokio::spawn(async move { axum::serve(listener, service).await })))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let server = ReliableServer::with_auth(ServerConfig::default(), by_user());
    tokio::spawn(accept_loop(server.clone()));
    let (addr, serving) = serve(server).await?;
    if std::env::var_os("WSR_SMOKE").is_some() {
        return smoke(addr).await;
    }
    Ok(serving.await??)
}
