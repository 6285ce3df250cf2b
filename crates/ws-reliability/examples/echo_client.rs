//! A reliable client: connects (returning once the server welcomed a session), sends
//! `WSR_COUNT` messages (default 3) and prints each echo; exits 1 unless every echo came
//! back exactly once, in order.
//!
//! ```text
//! cargo run -p ws-reliability --example echo_client --features full
//! ```
//!
//! against `WSR_URL` (default `ws://127.0.0.1:9001/`, where `echo_server` listens).

use futures::{SinkExt, StreamExt};
use std::time::Duration;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::Message;

/// The echo `echo_server` sends for the `index`-th message (sequence numbers start at 1).
fn expected(index: u64) -> Message {
    Message::text(format!("hello {index} #{index}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("WSR_URL").unwrap_or_else(|_| "ws://127.0.0.1:9001/".to_owned());
    let count: u64 = std::env::var("WSR_COUNT").map_or(Ok(3), |count| count.parse())?;
    let mut client = ReliableClient::connect(&url, ClientConfig::default()).await?;
    println!("connected to {url}, session {:?}", client.session());
    for index in 1..=count {
        client.feed(Message::text(format!("hello {index}"))).await?; // the client is a Sink
    }
    client.flush().await?;
    for index in 1..=count {
        let echo = tokio::time::timeout(Duration::from_secs(10), client.next()).await?;
        println!("{echo:?}");
        if echo != Some(expected(index)) {
            return Err(format!("expected {:?}, got {echo:?}", expected(index)).into());
        }
    }
    client.shutdown().await;
    Ok(())
}
