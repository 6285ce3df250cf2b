//! The watchers of one client: its incoming messages (checked against its [`Sequence`]),
//! its session events and its reconnector's events (churn, recovery times).

use super::shared::{lock, Shared, Slot, Tallies};
use crate::payload::Stamp;
use crate::sequence::{Sequence, Verdict};
use futures::StreamExt;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientEvent, ReliableClient};
use ws_reliability::events::Events;
use ws_reliability::reconnect::{DisconnectReason, Event};

/// Starts the three watchers of client `index`.
pub fn spawn(client: &ReliableClient, index: usize, shared: &Arc<Shared>) {
    if let Some(incoming) = client.incoming() {
        tokio::spawn(check_incoming(incoming, index, Arc::clone(shared)));
    }
    tokio::spawn(session_events(client.events(), index, Arc::clone(shared)));
    tokio::spawn(reconnect_events(client.reconnect_events(), index, Arc::clone(shared)));
}

async fn check_incoming<S>(mut incoming: S, index: usize, shared: Arc<Shared>)
where
    S: futures::Stream<Item = Message> + Unpin,
{
    let mut sequence = Sequence::default();
    while let Some(message) = incoming.next().await {
        observe(&message, index, &mut sequence, &shared);
    }
}

/// Checks one message against the client's sequence and counts the verdict.
fn observe(message: &Message, index: usize, sequence: &mut Sequence, shared: &Shared) {
    let tallies = &shared.tallies;
    match Stamp::decode(&message.clone().into_data()) {
        Some(stamp) if stamp.client as usize == index => {
            count(sequence.observe(stamp.number), tallies);
            publish(sequence, &shared.slots[index]);
        }
        _ => Tallies::bump(&tallies.misdelivered),
    }
}

/// What the drain and the report read of a client's sequence.
fn publish(sequence: &Sequence, slot: &Slot) {
    slot.received.store(sequence.received, Ordering::Relaxed);
    slot.missing.store(sequence.missing(), Ordering::Relaxed);
}

fn count(verdict: Verdict, tallies: &Tallies) {
    match verdict {
        Verdict::InOrder | Verdict::Gap => Tallies::bump(&tallies.delivered),
        Verdict::Late => {
            [&tallies.delivered, &tallies.out_of_order].into_iter().for_each(Tallies::bump)
        }
        Verdict::Duplicate => Tallies::bump(&tallies.duplicated),
    }
}

async fn session_events(mut events: Events<ClientEvent>, index: usize, shared: Arc<Shared>) {
    while let Ok(event) = events.recv().await {
        on_session_event(event, &shared.slots[index], &shared.tallies);
    }
}

fn on_session_event(event: ClientEvent, slot: &Slot, tallies: &Tallies) {
    match event {
        ClientEvent::Connected { session, .. } => *lock(&slot.session) = Some(session),
        ClientEvent::SessionLost { .. } => lost(slot, tallies),
        ClientEvent::Lagged { missed } => lagged(tallies, missed),
        _ => {}
    }
}

fn lost(slot: &Slot, tallies: &Tallies) {
    *lock(&slot.session) = None;
    Tallies::bump(&tallies.sessions_lost);
}

async fn reconnect_events(
    mut events: ws_reliability::reconnect::EventStream,
    index: usize,
    shared: Arc<Shared>,
) {
    let mut watch = ReconnectWatch { shared, index, down_since: None };
    while let Some(event) = events.next().await {
        watch.on(&event);
    }
}

/// The watcher of client `index`'s reconnector: counts churn and measures recovery, from
/// `Disconnected` to the next `Connected`.
struct ReconnectWatch {
    shared: Arc<Shared>,
    index: usize,
    /// When the connection went down, until it is back.
    down_since: Option<Instant>,
}

impl ReconnectWatch {
    fn on(&mut self, event: &Event) {
        match event {
            Event::Disconnected { reason } => self.disconnected(reason),
            Event::ConnectFailed { .. } => failed_attempt(&self.shared.tallies, self.slot()),
            Event::Connected { reconnect, .. } => self.connected(*reconnect),
            Event::Lagged { missed } => lagged(&self.shared.tallies, *missed),
            _ => {}
        }
    }

    fn slot(&self) -> &Slot {
        &self.shared.slots[self.index]
    }

    /// A connection ended: by a close the server started (its 1001), or by something a
    /// fault may explain (counted in the slot's `ended`).
    fn disconnected(&mut self, reason: &DisconnectReason) {
        let tallies = &self.shared.tallies;
        let slot = &self.shared.slots[self.index];
        let by_server = reason.close_code() == Some(super::closer::GOING_AWAY);
        let cause = if by_server { &tallies.server_closes_seen } else { &slot.ended };
        [&tallies.disconnects, cause].into_iter().for_each(Tallies::bump);
        slot.up.store(false, Ordering::Relaxed);
        self.down_since = Some(Instant::now());
    }

    fn connected(&mut self, reconnect: bool) {
        let tallies = &self.shared.tallies;
        self.shared.slots[self.index].up.store(true, Ordering::Relaxed);
        if reconnect {
            Tallies::bump(&tallies.reconnects);
        }
        if let Some(since) = self.down_since.take() {
            tallies.recovered(since.elapsed());
        }
    }
}

/// Marks every client that has a session as connected, with that session: the watchers
/// subscribe after a client starts, so they can miss its first `Connected`.
pub fn adopt(client: &ReliableClient, slot: &Slot) {
    if let Some(session) = client.session() {
        lock(&slot.session).get_or_insert(session);
        slot.up.store(true, Ordering::Relaxed);
    }
}

fn failed_attempt(tallies: &Tallies, slot: &Slot) {
    [&tallies.connect_failures, &slot.ended].into_iter().for_each(Tallies::bump);
}

fn lagged(tallies: &Tallies, missed: u64) {
    tallies.events_missed.fetch_add(missed, Ordering::Relaxed);
}
