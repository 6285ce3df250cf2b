//! [`World`]: what the simulated hosts share (they all run on one thread, one after the
//! other at each tick): every client's [`Account`], the switches the driver flips, the
//! run's counters and the timer probe's findings. Nothing here touches a host's runtime,
//! so any host may read it.

use super::ledger::{Account, Tally};
use super::report::TimerFigures;
use crate::harness::closer::Outcomes;
use crate::harness::monitor::Runs;
use crate::harness::shared::lock;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use ws_reliability::conn::Registry;

/// Adds one to `counter`.
pub fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// The value of `counter`.
pub fn get(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

/// One simulated client, as the sender, its watcher and the driver see it.
#[derive(Debug, Default)]
pub struct Client {
    /// Its ledger.
    pub account: Mutex<Account>,
    /// Milliseconds its application stops reading for, at its next message (a slow
    /// consumer), 0 for none.
    pub slow_ms: AtomicU64,
    /// Whether it is connected now.
    pub up: AtomicBool,
    /// Whether the server restarted since its last connection (its next one counts as a
    /// session restored from the store, or lost in the restart).
    pub restarted: AtomicBool,
}

/// How connections came and went, counted by the clients' watchers and the sender.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Churn {
    /// Connections that ended.
    pub disconnects: u64,
    /// Connect attempts that failed.
    pub connect_failures: u64,
    /// Sessions resumed on a new connection (each one rotates the resume token).
    pub resumes: u64,
    /// SESSION_LOST answers (the resume window had passed).
    pub sessions_lost: u64,
    /// Events a watcher missed (its subscription lagged).
    pub events_missed: u64,
    /// Messages received by the wrong client (or not ours at all).
    pub misdelivered: u64,
    /// Sends the server refused (a full outbox, or an expired session).
    pub refused_sends: u64,
    /// Clients whose reconnector gave up (it must not: they retry forever).
    pub gave_up: u64,
    /// Connections the clients saw end with the server's 1001 (its closes).
    pub server_closes_seen: u64,
    /// Sessions resumed on a restarted server (loaded from its store).
    pub restored: u64,
    /// Sessions that expired across a restart: SESSION_LOST "expired" (02) or "unknown"
    /// (01) on the first connection after it. The client was cut off past the resume
    /// window (a long partition), as it would have lost it without a restart; "unknown"
    /// when the session expired in the server's memory before the restart (removed from the
    /// store then: the restarted server cannot tell it from one it never had).
    pub expired_in_restart: u64,
    /// Sessions lost across a restart for any other reason (a token refused, a record
    /// damaged or beyond what the store holds): must stay 0.
    pub lost_in_restart: u64,
}

impl Churn {
    /// Counts a SESSION_LOST: on the first connection after a restart or not, and whether
    /// the session's resume window had passed.
    pub fn lost(&mut self, restarted: bool, expired: bool) {
        self.sessions_lost += 1;
        self.expired_in_restart += u64::from(restarted && expired);
        self.lost_in_restart += u64::from(restarted && !expired);
    }
}

/// The timer probe's findings: how late the timers fired.
#[derive(Debug, Default)]
pub struct Timers {
    /// Timers fired.
    pub fired: AtomicU64,
    /// The latest a timer fired this hour, microseconds after it was due.
    pub hour_late_us: AtomicU64,
    /// The latest over the run.
    pub worst_late_us: AtomicU64,
}

impl Timers {
    /// The probe's figures over the run.
    pub fn figures(&self) -> TimerFigures {
        TimerFigures { fired: get(&self.fired), worst_late_us: get(&self.worst_late_us) }
    }

    /// Records a timer that fired `late_us` microseconds after it was due.
    pub fn fired(&self, late_us: u64) {
        bump(&self.fired);
        self.hour_late_us.fetch_max(late_us, Ordering::Relaxed);
        self.worst_late_us.fetch_max(late_us, Ordering::Relaxed);
    }
}

