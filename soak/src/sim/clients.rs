//! A client host: [`ReliableClient`]s with their defaults, each dialing `server:9000` over
//! the simulated network, each watched: its messages checked against its ledger (after a
//! pause when the storm made it a slow consumer), its events counted. At the end of the run
//! the host shuts its clients down.

use super::server::PORT;
use super::world::{bump, World};
use crate::harness::closer::GOING_AWAY;
use crate::payload::Stamp;
use futures::StreamExt;
use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::events::Events;
use ws_reliability::protocol::{SessionId, SessionLostReason};
use ws_reliability::reconnect::{DisconnectReason, Event};

/// How often a client host looks whether the run is ending.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// A client host's software: clients `indices`, until the run ends; then idle.
pub async fn host(world: Arc<World>, place: Place, seed: u64) -> turmoil::Result {
    tokio::spawn(super::probe::timers(Arc::clone(&world), seed, place.host as u64));
    let clients: Vec<_> = place.clients.map(|index| start(&world, index, place.host)).collect();
    while !world.stopping.load(Ordering::Relaxed) {
        tokio::time::sleep(LOOK_EVERY).await;
    }
    shut_down(clients, &world).await;
    std::future::pending().await
}

/// Shuts `clients` down, counting each.
async fn shut_down(clients: Vec<ReliableClient>, world: &World) {
    for client in clients {
        client.shutdown().await;
        bump(&world.stopped);
    }
}

/// The client's defaults, but it never gives up reconnecting: a service's client that runs
/// for days rides out any outage (the default gives up after 5 minutes without a healthy
/// connection, which two long partitions in a row exceed).
fn config() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.reconnect.limits.max_elapsed = None;
    config
}

/// Where a client host is: its index among the client hosts, and its clients.
#[derive(Debug, Clone)]
pub struct Place {
    /// The host's index.
    pub host: usize,
    /// Its clients' indices.
    pub clients: Range<usize>,
}

/// What a connect into a partitioned link costs before it fails (a SYN that no one answers).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long a connect waits for its SYN-ACK before it gives up, as a kernel's SYN retries
/// do (Linux: about 2 minutes): past the longest held link (20 s), so a connect into a
/// held link completes, and one whose SYN a partition swallowed ends and frees its socket
/// (turmoil, patched, removes the socket of a connect dropped before its SYN-ACK).
const SYN_TIMEOUT: Duration = Duration::from_secs(120);

/// Connects host `host`'s client to the server, or fails after [`CONNECT_TIMEOUT`] while
/// the link is partitioned. Unpatched, turmoil kept the port (and the socket) of a connect
/// dropped before its SYN-ACK forever (a 24 h run ran out of a host's 16 384 ports after ~4
/// simulated hours): no connect is attempted into a partition, and a connect runs in a task
/// of its own, so that one the client gives up on (a held link) still completes, and its
/// stream is dropped, closed, when no one takes it; one whose SYN a partition that began
/// meanwhile swallowed gives up after [`SYN_TIMEOUT`] (its socket removed by turmoil's
/// patch), where it used to wait, and hold its socket, for good.
async fn dial(world: Arc<World>, host: usize) -> std::io::Result<turmoil::net::TcpStream> {
    if world.cut[host].load(Ordering::Relaxed) {
        tokio::time::sleep(CONNECT_TIMEOUT).await;
        return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "link partitioned"));
    }
    let connect = turmoil::net::TcpStream::connect(("server", PORT));
    let connect = tokio::spawn(tokio::time::timeout(SYN_TIMEOUT, connect));
    let connected = connect.await.map_err(std::io::Error::other)?;
    connected.map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no SYN-ACK"))?
}

/// Starts client `index` of host `host` and its watchers.
fn start(world: &Arc<World>, index: usize, host: usize) -> ReliableClient {
    let dialing = Arc::clone(world);
    let dial = move || dial(Arc::clone(&dialing), host);
    let client = ReliableClient::with_dialer("ws://server:9000/soak", config(), dial);
    if let Some(incoming) = client.incoming() {
        tokio::spawn(check_incoming(incoming, index, Arc::clone(world)));
    }
    tokio::spawn(watch_events(client.events(), index, Arc::clone(world)));
    client
}

async fn check_incoming<S>(mut incoming: S, index: usize, world: Arc<World>)
where
    S: futures::Stream<Item = Message> + Unpin,
{
    while let Some(message) = incoming.next().await {
        slow_down(&world, index).await;
        observe(&message, index, &world);
    }
}

/// Stops reading for as long as the storm asked, once.
async fn slow_down(world: &World, index: usize) {
    let pause = world.clients[index].slow_ms.swap(0, Ordering::Relaxed);
    if pause > 0 {
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
}

/// Checks one message against client `index`'s ledger.
fn observe(message: &Message, index: usize, world: &World) {
    match Stamp::decode(&message.clone().into_data()) {
        Some(stamp) if stamp.client as usize == index => {
            world.account(index).received(stamp.number);
        }
        _ => world.count(|churn| churn.misdelivered += 1),
    }
}

async fn watch_events(mut events: Events<ClientEvent>, index: usize, world: Arc<World>) {
    while let Ok(event) = events.recv().await {
        on_event(event, index, &world);
    }
}

fn on_event(event: ClientEvent, index: usize, world: &World) {
    match event {
        ClientEvent::Connected { session, resumed } => connected(world, index, session, resumed),
        ClientEvent::SessionLost { session, reason, .. } => lost(world, index, session, reason),
        ClientEvent::Reconnect(event) => on_reconnect(&event, index, world),
        ClientEvent::Lagged { missed } => world.count(|churn| churn.events_missed += missed),
        _ => {}
    }
}

fn connected(world: &World, index: usize, session: SessionId, resumed: bool) {
    world.account(index).welcomed(session);
    world.clients[index].up.store(true, Ordering::Relaxed);
    let restarted = world.clients[index].restarted.swap(false, Ordering::Relaxed);
    world.count(|churn| {
        churn.resumes += u64::from(resumed);
        churn.restored += u64::from(resumed && restarted);
    });
}

fn lost(world: &World, index: usize, session: Option<SessionId>, reason: SessionLostReason) {
    world.account(index).lost(session);
    let restarted = world.clients[index].restarted.swap(false, Ordering::Relaxed);
    let expired = matches!(reason, SessionLostReason::Expired | SessionLostReason::UnknownSession);
    world.count(|churn| churn.lost(restarted, expired));
}

fn on_reconnect(event: &Event, index: usize, world: &World) {
    match event {
        Event::Disconnected { reason } => disconnected(world, index, reason),
        Event::ConnectFailed { .. } => world.count(|churn| churn.connect_failures += 1),
        Event::GaveUp { .. } => world.count(|churn| churn.gave_up += 1),
        _ => {}
    }
}

/// A connection ended: by a close the server started (its 1001), or otherwise.
fn disconnected(world: &World, index: usize, reason: &DisconnectReason) {
    let by_server = reason.close_code() == Some(GOING_AWAY);
    world.count(|churn| {
        churn.disconnects += 1;
        churn.server_closes_seen += u64::from(by_server);
    });
    world.clients[index].up.store(false, Ordering::Relaxed);
}
