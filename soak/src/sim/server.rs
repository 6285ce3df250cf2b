//! The server host: a [`ReliableServer`] with its defaults on `server:9000`, keeping its
//! sessions in the run's store (opened at every start, see [`super::store`]), its monitor (the built-in checks, run every second), the
//! soak's server-initiated closes (each a resume, so a token rotation), and the sender: one
//! message per client per second, round robin, but for the idle clients, which get one
//! every [`IDLE_EVERY`] rounds, each a durable send by the client's pump ([`super::pump`]).
//!
//! This is what turmoil runs again when the driver restarts the host (`sim::run`): a new
//! server on the same store, which the clients resume their sessions from.

use super::store::Shelf;
use super::world::{get, ServerView, World};
use crate::harness::closer::{Closer, Closing};
use crate::harness::monitor::Runs;
use crate::harness::shared::lock;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use ws_reliability::conn::Registry;
use ws_reliability::monitor::{Monitor, MonitorError};
use ws_reliability::server::{ReliableServer, ServerConfig, StoreConfig};
use ws_reliability::store::SessionStore;

/// The port the server listens on.
pub const PORT: u16 = 9000;
/// Each client gets a message this often (but the idle ones).
const ROUND: Duration = Duration::from_secs(1);
/// Every `IDLE_STRIDE`th client is idle: its link carries heartbeats, and a message only
/// every [`IDLE_EVERY`] rounds.
pub const IDLE_STRIDE: usize = 10;
/// How many rounds an idle client waits between messages (5 minutes).
pub const IDLE_EVERY: u64 = 300;
/// Separates the closer's seed from the run's seed.
const CLOSE_SEED: u64 = 0x00C1_05E5;

/// The server host's software: serves, monitors, closes and sends until the run ends.
pub async fn host(world: Arc<World>, seed: u64, shelf: Shelf) -> turmoil::Result {
    let server = ReliableServer::new(config(shelf.open()?));
    let listener = turmoil::net::TcpListener::bind(("0.0.0.0", PORT)).await?;
    let chores = Chores::start(&server, &world, seed)?;
    tokio::spawn(accept(listener, server.clone()));
    tokio::spawn(super::probe::timers(Arc::clone(&world), seed, u64::MAX));
    let pumps = super::pump::start(&server, &world);
    Sender { world, pumps, chores }.send().await
}

/// What runs beside the sending: the closes the server starts (while sending is on: none
/// in a quiet instant or the drain) and the follower of its connections they pick from.
struct Chores {
    closer: Closer,
    closing: Option<Closing>,
    registry: Registry,
    clients: usize,
    /// The seed of the next closes: a new one each time they start again.
    seed: u64,
}

impl Chores {
    /// Starts the closes (seeded anew at each restart) and the monitor, and shows the
    /// server to the driver.
    fn start(server: &ReliableServer, world: &World, seed: u64) -> Result<Chores, MonitorError> {
        let mut closer = Closer::follow(server.registry());
        closer.outcomes = Arc::clone(&world.closes);
        let seed = seed ^ CLOSE_SEED ^ get(&world.restarts);
        monitoring(server, &world.runs)?;
        let registry = server.registry().clone();
        *lock(&world.server) = Some(ServerView { registry: registry.clone() });
        let clients = world.clients.len();
        Ok(Chores { closer, closing: None, registry, clients, seed })
    }

    /// Closes while `sending`: stops them when it is off, starts them again (seeded anew)
    /// when it is on again.
    fn follow(&mut self, sending: bool) {
        if !sending {
            self.closing = None;
        } else if self.closing.is_none() {
            let closing = self.closer.start(&self.registry, self.clients, self.seed);
            self.seed = self.seed.wrapping_add(1);
            self.closing = Some(closing);
        }
    }
}

/// The server's defaults, its sessions in `store`, incoming messages on one shared stream
/// (nothing reads it).
fn config(store: Arc<dyn SessionStore>) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    config.sessions.store = Some(StoreConfig::new(store, "server"));
    config
}

/// The server's built-in checks, run every second, recorded in `runs`.
fn monitoring(server: &ReliableServer, runs: &Arc<Runs>) -> Result<(), MonitorError> {
    let mut monitor = Monitor::new();
    server.register_checks(&mut monitor)?;
    Runs::spawn_into(Arc::new(monitor), Arc::clone(runs));
    Ok(())
}

async fn accept(listener: turmoil::net::TcpListener, server: ReliableServer) {
    while let Ok((stream, peer)) = listener.accept().await {
        let server = server.clone();
        tokio::spawn(async move { server.serve_stream_from(stream, peer).await });
    }
}

/// The sender: one turn every [`ROUND`] / clients, to each client in turn, handed to the
/// client's pump.
struct Sender {
    world: Arc<World>,
    pumps: Vec<mpsc::Sender<u64>>,
    chores: Chores,
}

impl Sender {
    /// Sends while sending is on; then stops the server's closes too, for the drain.
    async fn send(mut self) -> turmoil::Result {
        let clients = u32::try_from(self.pumps.len().max(1))?;
        let mut ticks = tokio::time::interval(ROUND / clients);
        for turn in 0_u64.. {
            ticks.tick().await;
            self.turn(turn);
        }
        Ok(())
    }

    fn turn(&mut self, turn: u64) {
        let sending = self.world.sending.load(Ordering::Relaxed);
        self.chores.follow(sending);
        let clients = self.pumps.len().max(1) as u64;
        if sending && due(turn, clients) {
            self.hand(turn, (turn % clients) as usize);
        }
    }

    /// Hands turn `turn` to client `index`'s pump; refused when the pump is behind.
    fn hand(&self, turn: u64, index: usize) {
        if self.pumps[index].try_send(turn).is_err() {
            self.world.count(|churn| churn.refused_sends += 1);
        }
    }
}

/// Whether turn `turn` sends: always, but for an idle client between its messages.
fn due(turn: u64, clients: u64) -> bool {
    let idle = (turn % clients) as usize % IDLE_STRIDE == IDLE_STRIDE - 1;
    !idle || (turn / clients) % IDLE_EVERY == 0
}

/// The planted bug (tests only): the message of turn `world.plant` is noted as sent and
/// never sent.
#[cfg(test)]
pub(super) fn planted(world: &World, turn: u64) -> bool {
    world.plant.load(Ordering::Relaxed) == turn
}

/// No bug is planted outside the tests.
#[cfg(not(test))]
pub(super) fn planted(_world: &World, _turn: u64) -> bool {
    false
}
