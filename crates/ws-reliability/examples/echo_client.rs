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
use std::error::Error;
use std::time::Duration;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::Message;

/// The client and how many messages it sends.
struct Echoes {
    client: ReliableClient,
    count: u64,
}

impl Echoes {
    /// Connects to `url`: returns once the server welcomed a session.
    async fn connect(url: &str, count: u64) -> Result<Self, Box<dyn Error>> {
        let client = ReliableClient::connect(url, ClientConfig::default()).await?;
        println!("connected to {url}, session {:?}", client.session());
        Ok(Echoes { client, count })
    }

    /// Sends `hello 1` to `hello N` through the client, which is a `Sink`.
    async fn send_all(&mut self) -> Result<(), Box<dyn Error>> {
        for index in 1..=self.count {
            self.client.feed(Message::text(format!("hello {index}"))).await?;
        }
        Ok(self.client.flush().await?)
    }

    /// Reads the echoes from the client, which is a `Stream`: each once, in order.
    async fn check_all(&mut self) -> Result<(), Box<dyn Error>> {
        for index in 1..=self.count {
            let echo = tokio::time::timeout(Duration::from_secs(10), self.client.next()).await?;
            println!("{echo:?}");
            expected(index, echo)?;
        }
        Ok(())
    }
}

/// The echo of `hello INDEX` (sequence numbers start at 1), or what came instead.
fn expected(index: u64, echo: Option<Message>) -> Result<(), String> {
    let expected = Message::text(format!("hello {index} #{index}"));
    let matches = echo.as_ref() == Some(&expected);
    matches.then_some(()).ok_or_else(|| format!("echo {index}: got {echo:?}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::var("WSR_URL").unwrap_or_else(|_| "ws://127.0.0.1:9001/".to_owned());
    let count: u64 = std::env::var("WSR_COUNT").map_or(Ok(3), |count| count.parse())?;
    let mut echoes = Echoes::connect(&url, count).await?;
    echoes.send_all().await?;
    echoes.check_all().await?;
    echoes.client.shutdown().await;
    Ok(())
}
