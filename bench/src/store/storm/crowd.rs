//! The storm's clients, in the benchmark process: ReliableClients with a small reconnect
//! backoff ([`backoff`]), each watching its own events for the first WELCOME after the
//! kill: resumed (stamped on `CLOCK_MONOTONIC`) or not (a SESSION_LOST, or a fresh
//! session: the session was lost).

use crate::push::CONNECTS_AT_ONCE;
use crate::BenchError;
use futures::{StreamExt, TryStreamExt};
use std::time::Duration;
use tokio::task::JoinHandle;
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::core::Backoff;
use ws_reliability::events::Events;

/// The first retry's ceiling.
pub const BACKOFF_INITIAL: Duration = Duration::from_millis(10);
/// The retries' ceiling.
pub const BACKOFF_CAP: Duration = Duration::from_millis(100);

/// The clients' reconnect backoff: 10 ms doubling to 100 ms, full jitter (ws-core's
/// default jitter: each delay uniform below its ceiling).
pub fn backoff() -> Backoff {
    Backoff::new(BACKOFF_INITIAL, 2.0, BACKOFF_CAP)
}

/// [`backoff`] as the report prints it.
pub fn backoff_text() -> String {
    let backoff = backoff();
    let initial = backoff.initial().as_millis();
    let cap = backoff.cap().as_millis();
    format!("{initial} ms x{} up to {cap} ms, full jitter", backoff.multiplier())
}

/// What a client's first WELCOME after the kill said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Welcome {
    /// Its session was resumed at this instant (`CLOCK_MONOTONIC` ns).
    Resumed(u64),
    /// Its session was lost: SESSION_LOST, or a fresh session.
    Lost,
}

/// Opens `count` clients to `url`, a few at a time, each once its WELCOME came.
pub async fn connect(url: &str, count: usize) -> Result<Vec<ReliableClient>, BenchError> {
    let dials = futures::stream::iter(0..count).map(|_| connect_one(url));
    dials.buffer_unordered(CONNECTS_AT_ONCE).try_collect().await
}

async fn connect_one(url: &str) -> Result<ReliableClient, BenchError> {
    let mut config = ClientConfig::default();
    config.reconnect.backoff = backoff();
    Ok(ReliableClient::connect(url, config).await?)
}

/// A task per client waiting for its next WELCOME (subscribed now, before the kill).
pub fn watch(clients: &[ReliableClient]) -> Vec<JoinHandle<Welcome>> {
    clients.iter().map(|client| tokio::spawn(next_welcome(client.events()))).collect()
}

/// The next WELCOME (or SESSION_LOST) among `events`; lost if the events end first.
async fn next_welcome(mut events: Events<ClientEvent>) -> Welcome {
    while let Ok(event) = events.recv().await {
        if let Some(welcome) = Welcome::of(&event) {
            return welcome;
        }
    }
    Welcome::Lost
}

impl Welcome {
    /// What `event` says of the session, if it is a WELCOME or a SESSION_LOST (a resumed
    /// one stamped now).
    fn of(event: &ClientEvent) -> Option<Welcome> {
        match event {
            ClientEvent::Connected { resumed: true, .. } => {
                Some(Welcome::Resumed(crate::mono::now_nanos()))
            }
            ClientEvent::Connected { .. } | ClientEvent::SessionLost { .. } => Some(Welcome::Lost),
            _ => None,
        }
    }
}

/// Shuts every client down.
pub async fn close(clients: Vec<ReliableClient>) {
    futures::future::join_all(clients.into_iter().map(ReliableClient::shutdown)).await;
}
