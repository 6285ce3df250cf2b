//! One connection of a session: admission and registration in the ws-conn registry, the
//! link (writer, flusher, reader), and what happens to the session when it ends.

use super::hello::{close_with, Opened};
use super::session::Session;
use super::{ReliableServer, SessionEvent};
use crate::link::{spawn_writer, Link, LinkEnd, Outgoing, Stop};
use crate::protocol::{CloseCode, Hello, Mode, Welcome};
use crate::rollout::Fix;
use futures::{Stream, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use ws_conn::{Admission, CloseFrame, ConnId};

/// Everything a connection needs once its session is known.
struct Attached {
    session: Arc<Session>,
    admission: Admission,
    cancel: tokio_util::sync::CancellationToken,
}

impl ReliableServer {
    /// Serves an already-upgraded socket until it ends: `mode` is what the handshake
    /// negotiated ([`protocol::negotiate`](crate::protocol::negotiate)), `headers` the
    /// upgrade request's, for the authentication hook.
    pub async fn serve_upgraded<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        headers: Option<HeaderMap>,
    ) where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.ensure_maintenance();
        let Some((ws, admission)) = self.admit(ws).await else { return };
        match mode {
            Mode::V1 => self.serve_v1(ws, admission, headers).await,
            Mode::Legacy => self.serve_legacy(ws, admission, headers).await,
        }
    }

    async fn admit<S>(&self, ws: WebSocketStream<S>) -> Option<(WebSocketStream<S>, Admission)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match self.inner.registry.admit() {
            Ok(admission) => Some((ws, admission)),
            Err(error) => {
                close_with(ws, refusal_code(&error)).await;
                None
            }
        }
    }

    async fn serve_v1<S>(
        &self,
        mut ws: WebSocketStream<S>,
        admission: Admission,
        headers: Option<HeaderMap>,
    ) where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        match self.read_hello(&mut ws).await {
            Ok(hello) => self.greet(ws, admission, hello, headers).await,
            Err(code) => close_with(ws, code).await,
        }
    }

    async fn greet<S>(
        &self,
        ws: WebSocketStream<S>,
        admission: Admission,
        hello: Hello,
        headers: Option<HeaderMap>,
    ) where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let presented = hello.resume.as_ref().map(|resume| resume.session);
        match self.open(hello, headers) {
            Ok(opened) => self.attach(ws, admission, opened).await,
            Err(refused) => self.refuse(ws, presented, refused).await,
        }
    }

    async fn serve_legacy<S>(
        &self,
        ws: WebSocketStream<S>,
        admission: Admission,
        headers: Option<HeaderMap>,
    ) where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let request = super::AuthRequest { headers, auth: Default::default(), resuming: None };
        match self.open_fresh(Mode::Legacy, &request) {
            Ok(opened) => self.attach(ws, admission, opened).await,
            Err(_) => close_with(ws, CloseCode::Policy).await,
        }
    }

    /// Takes the session over from its previous connection, answers WELCOME (wsr.v1),
    /// and runs the link.
    async fn attach<S>(&self, ws: WebSocketStream<S>, admission: Admission, opened: Opened)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (session, resumed) = opened;
        let (cancel, generation) = session.attach();
        let _serial = session.serial().await;
        self.start_sync(session.id, resumed.is_some());
        let attached = Attached { session: Arc::clone(&session), admission, cancel };
        let end = self.welcome_and_run(ws, attached, resumed).await;
        self.ended(&session, generation, &end);
    }

    async fn welcome_and_run<S>(
        &self,
        ws: WebSocketStream<S>,
        attached: Attached,
        resumed: Option<u64>,
    ) -> LinkEnd
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let welcome = match attached.session.mode {
            Mode::V1 => Some(self.prepare(&attached.session, resumed).await),
            Mode::Legacy => None,
        };
        self.run(ws, attached, welcome).await
    }

    /// Resume: the client's `last_received` acks the outbox, the rest is requeued. Returns
    /// the WELCOME, sent first on the registered connection.
    async fn prepare(&self, session: &Session, resumed: Option<u64>) -> Welcome {
        if let Some(client_last) = resumed {
            let _acked_or_nothing_sent = session.outbox.ack(client_last);
            session.outbox.requeue_unacked().await;
            self.emit(SessionEvent::Resumed { session: session.id });
        }
        self.welcome(session, resumed.is_some())
    }

    /// Runs the link, its WELCOME (wsr.v1) first; the client's first DATA or ACK confirms
    /// the token the WELCOME carried.
    async fn run<S>(
        &self,
        ws: WebSocketStream<S>,
        attached: Attached,
        welcome: Option<Welcome>,
    ) -> LinkEnd
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (conn, sink, stream) = ws_conn::tungstenite::split(ws, attached.admission.activity());
        let (first, mut stream) = self.welcomed(&attached.session, welcome, stream);
        let link = self.link(&attached);
        let id = attached.admission.register(conn).id();
        let (out, writer) = spawn_writer(sink, first, link.stop.broken.clone());
        let end = link.pump(&mut stream, &out).await;
        self.close(id, &end, Closing { out, writer }, stream).await;
        end
    }

    fn link(&self, attached: &Attached) -> Link {
        let session = &attached.session;
        let (outbox, inbound) = (session.outbox.clone(), Arc::clone(&session.inbound));
        let (deliver, limits) = (self.inner.channels.deliver.clone(), self.inner.config.limits);
        let stop = Stop { cancel: attached.cancel.clone(), ..Stop::default() };
        Link { mode: session.mode, session: session.id, outbox, inbound, deliver, limits, stop }
    }

    /// Sends the close frame `end` calls for, lets the writer finish, waits for the peer's
    /// close, and takes the connection out of the registry.
    async fn close<St>(&self, id: ConnId, end: &LinkEnd, closing: Closing, mut stream: St)
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        if let Some(code) = released_at_once(end) {
            return self.release(id, closing, code).await;
        }
        let grace = self.inner.config.conn.close_timeout;
        closing.finish(close_code(end), grace).await;
        let drained = async { while stream.next().await.is_some() {} };
        let _bounded = tokio::time::timeout(grace, drained).await;
        self.close_registered(id).await;
    }

    /// Closes `id` through the registry (a failed close is force-closed and counted there)
    /// and feeds the outcome to the `conn` guard.
    async fn close_registered(&self, id: ConnId) {
        let closed = self.inner.registry.close(id, CloseFrame::normal()).await;
        self.inner.config.rollout.record(Fix::Conn, closed.is_ok());
    }

    /// A connection released at once: replaced by a resume elsewhere (told with 4003; the
    /// resume waits for this and the peer is probably dead), or whose writer failed.
    async fn release(&self, id: ConnId, closing: Closing, code: Option<CloseCode>) {
        closing.finish(code, REPLACED_GRACE).await;
        let _already_gone = self.inner.registry.force_close(id);
    }

    /// The session after its connection ended: detached and resumable (wsr.v1), or gone.
    fn ended(&self, session: &Arc<Session>, generation: u64, end: &LinkEnd) {
        if !session.resumable || is_normal_close(end) {
            return self.remove(session, SessionEvent::Closed { session: session.id });
        }
        if session.detach(generation) {
            self.emit(SessionEvent::Detached { session: session.id });
            tokio::spawn(self.clone().expire_later(Arc::clone(session), generation));
        }
    }

    async fn expire_later(self, session: Arc<Session>, generation: u64) {
        tokio::time::sleep(self.inner.config.limits.resume_window + Duration::from_millis(1)).await;
        if session.still_detached(generation) {
            crate::metrics::session_expired();
            let unacked = session.outbox.stats().len();
            self.inner.sessions.bury(session.id);
            self.remove(&session, SessionEvent::Expired { session: session.id, unacked });
        }
    }

    /// Ends `session` for good; messages it still held are counted as abandoned.
    fn remove(&self, session: &Session, event: SessionEvent) {
        session.cancel();
        if self.inner.sessions.remove(&session.id).is_some() {
            crate::metrics::abandoned(abandon_reason(&event), session.outbox.stats().len());
            self.emit(event);
        }
    }
}

