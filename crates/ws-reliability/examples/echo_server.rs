//! The smallest reliable server: an accept loop, each session echoed back with its
//! sequence number, as a handler would echo a socket.
//!
//! ```text
//! cargo run -p ws-reliability --example echo_server --features full
//! ```
//!
//! binds `WSR_ADDR` (default `127.0.0.1:9001`) and prints `listening on ws://ADDR/`. Try it
//! with `cargo run -p ws-reliability --example echo_client --features full`.

use futures::{SinkExt, StreamExt};
use ws_reliability::server::Listen;
use ws_reliability::server::{ReliableServer, ServerConfig, Session};
use ws_reliability::Message;

/// Echoes what the session's client sends, numbered: exactly once and in order, across
/// every resume of the client.
async fn echo(mut session: Session) {
    while let Some(received) = session.next().await {
        let text = received.message.to_text().unwrap_or("(binary)").to_owned();
        let reply = Message::text(format!("{text} #{}", received.seq));
        if session.send(reply).await.is_err() {
            return; // the session ended: the error hands the reply back
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("WSR_ADDR").unwrap_or_else(|_| "127.0.0.1:9001".to_owned());
    let server = ReliableServer::new(ServerConfig::default());
    let listener = server.listen(addr).await?;
    println!("listening on ws://{}/", listener.local_addr());
    while let Some(session) = server.accept().await {
        tokio::spawn(echo(session));
    }
    Ok(())
}
