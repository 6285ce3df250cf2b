//! What the harness's tasks share: one [`Slot`] per client (its sequence counters and
//! current session) and the run-wide [`Tallies`].

use crate::report::{Anomalies, Churn, Counts, ServerCloses, Traffic};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use ws_reliability::protocol::SessionId;

/// Locks a mutex, recovering from poisoning (every critical section is one assignment).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One client, as the sender and the watchers see it.
#[derive(Debug, Default)]
pub struct Slot {
    /// Messages the server accepted for it (the next number to send).
    pub sent: AtomicU64,
    /// Distinct messages it received.
    pub received: AtomicU64,
    /// Numbers it skipped and has not received since (lost unless they arrive).
    pub missing: AtomicU64,
    /// Its connections and attempts that ended (disconnects and failed connects), but for
    /// the closes the server started.
    pub ended: AtomicU64,
    /// Its session, once welcomed; `None` after SESSION_LOST until the next WELCOME.
    pub session: Mutex<Option<SessionId>>,
    /// Whether it is connected now.
    pub up: AtomicBool,
}

impl Slot {
    /// The session to send to, if any.
    pub fn session(&self) -> Option<SessionId> {
        *lock(&self.session)
    }

    /// Whether everything sent to it was received or skipped (a skipped number is lost
    /// with its session: it will not come).
    pub fn caught_up(&self) -> bool {
        let accounted =
            self.received.load(Ordering::Relaxed) + self.missing.load(Ordering::Relaxed);
        accounted >= self.sent.load(Ordering::Relaxed)
    }
}

/// Run-wide counters, read by the progress bar and the report.
#[derive(Debug, Default)]
pub struct Tallies {
    /// Messages accepted by `send`.
    pub sent: AtomicU64,
    /// Sends the server refused (a full outbox, or no session yet): backpressure.
    pub refused: AtomicU64,
    /// Distinct messages received.
    pub delivered: AtomicU64,
    /// Messages received twice.
    pub duplicated: AtomicU64,
    /// Messages received after later ones.
    pub out_of_order: AtomicU64,
    /// Messages received by the wrong client (or not ours at all).
    pub misdelivered: AtomicU64,
    /// Connections that ended.
    pub disconnects: AtomicU64,
    /// Connect attempts that failed.
    pub connect_failures: AtomicU64,
    /// Connections that ended with the server's 1001 (its closes during the run).
    pub server_closes_seen: AtomicU64,
    /// Connections re-established.
    pub reconnects: AtomicU64,
    /// SESSION_LOST answers.
    pub sessions_lost: AtomicU64,
    /// Reconnect events a watcher missed (its subscription lagged).
    pub events_missed: AtomicU64,
    /// Seconds from each disconnect to the next WELCOME.
    pub recoveries: Mutex<Vec<f64>>,
}

impl Tallies {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one recovery.
    pub fn recovered(&self, after: Duration) {
        lock(&self.recoveries).push(after.as_secs_f64());
    }

    /// The value of `counter`.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Messages sent, delivered and refused so far (the skipped ones are the slots').
    pub fn traffic(&self) -> Traffic {
        let get = Tallies::get;
        let refused_sends = get(&self.refused);
        Traffic {
            sent: get(&self.sent),
            delivered: get(&self.delivered),
            refused_sends,
            skipped: 0,
        }
    }

    /// Messages received twice, late or by the wrong client so far.
    fn anomalies(&self) -> Anomalies {
        Anomalies {
            duplicated: Tallies::get(&self.duplicated),
            out_of_order: Tallies::get(&self.out_of_order),
            misdelivered: Tallies::get(&self.misdelivered),
        }
    }

    /// How connections came and went so far, with the closes the server started.
    pub fn churn(&self, server_closes: ServerCloses) -> Churn {
        Churn {
            disconnects: Tallies::get(&self.disconnects),
            connect_failures: Tallies::get(&self.connect_failures),
            reconnects: Tallies::get(&self.reconnects),
            sessions_lost: Tallies::get(&self.sessions_lost),
            events_missed: Tallies::get(&self.events_missed),
            server_closes,
        }
    }
}

/// Every client's slot and the tallies.
#[derive(Debug)]
pub struct Shared {
    /// One per client, by index.
    pub slots: Vec<Slot>,
    /// Run-wide counters.
    pub tallies: Tallies,
}

impl Shared {
    /// Slots for `clients` clients.
    pub fn new(clients: usize) -> Self {
        Shared {
            slots: (0..clients).map(|_| Slot::default()).collect(),
            tallies: Tallies::default(),
        }
    }

    /// Clients connected now.
    pub fn connected(&self) -> usize {
        self.slots.iter().filter(|slot| slot.up.load(Ordering::Relaxed)).count()
    }

    /// Messages sent so far and what the clients made of them.
    pub fn counts(&self) -> Counts {
        let skipped = self.slots.iter().map(|slot| Tallies::get(&slot.missing)).sum();
        let traffic = Traffic { skipped, ..self.tallies.traffic() };
        Counts { traffic, anomalies: self.tallies.anomalies() }
    }

    /// Whether every client received everything sent to it.
    pub fn all_caught_up(&self) -> bool {
        self.slots.iter().all(Slot::caught_up)
    }
}
