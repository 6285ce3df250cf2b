//! Thundering herd: 1000 clients lose their server at the same instant; full jitter spreads
//! their first retries uniformly over the first backoff window (paused clock, seeded jitter).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::MemoryServer;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use ws_reconnect::{Backoff, Client, Jitter, JitterRng, ReconnectConfig, Reconnector};

const CLIENTS: usize = 1000;
const WINDOW: Duration = Duration::from_millis(1000);

/// Connects `CLIENTS` clients, restarts the server, and returns each client's first retry
/// offset after the restart.
async fn first_retry_offsets(jitter: Jitter) -> Vec<Duration> {
    let (server, mut accepted) = MemoryServer::new();
    let mut config = ReconnectConfig::default();
    config.backoff = Backoff::new(WINDOW, 2.0, Duration::from_secs(30)).with_jitter(jitter);
    let clients: Vec<Client> = (0..CLIENTS)
        .map(|id| {
            let reconnector = Reconnector::new(server.connector(id), config.clone());
            reconnector.with_rng(JitterRng::seeded(id as u64)).spawn()
        })
        .collect();
    let mut sockets = Vec::new();
    while sockets.len() < CLIENTS {
        sockets.push(accepted.recv().await.unwrap());
    }
    tokio::time::sleep(Duration::from_secs(20)).await;
    server.set_up(false);
    let restart = Instant::now();
    drop(sockets);
    tokio::time::sleep(WINDOW * 2).await;
    let offsets = first_after(&server.connects(), restart);
    for client in clients {
        client.shutdown().await;
    }
    offsets
}

fn first_after(connects: &[(usize, Instant)], restart: Instant) -> Vec<Duration> {
    let mut first: HashMap<usize, Duration> = HashMap::new();
    for (id, at) in connects.iter().filter(|(_, at)| *at >= restart) {
        first.entry(*id).or_insert(*at - restart);
    }
    first.into_values().collect()
}

#[tokio::test(start_paused = true)]
async fn full_jitter_spreads_the_first_retries_of_a_thousand_clients() {
    let offsets = first_retry_offsets(Jitter::Full).await;
    assert_eq!(offsets.len(), CLIENTS, "every client retried within the window");
    let millis: Vec<f64> = offsets.iter().map(|offset| offset.as_secs_f64() * 1000.0).collect();
    let max = millis.iter().cloned().fold(0.0, f64::max);
    let min = millis.iter().cloned().fold(f64::MAX, f64::min);
    assert!(max <= 1001.0, "a retry came after the window: {max} ms");
    assert!(min <= 10.0 && max >= 990.0, "the retries span the window: {min}..{max} ms");
    // Uniform over [0, 1000] ms: each 100 ms bucket expects 100 retries (sd about 9.5).
    let mut buckets = [0usize; 10];
    millis.iter().for_each(|ms| buckets[((*ms / 100.0) as usize).min(9)] += 1);
    assert!(buckets.iter().all(|count| (60..=140).contains(count)), "buckets {buckets:?}");
    // The busiest millisecond sees a handful of clients, not the herd.
    let mut per_ms: HashMap<u64, usize> = HashMap::new();
    millis.iter().for_each(|ms| *per_ms.entry(*ms as u64).or_default() += 1);
    let peak = per_ms.values().max().copied().unwrap_or(0);
    assert!(peak <= 10, "peak of {peak} retries in one millisecond");
    let mean = millis.iter().sum::<f64>() / millis.len() as f64;
    assert!((450.0..=550.0).contains(&mean), "mean {mean} ms, expected about 500");
}

#[tokio::test(start_paused = true)]
async fn without_jitter_the_herd_comes_back_at_one_instant() {
    let offsets = first_retry_offsets(Jitter::None).await;
    assert_eq!(offsets.len(), CLIENTS);
    assert!(offsets.iter().all(|offset| *offset == offsets[0]), "every client retried together");
}
