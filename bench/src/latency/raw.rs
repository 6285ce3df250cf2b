//! Raw tokio-tungstenite at one load: the push benchmark's connections
//! ([`crate::push::raw::setup`]), each server side paced by a [`Schedule`].

use super::record::{self, Recorded, Recordings};
use super::Schedule;
use crate::push::Start;
use crate::BenchError;
use futures::StreamExt;
use std::time::Duration;

/// Connects `clients` clients, then pushes `rate` messages per second to each for `time`;
/// the delivered rate counts until the last client's end marker.
pub async fn run(clients: usize, rate: f64, time: Duration) -> Result<Recorded, BenchError> {
    let (servers, clients) = crate::push::raw::setup(clients).await?;
    let mut recordings = Recordings::new()?;
    clients.into_iter().for_each(|ws| recordings.spawn(ws.map(received)));
    let started = Start::now();
    let schedule = Schedule::new(rate, time);
    let senders = servers.into_iter().map(|ws| tokio::spawn(record::paced(ws, schedule)));
    let merged = recordings.merge(senders.collect()).await?;
    Ok(Recorded::since(merged, started))
}

fn received(
    item: Result<ws_reliability::Message, tokio_tungstenite::tungstenite::Error>,
) -> Result<ws_reliability::Message, BenchError> {
    item.map_err(BenchError::from)
}