/// What the server host shows the driver: its connections (of the server running now).
#[derive(Debug, Clone)]
pub struct ServerView {
    /// The server's connection registry (read only).
    pub registry: Registry,
}

/// What the driver asks of the server host's power, done between two steps of the
/// simulation (`sim::run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    /// The host crashes: its runtime is dropped where it stands (every task, every socket).
    Crash,
    /// The host's software starts again, on the same store.
    Start,
}

/// Everything the hosts share.
#[derive(Debug, Default)]
pub struct World {
    /// One per client, by index.
    pub clients: Vec<Client>,
    /// One per client host, by index: whether its link to the server is partitioned (its
    /// connects fail, see `clients::dial`).
    pub cut: Vec<AtomicBool>,
    /// Whether the server sends (on from the start, off for the drain).
    pub sending: AtomicBool,
    /// Whether the client hosts shut their clients down (the end of the run).
    pub stopping: AtomicBool,
    /// Clients shut down so far.
    pub stopped: AtomicU64,
    /// Churn and refusals.
    pub churn: Mutex<Churn>,
    /// The timer probe.
    pub timers: Timers,
    /// The server running now, once its host started.
    pub server: Mutex<Option<ServerView>>,
    /// The monitor's runs and lowest coverage, over every start of the server.
    pub runs: Arc<Runs>,
    /// How the closes the server started ended, over every start of the server.
    pub closes: Arc<Outcomes>,
    /// What the driver asked of the server host's power, not done yet.
    pub power: Mutex<Option<Power>>,
    /// Server restarts (crashes) so far.
    pub restarts: AtomicU64,
    /// Tests only: the sender's turn whose message is noted as sent and never sent (a
    /// planted bug the checks must catch), `u64::MAX` for none.
    #[cfg(test)]
    pub plant: AtomicU64,
}

impl World {
    /// A world of `clients` clients on `hosts` hosts, sending.
    pub fn new(clients: usize, hosts: usize) -> World {
        let clients = (0..clients).map(|_| Client::default()).collect();
        let cut = (0..hosts).map(|_| AtomicBool::new(false)).collect();
        let world = World { clients, cut, ..World::default() };
        world.sending.store(true, Ordering::Relaxed);
        world.unplanted()
    }

    /// No bug planted (tests only: the planted bug does not exist elsewhere).
    #[cfg(test)]
    fn unplanted(self) -> World {
        self.plant.store(u64::MAX, Ordering::Relaxed);
        self
    }

    #[cfg(not(test))]
    fn unplanted(self) -> World {
        self
    }

    /// Client `index`'s ledger, locked.
    pub fn account(&self, index: usize) -> std::sync::MutexGuard<'_, Account> {
        lock(&self.clients[index].account)
    }

    /// Clients connected now.
    pub fn connected(&self) -> usize {
        self.clients.iter().filter(|client| client.up.load(Ordering::Relaxed)).count()
    }

    /// Counts something in the churn figures.
    pub fn count(&self, change: impl FnOnce(&mut Churn)) {
        change(&mut lock(&self.churn));
    }

    /// The churn figures so far.
    pub fn churned(&self) -> Churn {
        *lock(&self.churn)
    }

    /// The server running now.
    pub fn server_view(&self) -> Option<ServerView> {
        lock(&self.server).clone()
    }

    /// Notes that the server host crashed: every client's message in flight is no longer
    /// promised, and every client's next connection is counted as after a restart.
    pub fn crashed(&self) {
        bump(&self.restarts);
        *lock(&self.server) = None;
        for client in &self.clients {
            lock(&client.account).crashed();
            client.restarted.store(true, Ordering::Relaxed);
        }
    }

    /// Every client's figures, added up.
    pub fn tally(&self) -> Tally {
        let tallies = self.clients.iter().map(|client| lock(&client.account).tally());
        tallies.fold(Tally::default(), Tally::plus)
    }

    /// Whether every client received everything sent to it (or was told it is lost).
    pub fn settled(&self) -> bool {
        self.clients.iter().all(|client| lock(&client.account).settled())
    }
}
