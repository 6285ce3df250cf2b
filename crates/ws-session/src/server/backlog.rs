//! The sessions waiting for [`SessionServer::accept`]: a bounded queue, as a listening
//! socket's backlog. Past it new sessions are refused (1013) and counted.

use super::hello::Refused;
use super::session::SessionState;
use super::value::Session;
use super::{IncomingMode, SessionEvent, SessionServer};
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
    async fn next(&self) -> Option<Arc<SessionState>> {
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

impl SessionServer {
    /// The next session a client opened, as a value to hold: a `Stream` of its messages
    /// and a `Sink` to its client ([`Session`]); `None` once the server shut down. Like
    /// `TcpListener::accept`, in a loop:
    ///
    /// ```no_run
    /// # async fn run(server: ws_session::server::SessionServer) {
    /// while let Some(session) = server.accept().await {
    ///     tokio::spawn(async move { /* read and write `session` */ drop(session) });
    /// }
    /// # }
    /// ```
    ///
    /// With [`IncomingMode::Accept`] (the default). Sessions wait here, at most
    /// `incoming.backlog` of them (past it new sessions are refused with 1013); a resume
    /// continues the session already accepted. In the other modes nothing arrives here.
    pub async fn accept(&self) -> Option<Session> {
        loop {
            let state = self.inner.backlog.next().await?;
            if let Some(session) = Session::new(self, state) {
                return Some(session);
            }
        }
    }

    /// Announces a fresh session: its event, and its place in the backlog.
    pub(super) fn opened(&self, session: &Arc<SessionState>, place: Place<'_>) {
        let identity = session.identity.clone();
        self.emit(SessionEvent::Opened { session: session.id, mode: session.mode, identity });
        if let Some(place) = place {
            place.send(Arc::clone(session));
        }
    }
}
