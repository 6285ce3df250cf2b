//! The server host: a [`ReliableServer`] with its defaults on `server:9000`, its monitor
//! (the built-in checks, run every second), the soak's server-initiated closes (each a
//! resume, so a token rotation), and the sender: one message per client per second, round
//! robin, but for the idle clients, which get one every [`IDLE_EVERY`] rounds.
//!
//! Server restarts are left for the durable session store: a restart is
//! `Sim::bounce("server")`, and this host's software is what turmoil would run again (see
//! `sim::HOOK_RESTARTS`).

use super::ledger::Account;
use super::world::{ServerView, World};
use crate::harness::closer::{Closer, Closing};
use crate::harness::monitor::Runs;
use crate::payload::Stamp;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use ws_reliability::monitor::{Monitor, MonitorError};
use ws_reliability::protocol::SessionId;
use ws_reliability::server::{ReliableServer, ServerConfig};

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
pub async fn host(world: Arc<World>, seed: u64) -> turmoil::Result {
    let server = ReliableServer::new(config());
    let listener = turmoil::net::TcpListener::bind(("0.0.0.0", PORT)).await?;
    let chores = Chores::start(&server, &world, seed)?;
    tokio::spawn(accept(listener, server.clone()));
    tokio::spawn(super::probe::timers(Arc::clone(&world), seed, u64::MAX));
    let clients = world.clients.len().max(1) as u64;
    Sender { server, world, clients, chores }.send().await
}

/// What runs beside the sending: the closes the server starts (until sending stops) and
/// the follower of its connections they pick from.
struct Chores {
    _closer: Closer,
    closing: Option<Closing>,
}

impl Chores {
    /// Starts the closes and the monitor, and shows the server to the driver.
    fn start(server: &ReliableServer, world: &World, seed: u64) -> Result<Chores, MonitorError> {
        let closer = Closer::follow(server.registry());
        let closing = closer.start(server.registry(), world.clients.len(), seed ^ CLOSE_SEED);
        let closes = Arc::clone(&closer.outcomes);
        let runs = monitoring(server)?;
        let registry = server.registry().clone();
        let _shown = world.server.set(ServerView { registry, runs, closes });
        Ok(Chores { _closer: closer, closing: Some(closing) })
    }
}

/// The server's defaults, incoming messages on one shared stream (nothing reads it).
fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    config
}

/// The server's built-in checks, run every second.
fn monitoring(server: &ReliableServer) -> Result<Arc<Runs>, MonitorError> {
    let mut monitor = Monitor::new();
    server.register_checks(&mut monitor)?;
    Ok(Runs::spawn(Arc::new(monitor)))
}

async fn accept(listener: turmoil::net::TcpListener, server: ReliableServer) {
    while let Ok((stream, peer)) = listener.accept().await {
        let server = server.clone();
        tokio::spawn(async move { server.serve_stream_from(stream, peer).await });
    }
}

/// The sender: one message every [`ROUND`] / clients, to each client in turn.
struct Sender {
    server: ReliableServer,
    world: Arc<World>,
    clients: u64,
    chores: Chores,
}

impl Sender {
    /// Sends while sending is on; then stops the server's closes too, for the drain.
    async fn send(mut self) -> turmoil::Result {
        let mut ticks = tokio::time::interval(ROUND / u32::try_from(self.clients)?);
        for turn in 0_u64.. {
            ticks.tick().await;
            self.turn(turn);
        }
        Ok(())
    }

    fn turn(&mut self, turn: u64) {
        let sending = self.world.sending.load(Ordering::Relaxed);
        self.chores.closing = self.chores.closing.take().filter(|_| sending);
        if sending && due(turn, self.clients) {
            self.send_one(turn);
        }
    }

    /// Sends the client whose turn it is its next number, noted in its ledger once
    /// accepted.
    fn send_one(&self, turn: u64) {
        let index = turn % self.clients;
        let mut account = self.world.account(index as usize);
        let Some(session) = account.current else { return };
        let stamp = Stamp { client: index as u32, number: account.next_number() };
        let accepted =
            planted(&self.world, turn) || self.server.send(session, stamp.message()).is_ok();
        self.note(&mut account, session, accepted);
    }

    /// Notes a send in the client's ledger once accepted, as refused otherwise.
    fn note(&self, account: &mut Account, session: SessionId, accepted: bool) {
        if accepted {
            account.sent_to(session);
        } else {
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
fn planted(world: &World, turn: u64) -> bool {
    world.plant.load(Ordering::Relaxed) == turn
}

/// No bug is planted outside the tests.
#[cfg(not(test))]
fn planted(_world: &World, _turn: u64) -> bool {
    false
}
