//! The server's workload: at the asked rate, messages numbered per client, round-robin over
//! the clients that have a session. A refused send (a full outbox: the documented
//! backpressure) is retried on a later pass; a message is counted once `send` accepted it.

use super::shared::{Shared, Tallies};
use crate::payload::Stamp;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::server::ReliableServer;

/// How often the sender wakes up.
const TICK: Duration = Duration::from_millis(10);
/// The most passes over the clients one tick makes, so the sender yields (and the run
/// ends on time) even when the rate is unlimited.
const PASSES_PER_TICK: u64 = 16;

/// Sends at `rate` messages per second (0: as fast as the outboxes take them, up to
/// 16 messages per client per 10 ms tick) for `run`.
pub async fn send_for(server: ReliableServer, shared: Arc<Shared>, rate: u64, run: Duration) {
    let start = Instant::now();
    let mut sender = Sender { server, shared, cursor: 0 };
    let mut ticks = tokio::time::interval(TICK);
    while start.elapsed() < run {
        ticks.tick().await;
        let due = budget(rate, start.elapsed(), Tallies::get(&sender.shared.tallies.sent));
        sender.round(due.min(PASSES_PER_TICK * sender.shared.slots.len() as u64));
    }
}

/// Messages still due at `elapsed` at `rate`, given `sent` so far (a pass's worth of
/// messages when the rate is unlimited).
pub fn budget(rate: u64, elapsed: Duration, sent: u64) -> u64 {
    if rate == 0 {
        return u64::MAX;
    }
    let target = (rate as f64 * elapsed.as_secs_f64()) as u64;
    target.saturating_sub(sent)
}

/// The sender: the server, the clients' slots, and the client whose turn is next.
struct Sender {
    server: ReliableServer,
    shared: Arc<Shared>,
    cursor: usize,
}

impl Sender {
    /// Sends up to `due` messages, one per client in turn from the cursor, stopping after a
    /// full pass in which nothing was accepted.
    fn round(&mut self, due: u64) {
        let mut sent = 0;
        let mut idle = 0;
        while sent < due && idle < self.shared.slots.len() {
            let accepted = self.send_one();
            sent += u64::from(accepted);
            idle = if accepted { 0 } else { idle + 1 };
            self.cursor = (self.cursor + 1) % self.shared.slots.len();
        }
    }

    /// Sends the client whose turn it is its next message; whether the server accepted it.
    fn send_one(&self) -> bool {
        let slot = &self.shared.slots[self.cursor];
        let Some(session) = slot.session() else { return false };
        let stamp = Stamp { client: self.cursor as u32, number: slot.sent.load(Ordering::Relaxed) };
        let accepted = self.server.send(session, Message::binary(stamp.encode())).is_ok();
        counted(accepted, slot, &self.shared.tallies);
        accepted
    }
}

/// Counts a send: accepted for the client and the run, or refused.
fn counted(accepted: bool, slot: &super::shared::Slot, tallies: &Tallies) {
    let counters: &[&AtomicU64] =
        if accepted { &[&slot.sent, &tallies.sent] } else { &[&tallies.refused] };
    counters.iter().for_each(|counter| Tallies::bump(counter));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_follows_the_rate() {
        assert_eq!(budget(1000, Duration::from_millis(500), 0), 500);
        assert_eq!(budget(1000, Duration::from_millis(500), 450), 50);
        assert_eq!(budget(1000, Duration::from_millis(500), 600), 0);
        assert_eq!(budget(0, Duration::from_secs(1), 10), u64::MAX);
    }
}
