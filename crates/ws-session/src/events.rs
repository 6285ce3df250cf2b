//! [`Events`]: one subscriber's events, in order. A subscriber that falls behind is never
//! skipped silently: it receives a `Lagged { missed }` event in place of what it missed,
//! and the loss is counted in `ws_reliability_events_lagged_total{source}`. An unread
//! subscriber never slows the data path: the channel is bounded and the oldest events
//! make room. `ws-reliability`'s server and client hand these out (`ReliableServer::events`,
//! `Session::events`, `ReliableClient::events`) and re-export the module as
//! `ws_reliability::events`.

use tokio::sync::broadcast::{self, error};

/// An event type a subscriber can be told it lagged in.
pub trait Lagging: Clone {
    /// The event that stands for `missed` events the subscriber fell too far behind for.
    fn lagged(missed: u64) -> Self;
    /// The session the event is about, if it names one.
    fn session(&self) -> Option<crate::protocol::SessionId>;
    /// Where the events come from, for the metric's `source` label.
    const SOURCE: &'static str;
}

/// The events have ended: the server or client that sent them is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the event source is gone")]
pub struct EventsClosed;

/// Why [`Events::try_recv`] returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TryRecvError {
    /// No event is waiting.
    #[error("no event waiting")]
    Empty,
    /// The event source is gone.
    #[error("the event source is gone")]
    Closed,
}

/// One subscriber's events, from `ReliableServer::events` or `ReliableClient::events`.
#[derive(Debug)]
pub struct Events<E> {
    receiver: broadcast::Receiver<E>,
    /// Only the events of this session (and `Lagged`), when set.
    only: Option<crate::protocol::SessionId>,
}

impl<E: Lagging> Events<E> {
    /// Every event `receiver` gets.
    pub fn new(receiver: broadcast::Receiver<E>) -> Self {
        Events { receiver, only: None }
    }

    /// The events about `session` only (and `Lagged`, which may hide some of them).
    pub fn of(receiver: broadcast::Receiver<E>, session: crate::protocol::SessionId) -> Self {
        Events { receiver, only: Some(session) }
    }

    /// The next event, waiting for it; `Lagged { missed }` when this subscriber fell
    /// behind; `Err` once the source is gone and every event was read.
    pub async fn recv(&mut self) -> Result<E, EventsClosed> {
        loop {
            let event = self.next().await?;
            if self.keeps(&event) {
                return Ok(event);
            }
        }
    }

    async fn next(&mut self) -> Result<E, EventsClosed> {
        match self.receiver.recv().await {
            Ok(event) => Ok(event),
            Err(error::RecvError::Lagged(missed)) => Ok(lagged(missed)),
            Err(error::RecvError::Closed) => Err(EventsClosed),
        }
    }

    /// The next event if one is waiting, without waiting.
    pub fn try_recv(&mut self) -> Result<E, TryRecvError> {
        loop {
            let event = self.try_next()?;
            if self.keeps(&event) {
                return Ok(event);
            }
        }
    }

    fn try_next(&mut self) -> Result<E, TryRecvError> {
        match self.receiver.try_recv() {
            Ok(event) => Ok(event),
            Err(error::TryRecvError::Lagged(missed)) => Ok(lagged(missed)),
            Err(error::TryRecvError::Empty) => Err(TryRecvError::Empty),
            Err(error::TryRecvError::Closed) => Err(TryRecvError::Closed),
        }
    }

    /// Whether this subscriber wants `event`: every event, or those of its session (an
    /// event naming no session, `Lagged` included, goes to every subscriber).
    fn keeps(&self, event: &E) -> bool {
        self.only.is_none() || event.session().is_none_or(|session| Some(session) == self.only)
    }
}

/// The `Lagged` event for `missed` events, counted.
fn lagged<E: Lagging>(missed: u64) -> E {
    metrics::counter!("ws_reliability_events_lagged_total", "source" => E::SOURCE)
        .increment(missed);
    E::lagged(missed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    enum Probe {
        Seen(u32),
        Lagged(u64),
    }

    impl Lagging for Probe {
        fn lagged(missed: u64) -> Self {
            Probe::Lagged(missed)
        }
        fn session(&self) -> Option<crate::protocol::SessionId> {
            match self {
                Probe::Seen(n) => Some(crate::protocol::SessionId::from_bytes([*n as u8; 16])),
                Probe::Lagged(_) => None,
            }
        }
        const SOURCE: &'static str = "probe";
    }

    #[tokio::test]
    async fn a_subscriber_that_fell_behind_is_told_how_far() {
        let (sender, receiver) = broadcast::channel(2);
        let mut events = Events::new(receiver);
        (1..=5).for_each(|n| drop(sender.send(Probe::Seen(n))));
        assert_eq!(events.recv().await, Ok(Probe::Lagged(3)));
        assert_eq!(events.recv().await, Ok(Probe::Seen(4)));
        assert_eq!(events.try_recv(), Ok(Probe::Seen(5)));
        assert_eq!(events.try_recv(), Err(TryRecvError::Empty));
        drop(sender);
        assert_eq!(events.recv().await, Err(EventsClosed));
        assert_eq!(events.try_recv(), Err(TryRecvError::Closed));
    }

    #[test]
    fn a_lag_found_without_waiting_is_reported_too() {
        let (sender, receiver) = broadcast::channel(1);
        let mut events = Events::new(receiver);
        (1..=3).for_each(|n| drop(sender.send(Probe::Seen(n))));
        assert_eq!(events.try_recv(), Ok(Probe::Lagged(2)));
        assert_eq!(events.try_recv(), Ok(Probe::Seen(3)));
    }

    #[test]
    fn a_session_subscriber_sees_its_own_events_and_the_lags() {
        let (sender, receiver) = broadcast::channel(8);
        let mut events = Events::of(receiver, crate::protocol::SessionId::from_bytes([2; 16]));
        [1, 2, 3, 2].into_iter().for_each(|n| drop(sender.send(Probe::Seen(n))));
        drop(sender.send(Probe::Lagged(7)));
        assert_eq!(events.try_recv(), Ok(Probe::Seen(2)));
        assert_eq!(events.try_recv(), Ok(Probe::Seen(2)));
        assert_eq!(events.try_recv(), Ok(Probe::Lagged(7)));
        assert_eq!(events.try_recv(), Err(TryRecvError::Empty));
    }
}
