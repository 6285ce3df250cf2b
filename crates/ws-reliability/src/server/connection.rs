//! One connection of a session: admission and registration in the ws-conn registry, the
//! link (writer, flusher, reader), and what happens to the session when it ends.
//!
//! An idle connection costs what its task's future holds, so the opening (handshake,
//! admission, HELLO, refusals) runs in a boxed future freed once the session is known, and
//! the task keeps only the compact running part: the split socket's handles, the link and
//! its pump ([`Ready`], [`ReliableServer::attach`]).

mod close;

use super::hello::{close_with, Opened};
use super::session::Session;
use super::{ReliableServer, SessionEvent};
use crate::link::{spawn_writer, Link, LinkEnd, Stop};
use crate::protocol::{CloseCode, Hello, Mode, Welcome};
use close::Closing;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::WebSocketStream;
use ws_conn::tungstenite::{WsConnection, WsSink, WsStream};
use ws_conn::Admission;

/// Everything a connection needs once its session is known.
struct Attached {
    session: Arc<Session>,
    admission: Admission,
    cancel: tokio_util::sync::CancellationToken,
}

/// An admitted connection whose session is open: the socket already split into the
/// registry's handle, the sink and the stream (a few pointers, the socket is on the heap).
pub(crate) struct Ready<S> {
    split: (WsConnection<S>, WsSink<S>, WsStream<S>),
    admission: Admission,
    opened: Opened,
}

impl<S> Ready<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    fn new(ws: WebSocketStream<S>, admission: Admission, opened: Opened) -> Self {
        let split = ws_conn::tungstenite::split(ws, admission.activity());
        Ready { split, admission, opened }
    }
}

impl ReliableServer {
    /// Serves an already-upgraded socket until it ends: `mode` is what the handshake
    /// negotiated ([`protocol::negotiate`](crate::protocol::negotiate)), `headers` the
    /// upgrade request's, for the authentication hook.
    pub fn serve_upgraded<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        headers: Option<HeaderMap>,
    ) -> impl Future<Output = ()> + '_
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.attach_opened(Box::pin(self.open_upgraded(ws, mode, headers)))
    }

    /// Runs the connection `opening` yields, if any. `opening` is boxed so that its (large,
    /// short-lived) state is freed before the connection idles.
    pub(crate) async fn attach_opened<S, F>(&self, opening: Pin<Box<F>>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        F: Future<Output = Option<Ready<S>>>,
    {
        if let Some(ready) = opening.await {
            self.attach(ready).await;
        }
    }

    /// Admits an upgraded socket and opens its session (HELLO for wsr.v1); `None` once it
    /// was refused and closed.
    pub(crate) async fn open_upgraded<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        headers: Option<HeaderMap>,
    ) -> Option<Ready<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.ensure_maintenance();
        let (ws, admission) = self.admit(ws).await?;
        let (ws, opened) = match mode {
            Mode::V1 => self.open_v1(ws, headers).await?,
            Mode::Legacy => self.open_legacy(ws, headers).await?,
        };
        Some(Ready::new(ws, admission, opened))
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

    /// Reads the HELLO and opens or resumes its session; refuses it otherwise.
    async fn open_v1<S>(
        &self,
        mut ws: WebSocketStream<S>,
        headers: Option<HeaderMap>,
    ) -> Option<(WebSocketStream<S>, Opened)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        match self.read_hello(&mut ws).await {
            Ok(hello) => self.greet(ws, hello, headers).await,
            Err(code) => refused_with(ws, code).await,
        }
    }

    async fn greet<S>(
        &self,
        ws: WebSocketStream<S>,
        hello: Hello,
        headers: Option<HeaderMap>,
    ) -> Option<(WebSocketStream<S>, Opened)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let presented = hello.resume.as_ref().map(|resume| resume.session);
        match self.open(hello, headers) {
            Ok(opened) => Some((ws, opened)),
            Err(refused) => self.refuse(ws, presented, refused).await,
        }
    }

    async fn open_legacy<S>(
        &self,
        ws: WebSocketStream<S>,
        headers: Option<HeaderMap>,
    ) -> Option<(WebSocketStream<S>, Opened)>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let request = super::AuthRequest { headers, auth: Default::default(), resuming: None };
        match self.open_fresh(Mode::Legacy, &request) {
            Ok(opened) => Some((ws, opened)),
            Err(_) => refused_with(ws, CloseCode::Policy).await,
        }
    }

    /// Takes the session over from its previous connection, answers WELCOME (wsr.v1),
    /// and runs the link.
    async fn attach<S>(&self, ready: Ready<S>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Ready { split, admission, opened: (session, resumed) } = ready;
        let (cancel, generation) = session.attach();
        let _serial = session.serial().await;
        self.start_sync(session.id, resumed.is_some());
        let attached = Attached { session: Arc::clone(&session), admission, cancel };
        let end = self.welcome_and_run(split, attached, resumed).await;
        self.ended(&session, generation, &end);
    }

    async fn welcome_and_run<S>(
        &self,
        split: (WsConnection<S>, WsSink<S>, WsStream<S>),
        attached: Attached,
        resumed: Option<u64>,
    ) -> LinkEnd
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let welcome = match attached.session.mode {
            Mode::V1 => Some(Box::pin(self.prepare(&attached.session, resumed)).await),
            Mode::Legacy => None,
        };
        self.run(split, attached, welcome).await
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
        (conn, sink, stream): (WsConnection<S>, WsSink<S>, WsStream<S>),
        attached: Attached,
        welcome: Option<Welcome>,
    ) -> LinkEnd
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (first, mut stream) = self.welcomed(&attached.session, welcome, stream);
        let link = self.link(&attached);
        let id = attached.admission.register(conn).id();
        let (out, writer) = spawn_writer(sink, first, link.stop.broken.clone());
        let end = link.pump(&mut stream, &out).await;
        Box::pin(self.close(id, &end, Closing { out, writer }, stream)).await;
        end
    }

    fn link(&self, attached: &Attached) -> Link {
        let session = &attached.session;
        let (outbox, inbound) = (session.outbox.clone(), Arc::clone(&session.inbound));
        let (deliver, limits) = (self.inner.channels.deliver.clone(), self.inner.config.limits);
        let stop = Stop { cancel: attached.cancel.clone(), ..Stop::default() };
        Link { mode: session.mode, session: session.id, outbox, inbound, deliver, limits, stop }
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

/// Closes a refused socket with `code`; nothing to run.
async fn refused_with<S, T>(ws: WebSocketStream<S>, code: CloseCode) -> Option<T>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    close_with(ws, code).await;
    None
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
