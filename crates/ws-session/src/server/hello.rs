//! The server side of the handshake (`docs/protocol.md` § 4 and § 7): read HELLO, run the
//! authentication hook, open or resume the session, or refuse with SESSION_LOST.

use super::auth::{AuthRequest, Identity, Refusal, Upgrade};
use super::session::SessionState;
use super::{IncomingMode, SessionEvent, SessionServer};
use crate::protocol::{
    to_message, CloseCode, ErrorNotice, Frame, Hello, Mode, Resume, SessionLostReason, Welcome,
};
use crate::session_link::lock;
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;

/// Why a HELLO was not accepted.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Answer SESSION_LOST with this reason, then close with 4000.
    Lost(SessionLostReason),
    /// Close with this code.
    Close(CloseCode),
    /// The authentication hook refused (or a resume came with another identity): ERROR
    /// and close 1008, with the reason.
    Auth(Refusal),
}

/// A session opened by a HELLO.
pub(crate) struct Opened {
    /// The session.
    pub(crate) session: Arc<SessionState>,
    /// The client's `last_received` when it is a resume.
    pub(crate) resumed: Option<u64>,
    /// Whether the client accepts BATCH frames (legacy clients do not).
    pub(crate) batch: bool,
}

impl SessionServer {
    /// Reads the HELLO under the hello timeout.
    pub(crate) async fn read_hello<S>(
        &self,
        ws: &mut WebSocketStream<S>,
    ) -> Result<Hello, CloseCode>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let timeout = self.inner.config.timeouts.hello;
        let first = tokio::time::timeout(timeout, ws.next()).await;
        let message = first.map_err(|_| CloseCode::HelloTimeout)?.ok_or(CloseCode::GoingAway)?;
        let message = message.map_err(|error| read_error_code(&error))?;
        Hello::from_first_message(&message, &self.inner.config.limits)
    }

    /// Opens a fresh session or checks a resume (steps 1 to 4 of § 7).
    pub(crate) async fn open(&self, hello: Hello, upgrade: Upgrade) -> Result<Opened, Refused> {
        let resuming = hello.resume.as_ref().map(|resume| resume.session);
        let request = upgrade.request(hello.auth, resuming);
        let opened = match hello.resume {
            None => self.open_fresh(Mode::V1, &request).await,
            Some(resume) => self.open_resumed(&resume, &request).await,
        };
        opened.map(|opened| Opened { batch: hello.batch, ..opened })
    }

    /// A fresh session, written to the store (if the server keeps one) before anything
    /// can be sent to it.
    pub(crate) async fn open_fresh(
        &self,
        mode: Mode,
        request: &AuthRequest,
    ) -> Result<Opened, Refused> {
        let identity = self.authenticate(request)?;
        self.room_for_session()?;
        let place = self.inner.backlog.place(self.inner.config.incoming.mode)?;
        let session = self.new_session(mode, identity)?;
        self.persist(&session).await?;
        self.inner.sessions.insert(Arc::clone(&session));
        self.inner.notifier.opened(&session, place);
        Ok(Opened { session, resumed: None, batch: false })
    }

    /// A fresh session of `identity`, with its own delivery channel when the server gives
    /// each session one.
    fn new_session(&self, mode: Mode, identity: Identity) -> Result<Arc<SessionState>, Refused> {
        let config = &self.inner.config;
        let fresh = SessionState::new(mode, identity, config, self.inner.sessions.outbox_base());
        let session = fresh.map_err(|_| Refused::Close(CloseCode::Internal))?;
        Ok(Arc::new(own_incoming(session, config)))
    }

    /// A resume of a session this process holds, or else one the store holds.
    async fn open_resumed(
        &self,
        resume: &Resume,
        request: &AuthRequest,
    ) -> Result<Opened, Refused> {
        let session = match self.live(&resume.session) {
            Ok(session) => session,
            Err(missing) => return self.restore(resume, request, missing).await,
        };
        self.resume_checked(&session, resume, request)?;
        Ok(Opened { session, resumed: Some(resume.last_received), batch: false })
    }

    /// Steps 1 to 4 and 6 of § 7 in order, under the session's guard so no other resume
    /// rotates the token between its check and its rotation.
    fn resume_checked(
        &self,
        session: &SessionState,
        resume: &Resume,
        request: &AuthRequest,
    ) -> Result<(), Refused> {
        let mut guard = lock(&session.guard);
        let presented = guard.check(&resume.token, Instant::now()).map_err(refusal)?;
        same_identity(session, &self.authenticate(request)?)?;
        resendable(session, resume)?;
        guard.rotate(presented).map(drop).map_err(refusal)
    }

    /// The live session `id`, or why a resume of it is lost (unknown, or expired). A
    /// session another node took over is not live here.
    fn live(&self, id: &crate::protocol::SessionId) -> Result<Arc<SessionState>, Refused> {
        let sessions = &self.inner.sessions;
        let live = sessions.get(id).filter(|session| !session.has_moved());
        live.ok_or_else(|| Refused::Lost(sessions.missing(id)))
    }

    /// The hook's verdict: the identity, or its refusal (counted).
    pub(crate) fn authenticate(&self, request: &AuthRequest) -> Result<Identity, Refused> {
        let verdict = (self.inner.auth)(request);
        verdict.inspect_err(|_| crate::metrics::auth_refused("hook")).map_err(Refused::Auth)
    }

    /// The WELCOME for `session`, once its previous connection has stopped.
    pub(crate) fn welcome(&self, session: &SessionState, resumed: bool) -> Welcome {
        let token = lock(&session.guard).token().clone();
        let last_received = session.last_received();
        let limits = self.inner.config.limits;
        Welcome { resumed, session: session.id, token, last_received, limits, batch: true }
    }

    /// Answers a refused HELLO: SESSION_LOST then 4000, or the close code; nothing to run.
    pub(crate) async fn refuse<S, T>(
        &self,
        ws: WebSocketStream<S>,
        presented: Option<crate::protocol::SessionId>,
        refused: Refused,
    ) -> Option<T>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match refused {
            Refused::Lost(reason) => self.lost(ws, presented, reason).await,
            Refused::Close(code) => close_with(ws, code).await,
            Refused::Auth(refusal) => refuse_auth(ws, &refusal).await,
        }
        None
    }

    /// SESSION_LOST with `reason` (counted, and an event naming the session presented),
    /// then close 4000.
    async fn lost<S>(
        &self,
        mut ws: WebSocketStream<S>,
        presented: Option<crate::protocol::SessionId>,
        reason: SessionLostReason,
    ) where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        if let Some(presented) = presented {
            self.announce_lost(presented, reason);
        }
        let _peer_gone_is_fine = ws.send(to_message(&Frame::SessionLost(reason))).await;
        close_with(ws, CloseCode::SessionLost).await;
    }
}

