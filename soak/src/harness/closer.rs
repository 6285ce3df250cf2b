//! Closes the server starts during the run, as a rolling restart or a load balancer moving
//! connections would: each connection is closed with 1001 (going away) about once per
//! [`CLOSE_PERIOD`], through the server's ws-conn registry, so the failed-close fault has
//! closes to strike. The client reconnects and resumes: nothing is lost.

use super::shared::lock;
use crate::report::ServerCloses;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Error as WsError;
use ws_reliability::conn::{CloseCode, CloseFrame, ConnError, ConnEvent, ConnId, Registry};
use ws_reliability::fault::{FaultKind, Injected};

/// How often, on average, the server closes each connection.
pub const CLOSE_PERIOD: Duration = Duration::from_secs(30);
/// The close code of a server-initiated close (the client resumes after it).
pub const GOING_AWAY: u16 = 1001;

/// The registered connections, followed from the registry's events.
#[derive(Debug, Default)]
struct Live {
    ids: Mutex<Vec<ConnId>>,
}

impl Live {
    fn apply(&self, event: &ConnEvent) {
        match event {
            ConnEvent::Opened { id } => lock(&self.ids).push(*id),
            ended if ended.is_final() => self.forget(ended.id()),
            _ => {}
        }
    }

    fn forget(&self, id: ConnId) {
        lock(&self.ids).retain(|live| *live != id);
    }

    fn pick(&self, rng: &mut fastrand::Rng) -> Option<ConnId> {
        let ids = lock(&self.ids);
        (!ids.is_empty()).then(|| ids[rng.usize(..ids.len())])
    }
}

/// How the server's closes ended, as the registry returned them.
#[derive(Debug, Default)]
pub struct Outcomes {
    /// Closes the peer answered.
    pub answered: AtomicU64,
    /// Closes that failed or timed out (the error the registry returned).
    pub failed: AtomicU64,
    /// Failed closes whose error is the injected failed close.
    pub injected: AtomicU64,
    /// Failed closes interrupted by a force-close of their connection while they waited for
    /// the client's answer: the server replaced it when the client, told by the 1001,
    /// resumed on a new connection before the old one read its answer.
    pub interrupted: AtomicU64,
}

impl Outcomes {
    /// The closes so far, with the connections the clients `seen` end with the 1001.
    pub fn closes(&self, seen: u64) -> ServerCloses {
        ServerCloses {
            answered: self.answered.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            injected: self.injected.load(Ordering::Relaxed),
            interrupted: self.interrupted.load(Ordering::Relaxed),
            seen,
        }
    }

    fn count(&self, closed: &Result<(), ConnError>) {
        self.tally(closed);
        let cause = match closed {
            Err(ConnError::CloseInterrupted { .. }) => &self.interrupted,
            _ if is_injected(closed) => &self.injected,
            _ => return,
        };
        cause.fetch_add(1, Ordering::Relaxed);
    }

