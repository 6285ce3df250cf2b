//! The clients, in the harness process: each a [`ReliableClient`] given every node's URL
//! (its first URL spread over the nodes, the others as `fallback_urls`), checking every
//! message it gets into the [`Ledger`] and sending its own numbered messages.

use super::ledger::Ledger;
use super::line::{client_payload, parse_node_payload, parse_post_payload};
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::core::Backoff;

/// How often each client sends one of its own messages.
const CLIENT_EVERY: Duration = Duration::from_secs(1);

/// The ledger every task writes.
pub type Shared = Arc<Mutex<Ledger>>;

/// Counts under the ledger's lock (a poisoned lock still counts: the figures are plain).
pub fn with<T>(ledger: &Shared, count: impl FnOnce(&mut Ledger) -> T) -> T {
    let mut guard = ledger.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    count(&mut guard)
}

/// Client `index`'s URLs: the first one of node `first`, then the others in turn.
pub fn urls_of(urls: &[String], first: usize) -> Vec<String> {
    let turned = urls.iter().cycle().skip(first % urls.len().max(1));
    turned.take(urls.len()).cloned().collect()
}

/// Reconnects fast (10 ms doubling to 200 ms): a killed node's clients are back quickly.
fn config(fallbacks: Vec<String>) -> ClientConfig {
    let mut config = ClientConfig::default();
    config.reconnect.backoff =
        Backoff::new(Duration::from_millis(10), 2.0, Duration::from_millis(200));
    config.server.fallback_urls = fallbacks;
    config
}

/// What a client's tasks share.
#[derive(Debug, Clone)]
pub struct Wiring {
    /// The ledger.
    pub ledger: Shared,
    /// Turns true when the clients stop sending.
    pub stop: watch::Receiver<bool>,
}

/// Connects client `index` to `urls` (the first tried first) and starts its tasks.
pub async fn start(
    index: u64,
    urls: Vec<String>,
    wiring: Wiring,
) -> Result<Arc<ReliableClient>, String> {
    let first = urls.first().cloned().ok_or("no node URL")?;
    let connected = ReliableClient::connect(&first, config(urls[1..].to_vec())).await;
    let client = Arc::new(connected.map_err(|error| format!("client {index}: {error}"))?);
    let incoming = client.incoming().ok_or("the client's incoming stream was taken")?;
    tokio::spawn(deliver(incoming, wiring.ledger.clone()));
    tokio::spawn(watch_lost(client.events(), wiring.ledger.clone()));
    tokio::spawn(produce(Arc::clone(&client), index, wiring));
    Ok(client)
}

/// Counts every message the client gets.
async fn deliver(mut incoming: ws_reliability::client::ClientIncoming, ledger: Shared) {
    while let Some(message) = incoming.next().await {
        with(&ledger, |ledger| count(ledger, message.to_text().unwrap_or_default()));
    }
}

/// Counts a message a client got: a producer's or a post.
fn count(ledger: &mut Ledger, text: &str) {
    if let Some((session, number)) = parse_node_payload(text) {
        ledger.delivered(&session, number);
    }
    if let Some((session, poster, number)) = parse_post_payload(text) {
        ledger.post_delivered(&session, poster, number);
    }
}

/// Counts the client's SESSION_LOST answers and the messages they failed.
async fn watch_lost(mut events: ws_reliability::events::Events<ClientEvent>, ledger: Shared) {
    while let Ok(event) = events.recv().await {
        if let ClientEvent::SessionLost { unconfirmed, .. } = event {
            with(&ledger, |ledger| ledger.client_lost(unconfirmed as u64));
        }
    }
}

/// Sends the client's numbered messages until told to stop.
async fn produce(client: Arc<ReliableClient>, index: u64, wiring: Wiring) {
    let mut ticks = tokio::time::interval(CLIENT_EVERY);
    for number in 1.. {
        ticks.tick().await;
        if !send(&client, index, number, &wiring) {
            return;
        }
    }
}

/// Sends message `number` unless stopped, counting it: whether it was sent.
fn send(client: &ReliableClient, index: u64, number: u64, wiring: &Wiring) -> bool {
    let message = Message::text(client_payload(index, number));
    let sent = !*wiring.stop.borrow() && client.send(message).is_ok();
    if sent {
        with(&wiring.ledger, |ledger| ledger.client_sent(index, number));
    }
    sent
}
