//! A client's pump on the server host: its messages as durable sends, one at a time, each
//! through a [`SessionSink`] of the client's current session. The number is noted as sent
//! once the sink accepted it (before it can reach the client), as in flight until its flush
//! resolved (the store committed it): a crash in between takes no promise back.

use super::world::World;
use crate::payload::Stamp;
use futures::SinkExt;
use std::sync::Arc;
use tokio::sync::mpsc;
use ws_reliability::protocol::SessionId;
use ws_reliability::server::{ReliableServer, SessionSink};

/// Turns a pump may have waiting: a pump further behind refuses the turn (counted as a
/// refused send), as a full outbox does.
const QUEUE: usize = 4;

/// Starts one pump per client on `server`; the senders of their turns, by client.
pub fn start(server: &ReliableServer, world: &Arc<World>) -> Vec<mpsc::Sender<u64>> {
    (0..world.clients.len()).map(|index| Pump::spawn(server, world, index)).collect()
}

/// One client's pump.
struct Pump {
    server: ReliableServer,
    world: Arc<World>,
    index: usize,
    sink: Option<SessionSink>,
}

impl Pump {
    fn spawn(server: &ReliableServer, world: &Arc<World>, index: usize) -> mpsc::Sender<u64> {
        let (turns, queued) = mpsc::channel(QUEUE);
        let pump = Pump { server: server.clone(), world: Arc::clone(world), index, sink: None };
        tokio::spawn(pump.run(queued));
        turns
    }

    async fn run(mut self, mut queued: mpsc::Receiver<u64>) {
        while let Some(turn) = queued.recv().await {
            self.send(turn).await;
        }
    }

    /// Sends the client its next number, durably, if it has a session here.
    async fn send(&mut self, turn: u64) {
        let Some(session) = self.world.account(self.index).current else { return };
        if super::server::planted(&self.world, turn) {
            return self.world.account(self.index).sent_to(session);
        }
        match self.accept(session).await {
            Some(number) => self.flush(number).await,
            None => self.world.count(|churn| churn.refused_sends += 1),
        }
    }

    /// Hands the next number to the session's sink; the number, once accepted.
    async fn accept(&mut self, session: SessionId) -> Option<u64> {
        let number = self.world.account(self.index).next_number();
        let message = Stamp { client: self.index as u32, number }.message();
        let sink = self.sink_of(session)?;
        if sink.feed(message).await.is_err() {
            self.sink = None;
            return None;
        }
        Some(self.world.account(self.index).sent_in_flight(session))
    }

    /// Waits for the store to commit `number`; notes whether it did.
    async fn flush(&mut self, number: u64) {
        let flushed = match self.sink.as_mut() {
            Some(sink) => sink.flush().await.is_ok(),
            None => false,
        };
        self.world.account(self.index).settled_send(number, flushed);
    }

    /// The sink of `session`, made anew when the client's session changed; `None` when the
    /// server holds no such session (after a restart, until the client resumes).
    fn sink_of(&mut self, session: SessionId) -> Option<&mut SessionSink> {
        let current = self.sink.as_ref().is_some_and(|sink| sink.session() == session);
        if !current {
            self.sink = self.server.sink(session).ok();
        }
        self.sink.as_mut()
    }
}