    fn tally(&self, closed: &Result<(), ConnError>) {
        let counter = match closed {
            Ok(()) => &self.answered,
            Err(error) if is_close_failure(error) => &self.failed,
            Err(_) => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Follows the registry's connections from the start; closes them once started (see
/// [`Closer::start`]). Dropping it stops following.
#[derive(Debug)]
pub struct Closer {
    live: Arc<Live>,
    /// How the closes ended.
    pub outcomes: Arc<Outcomes>,
    follower: JoinHandle<()>,
}

impl Closer {
    /// Starts following `registry`'s connections (before any client connects).
    pub fn follow(registry: &Registry) -> Closer {
        let live = Arc::new(Live::default());
        let follower = tokio::spawn(follow(registry.subscribe(), Arc::clone(&live)));
        Closer { live, outcomes: Arc::default(), follower }
    }

    /// Closes a random connection every [`CLOSE_PERIOD`] / `connections`, seeded, until
    /// the returned guard is dropped.
    pub fn start(&self, registry: &Registry, connections: usize, seed: u64) -> Closing {
        let every = CLOSE_PERIOD / u32::try_from(connections.max(1)).unwrap_or(u32::MAX);
        let closes = Closes {
            registry: registry.clone(),
            live: Arc::clone(&self.live),
            outcomes: Arc::clone(&self.outcomes),
        };
        Closing(tokio::spawn(closes.every(every, fastrand::Rng::with_seed(seed))))
    }
}

impl Drop for Closer {
    fn drop(&mut self) {
        self.follower.abort();
    }
}

/// The closing task; dropping it stops the closes (those in flight finish).
#[derive(Debug)]
pub struct Closing(JoinHandle<()>);

impl Drop for Closing {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Whether `error` ended a close that began: failed, timed out or interrupted (not one
/// that found nothing to close or a connection already closing).
fn is_close_failure(error: &ConnError) -> bool {
    matches!(
        error,
        ConnError::CloseFailed { .. }
            | ConnError::CloseTimedOut { .. }
            | ConnError::CloseInterrupted { .. }
    )
}

/// Whether `closed` is a close failed by an injected [`FaultKind::FailedClose`].
pub fn is_injected(closed: &Result<(), ConnError>) -> bool {
    let Err(ConnError::CloseFailed { source, .. }) = closed else { return false };
    match source.inner().downcast_ref::<WsError>() {
        Some(WsError::Io(io)) => Injected::cause_of(io) == Some(FaultKind::FailedClose),
        _ => false,
    }
}

async fn follow(mut events: Receiver<ConnEvent>, live: Arc<Live>) {
    loop {
        match events.recv().await {
            Ok(event) => live.apply(&event),
            // A missed `Opened` is a connection never picked; a missed end, a close that
            // finds nothing (forgotten then).
            Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
    }
}

/// What the closing task closes with: the registry, the live connections it picks from,
/// and where the outcomes are counted.
#[derive(Clone)]
struct Closes {
    registry: Registry,
    live: Arc<Live>,
    outcomes: Arc<Outcomes>,
}

impl Closes {
    /// Closes a random live connection every `every`, picked with `rng`.
    async fn every(self, every: Duration, mut rng: fastrand::Rng) {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            if let Some(id) = self.live.pick(&mut rng) {
                drop(tokio::spawn(self.clone().one(id)));
            }
        }
    }

    /// Closes connection `id` with the 1001 and counts how it ended.
    async fn one(self, id: ConnId) {
        let frame = CloseFrame::new(CloseCode::new(GOING_AWAY), "soak: server-initiated close");
        let closed = self.registry.close(id, frame).await;
        if let Err(ConnError::NotFound { .. }) = closed {
            self.live.forget(id);
        }
        self.outcomes.count(&closed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ws_reliability::conn::{ForceCause, TransportError};

    fn failed(error: std::io::Error) -> Result<(), ConnError> {
        let source = TransportError::new(WsError::Io(error));
        Err(ConnError::CloseFailed { id: ConnId::from_u64(1), source })
    }

    #[test]
    fn only_the_injected_close_failure_counts_as_injected() {
        let injected =
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, Injected(FaultKind::FailedClose));
        let outcomes = Outcomes::default();
        for closed in [Ok(()), failed(injected), failed(std::io::Error::other("real"))] {
            outcomes.count(&closed);
        }
        outcomes.count(&Err(ConnError::NotFound { id: ConnId::from_u64(2) }));
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let counts = (get(&outcomes.answered), get(&outcomes.failed), get(&outcomes.injected));
        assert_eq!(counts, (1, 2, 1));
        assert_eq!(get(&outcomes.interrupted), 0);
    }

    #[test]
    fn a_close_interrupted_by_a_force_close_is_failed_and_attributed() {
        let outcomes = Outcomes::default();
        outcomes.count(&Err(ConnError::CloseInterrupted { id: ConnId::from_u64(3) }));
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let counts = (get(&outcomes.failed), get(&outcomes.injected), get(&outcomes.interrupted));
        assert_eq!(counts, (1, 0, 1));
    }

    #[test]
    fn live_connections_follow_the_events() {
        let live = Live::default();
        let mut rng = fastrand::Rng::with_seed(1);
        assert_eq!(live.pick(&mut rng), None);
        let one = ConnId::from_u64(1);
        let two = ConnId::from_u64(2);
        live.apply(&ConnEvent::Opened { id: one });
        live.apply(&ConnEvent::Opened { id: two });
        live.apply(&ConnEvent::ForceClosed { id: one, cause: ForceCause::Failed });
        assert!((0..20).all(|_| live.pick(&mut rng) == Some(two)));
        live.forget(two);
        assert_eq!(live.pick(&mut rng), None);
    }
}
