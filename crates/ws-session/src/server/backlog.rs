//! The sessions waiting for [`SessionServer::accept`]: a bounded queue, as a listening
//! socket's backlog. Past it new sessions are refused (1013) and counted.

use super::hello::Refused;
use super::session::SessionState;
use super::IncomingMode;
use crate::protocol::CloseCode;
use std::sync::Arc;
use tokio::sync::mpsc::{self, Permit};
use tokio_util::sync::CancellationToken;

/// A place in the backlog, reserved before a fresh session is created.
pub(super) type Place<'a> = Option<Permit<'a, Arc<SessionState>>>;

/// Opened sessions not yet taken by [`SessionServer::accept`].
#[derive(Debug)]
pub(super) struct Backlog {
    sender: mpsc::Sender<Arc<SessionState>>,
    receiver: tokio::sync::Mutex<mpsc::Receiver<Arc<SessionState>>>,
    stopped: CancellationToken,
}

impl Backlog {
    /// A backlog of at most `capacity` sessions (at least 1).
    pub(super) fn new(capacity: usize) -> Self {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let receiver = tokio::sync::Mutex::new(receiver);
        Backlog { sender, receiver, stopped: CancellationToken::new() }
    }

    /// A place for a fresh session when sessions are accepted (`IncomingMode::Accept`);
    /// a full backlog refuses the session with 1013 (counted).
    pub(super) fn place(&self, mode: IncomingMode) -> Result<Place<'_>, Refused> {
        if mode != IncomingMode::Accept {
            return Ok(None);
        }
        let reserved = self.sender.try_reserve().map(Some);
        reserved.map_err(|_| backlog_full())
    }

    /// The next opened session; `None` once the server shut down.
    pub(super) async fn next(&self) -> Option<Arc<SessionState>> {
        let mut receiver = self.receiver.lock().await;
        tokio::select! {
            () = self.stopped.cancelled() => None,
            session = receiver.recv() => session,
        }
    }

    /// `accept` yields nothing more.
    pub(super) fn stop(&self) {
        self.stopped.cancel();
    }
}

fn backlog_full() -> Refused {
    crate::metrics::session_refused("backlog_full");
    Refused::Close(CloseCode::TryAgainLater)
}