/// How long a replaced connection's writer gets to send its 4003.
const REPLACED_GRACE: Duration = Duration::from_millis(100);

/// The writer of an ending connection and the last sender into it.
struct Closing {
    out: Outgoing,
    writer: JoinHandle<()>,
}

impl Closing {
    /// Queues the close frame, if any, and waits (bounded) for the writer to send it.
    async fn finish(self, code: Option<CloseCode>, grace: Duration) {
        if let Some(code) = code {
            crate::metrics::closed_with(code);
            let _writer_gone = self.out.unbounded_send(code.message(code_reason(code)));
        }
        drop(self.out);
        let _bounded = tokio::time::timeout(grace, self.writer).await;
    }
}

/// `Some(code)` for a connection to release without waiting for its peer.
fn released_at_once(end: &LinkEnd) -> Option<Option<CloseCode>> {
    match end {
        LinkEnd::Cancelled => Some(Some(CloseCode::SessionReplaced)),
        LinkEnd::WriteFailed => Some(None),
        _ => None,
    }
}

/// Why a session's messages were abandoned, for the metric's `reason` label.
fn abandon_reason(ended: &SessionEvent) -> &'static str {
    match ended {
        SessionEvent::Expired { .. } => "expired",
        _ => "closed",
    }
}

fn is_normal_close(end: &LinkEnd) -> bool {
    matches!(end, LinkEnd::PeerClosed(Some(frame)) if u16::from(frame.code) == 1000)
}

/// The close code of a refused admission (1013 when the registry names none).
fn refusal_code(error: &ws_conn::ConnError) -> CloseCode {
    let code = error.close_code().map(|code| code.as_u16());
    code.and_then(CloseCode::from_code).unwrap_or(CloseCode::TryAgainLater)
}

fn close_code(end: &LinkEnd) -> Option<CloseCode> {
    match end {
        LinkEnd::Violation(code) => Some(*code),
        LinkEnd::Cancelled => Some(CloseCode::SessionReplaced),
        LinkEnd::PeerClosed(_) | LinkEnd::Lost | LinkEnd::WriteFailed => None,
    }
}

fn code_reason(code: CloseCode) -> &'static str {
    match code {
        CloseCode::TooBig => "message too big",
        CloseCode::SessionReplaced => "session replaced",
        CloseCode::UnackedLimit => "unacked limit",
        _ => "protocol error",
    }
}
