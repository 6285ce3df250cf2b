//! ReliableServer → ReliableClient at one load: the bench's server configuration
//! ([`crate::limits::server_config`]: ws-reliability's defaults, per-address limits lifted)
//! and default clients, each session's [`SessionSink`](ws_reliability::server::SessionSink)
//! paced by a [`Schedule`].

use super::record::{self, Recorded, Recordings};
use super::Schedule;
use crate::push::reliable::{close, connect, Connected};
use crate::push::{Start, SETUP_LIMIT};
use crate::BenchError;
use futures::StreamExt;
use std::time::Duration;
use ws_reliability::server::Listen;
use ws_reliability::server::ReliableServer;

/// Connects `clients` clients, then pushes `rate` messages per second to each for `time`;
/// the delivered rate counts until the last client's end marker.
pub async fn run(clients: usize, rate: f64, time: Duration) -> Result<Recorded, BenchError> {
    let server = ReliableServer::new(crate::limits::server_config());
    let listener = server.listen("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr());
    let connected = tokio::time::timeout(SETUP_LIMIT, connect(&url, clients)).await??;
    let measured = measure(&server, &connected, rate, time).await;
    close(&server, connected).await;
    measured
}

async fn measure(
    server: &ReliableServer,
    connected: &[Connected],
    rate: f64,
    time: Duration,
) -> Result<Recorded, BenchError> {
    let recordings = recordings(connected)?;
    let started = Start::now();
    let schedule = Schedule::new(rate, time);
    let push = |one: &Connected| server.sink(one.session).map(|sink| record::paced(sink, schedule));
    let senders = connected.iter().map(push).collect::<Result<Vec<_>, _>>()?;
    let senders = senders.into_iter().map(spawn_sender).collect();
    let merged = recordings.merge(senders).await?;
    Ok(Recorded::since(merged, started))
}

/// Spawns a paced sender: a function of its own, so that its tasks carry this file's
/// location (`--features trace`), not the standard library's.
fn spawn_sender<F>(sender: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(sender)
}

/// A recording of every client's incoming messages.
fn recordings(connected: &[Connected]) -> Result<Recordings, BenchError> {
    let mut recordings = Recordings::new()?;
    for one in connected {
        let incoming = one.client.incoming();
        let incoming = incoming.ok_or_else(|| BenchError::Reliable("incoming taken".into()))?;
        recordings.spawn(incoming.map(Ok));
    }
    Ok(recordings)
}