impl SessionServer {
    /// A resume answered SESSION_LOST: counted, and an event naming the session presented.
    pub(crate) fn announce_lost(
        &self,
        presented: crate::protocol::SessionId,
        reason: SessionLostReason,
    ) {
        crate::metrics::session_lost(reason);
        self.emit(SessionEvent::Lost { presented, reason });
    }
}

/// Closes a socket that never became a session with `code`, politely but briefly.
pub(crate) async fn close_with<S>(ws: WebSocketStream<S>, code: CloseCode)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    close_saying(ws, code, "refused").await;
}

/// Closes a socket that never became a session with `code` and `reason`.
async fn close_saying<S>(mut ws: WebSocketStream<S>, code: CloseCode, reason: &str)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    crate::metrics::closed_with(code);
    let closing = async {
        let _ = ws.close(Some(code.frame(reason))).await;
        while let Some(Ok(_)) = ws.next().await {}
    };
    let _bounded = tokio::time::timeout(std::time::Duration::from_secs(5), closing).await;
}

/// Answers an authentication refusal: ERROR 1008 with the whole reason (§ 3.6), then the
/// close 1008 with the reason cut to what a close frame holds.
async fn refuse_auth<S>(mut ws: WebSocketStream<S>, refusal: &Refusal)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let notice =
        ErrorNotice { code: CloseCode::Policy.code(), reason: refusal.reason.as_str().into() };
    let _peer_gone_is_fine = ws.send(to_message(&Frame::Error(notice))).await;
    close_saying(ws, CloseCode::Policy, close_reason(&refusal.reason)).await;
}

/// The longest close reason a close frame carries (125 bytes of payload, 2 for the code).
const MAX_CLOSE_REASON: usize = 123;

/// `reason` cut at a character boundary to fit a close frame.
fn close_reason(reason: &str) -> &str {
    let fits = (0..=reason.len().min(MAX_CLOSE_REASON)).rev();
    let end = fits.into_iter().find(|end| reason.is_char_boundary(*end)).unwrap_or(0);
    &reason[..end]
}

/// A resume must come from the identity that opened the session (counted when not).
fn same_identity(session: &SessionState, identity: &Identity) -> Result<(), Refused> {
    if session.identity == *identity {
        return Ok(());
    }
    crate::metrics::auth_refused("identity");
    Err(Refused::Auth(Refusal::new("the session belongs to another identity")))
}

/// Whether the server can resend from the client's `last_received` (§ 7 step 4): it is
/// neither above what the server sent nor below what the client itself acked (those
/// messages left the outbox: resuming would leave a silent gap).
fn resendable(session: &SessionState, resume: &Resume) -> Result<(), Refused> {
    let acked = session.outbox.acked_through();
    let held = acked..=session.last_pushed().max(acked); // `pushed` is noted after the push
    if held.contains(&resume.last_received) {
        return Ok(());
    }
    Err(Refused::Lost(SessionLostReason::Unrecoverable))
}

/// The SESSION_LOST answer to a refused token check or rotation.
pub(crate) fn refusal(error: crate::protocol::ProtocolError) -> Refused {
    Refused::Lost(lost_reason(&error))
}

fn read_error_code(error: &tokio_tungstenite::tungstenite::Error) -> CloseCode {
    CloseCode::for_ws_error(error).unwrap_or(CloseCode::GoingAway)
}

fn lost_reason(error: &crate::protocol::ProtocolError) -> SessionLostReason {
    match error {
        crate::protocol::ProtocolError::SessionLost(reason) => *reason,
        _ => SessionLostReason::Unrecoverable,
    }
}

/// `session` with its own delivery channel when the server gives each session one.
pub(crate) fn own_incoming(session: SessionState, config: &super::ServerConfig) -> SessionState {
    match config.incoming.mode {
        IncomingMode::PerSession | IncomingMode::Accept => {
            session.with_own_incoming(config.incoming.buffer)
        }
        IncomingMode::Shared => session,
    }
}
