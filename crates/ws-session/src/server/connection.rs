//! One connection of a session: admission and registration in the ws-conn registry, the
//! link (writer, flusher, reader), and what happens to the session when it ends.
//!
//! An idle connection costs what its task's future holds, so the opening (handshake,
//! admission, HELLO, refusals) runs in a boxed future freed once the session is known, and
//! the task keeps only the compact running part: the split socket's handles, the link and
//! its pump ([`Ready`], [`Running`]). The functions on that path return `async move`
//! blocks instead of being `async fn`s: an async fn keeps a second copy of its arguments
//! in its state (rust-lang/rust#62958), for as long as the connection lives.

mod close;
mod open;

use super::confirm::welcomed;
use super::hello::Opened;
use super::session::{SessionState, Turn};
use super::{SessionEvent, SessionServer};
use crate::protocol::{Mode, Welcome};
use crate::session_link::{spawn_writer, Framing, Link, LinkEnd, LinkToken, Side, Stop};
use close::Closing;
use futures::Stream;
use std::borrow::Borrow;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::http::HeaderMap;
use tokio_tungstenite::tungstenite::protocol::CloseFrame as WsCloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use ws_conn::tungstenite::{WsConnection, WsSink, WsStream};
use ws_conn::{Admission, ConnId};

/// The socket split into the registry's handle, the sink and the stream.
type Split<S> = (WsConnection<S>, WsSink<S>, WsStream<S>);

/// A running connection: its link, registry id, writer and (watched) stream; all the
/// connection's task keeps while it idles, with the link's pump.
struct Running<St> {
    link: Link,
    session: Arc<SessionState>,
    id: ConnId,
    closing: Closing,
    stream: St,
}

/// An admitted connection whose session is open: the socket already split into the
/// registry's handle, the sink and the stream (a few pointers, the socket is on the heap).
pub(crate) struct Ready<S> {
    split: Split<S>,
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

impl SessionServer {
    /// Serves an already-upgraded socket until it ends: `mode` is what the handshake
    /// negotiated ([`protocol::negotiate`](crate::protocol::negotiate)), `headers` the
    /// upgrade request's, for the authentication hook and the origin policy
    /// (`conn.limits.origins`): a refused `Origin` is closed with 1008 at once. The
    /// upgrade was the application's: bound its time and count, and answer a refused
    /// `Origin` with 403 before upgrading (`ws_conn::OriginPolicy::check`).
    pub fn serve_upgraded<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        headers: Option<HeaderMap>,
    ) -> impl Future<Output = ()> + '_
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let upgrade = super::auth::Upgrade { headers, ..Default::default() };
        self.serve_foreign(ws, mode, upgrade)
    }

    /// [`serve_upgraded`](Self::serve_upgraded) with all the server knows of the upgrade
    /// request (URI, headers, peer address): the path of an upgrade answered by axum or
    /// hyper (`ws-reliability`'s feature `axum`).
    #[doc(hidden)] // `ws-reliability`'s axum adapter
    pub fn serve_foreign<S>(
        &self,
        ws: WebSocketStream<S>,
        mode: Mode,
        upgrade: super::auth::Upgrade,
    ) -> impl Future<Output = ()> + '_
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        Self::attach_opened(self, Box::pin(self.open_foreign(ws, mode, upgrade)))
    }

    /// Runs the connection `opening` yields, if any: takes the session over from its
    /// previous connection, answers WELCOME (wsr.v1), and runs the link. `opening` is
    /// boxed so that its (large, short-lived) state is freed before the connection idles,
    /// and the [`Ready`] it yields is a local, not a captured value, so that its storage is
    /// not kept once it is taken apart (captured values are kept for the future's life).
    #[allow(clippy::manual_async_fn)] // an async fn keeps its arguments twice in its state
    pub(crate) fn attach_opened<'a, H, S, F>(
        server: H,
        opening: Pin<Box<F>>,
    ) -> impl Future<Output = ()> + 'a
    where
        H: Borrow<SessionServer> + 'a,
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        F: Future<Output = Option<Ready<S>>> + 'a,
    {
        async move {
            // boxed: a `Ready` kept in this future would take its room for the connection's
            // life (its storage outlives its move into `started`, as it was borrowed); the
            // box goes with `started`
            let Some(ready) = opening.await.map(Box::new) else { return };
            let session = Arc::clone(&ready.opened.session);
            let Turn { token, generation, serial: _turn } = session.take_turn().await;
            let Some(running) = server.borrow().started(ready, token).await else { return };
            let end = server.borrow().run(running).await; // not an argument: kept while it runs
            server.borrow().ended(&session, generation, &end);
        }
    }

    /// The greeting of `ready` once the previous connection stopped, then its start;
    /// `None`, the connection let go, when its session ended meanwhile.
    async fn started<S>(
        &self,
        ready: Box<Ready<S>>,
        cancel: LinkToken,
    ) -> Option<Running<impl Stream<Item = Result<Message, WsError>> + Unpin>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Some(welcome) = self.greeting(&ready).await else {
            self.gone(*ready).await;
            return None;
        };
        Some(self.start(*ready, cancel, welcome))
    }

    /// The greeting of `ready` once the previous connection stopped: `None` when its
    /// session ended meanwhile (a resume that raced an eviction or expiry), else what
    /// `welcome_for` says.
    async fn greeting<S>(&self, ready: &Ready<S>) -> Option<Option<Welcome>> {
        let session = &ready.opened.session;
        if session.has_ended() {
            return None;
        }
        Some(self.welcome_for(session, ready.opened.resumed).await)
    }

    /// Starts the state sync; the WELCOME of a wsr.v1 session (after a resume's requeue),
    /// none for legacy.
    async fn welcome_for(&self, session: &SessionState, resumed: Option<u64>) -> Option<Welcome> {
        self.inner.notifier.start_sync(session.id, resumed.is_some());
        match session.mode {
            Mode::V1 => Some(Box::pin(self.prepare(session, resumed)).await),
            Mode::Legacy => None,
        }
    }

    /// Resume: the client's `last_received` acks the outbox, the rest is requeued. Returns
    /// the WELCOME, sent first on the registered connection.
    async fn prepare(&self, session: &SessionState, resumed: Option<u64>) -> Welcome {
        if let Some(client_last) = resumed {
            let _acked_or_nothing_sent = session.outbox.ack(client_last);
            session.outbox.requeue_unacked().await;
            self.store_resume(session, client_last).await;
            self.emit(SessionEvent::Resumed { session: session.id });
        }
        self.welcome(session, resumed.is_some())
    }

    /// Registers the connection and starts its writer, the WELCOME (wsr.v1) queued first;
    /// the client's first DATA, BATCH or ACK confirms the token the WELCOME carried.
    fn start<S>(
        &self,
        ready: Ready<S>,
        cancel: LinkToken,
        welcome: Option<Welcome>,
    ) -> Running<impl Stream<Item = Result<Message, WsError>> + Unpin>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Ready { split: (conn, sink, stream), admission, opened } = ready;
        let (first, stream) = welcomed(&opened.session, welcome, self.config().limits, stream);
        let link = self.link(&opened, cancel);
        let id = admission.register(conn).id();
        let (out, writer) = spawn_writer(sink, first, link.stop.writer_breaks(Side::Server));
        opened.session.attach_out(&out, &link.stop.cancel);
        Running { link, session: opened.session, id, closing: Closing { out, writer }, stream }
    }

    /// Runs the link until the connection ends, then closes it.
    #[allow(clippy::manual_async_fn)] // an async fn keeps its arguments twice in its state
    fn run<St>(&self, mut running: Running<St>) -> impl Future<Output = LinkEnd> + '_
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin + Send + 'static,
    {
        async move {
            let end = running.link.pump(&mut running.stream, &running.closing.out).await;
            // boxed, `end` with it: no room for them in every idle connection's future
            Box::pin(self.closed(running, end)).await
        }
    }

    fn link(&self, opened: &Opened, cancel: LinkToken) -> Link {
        let session = &opened.session;
        let parts = session.link_parts(&self.inner.channels.deliver);
        let framing = Framing { mode: session.mode, batch: opened.batch };
        let limits = Arc::clone(&self.inner.channels.limits);
        Link { framing, parts, limits, stop: self.stop_for(cancel) }
    }

    /// What ends a link of this server besides its connection and `cancel`: a client past
    /// the receive window (4001); and the keepalive it sends (`docs/protocol.md` § 6, § 7).
    fn stop_for(&self, cancel: LinkToken) -> Stop {
        let config = &self.inner.config;
        let window = config.limits.max_unacked;
        let keepalive = Some(config.timeouts.keepalive);
        Stop { cancel, window, keepalive, idle_timeout: None } // no default: its token allocates
    }

    /// The session after its connection ended: detached and resumable (wsr.v1), or gone.
    fn ended(&self, session: &Arc<SessionState>, generation: u32, end: &LinkEnd) {
        if let Some(event) = gone_for_good(session, end) {
            return self.remove(session, event);
        }
        if session.detach(generation) {
            self.store_detach(session);
            self.emit(SessionEvent::Detached { session: session.id });
            tokio::spawn(self.clone().expire_later(Arc::downgrade(session), generation));
        }
    }

    /// Expires the session once its resume window passed, unless a connection attached
    /// since (or it ended meanwhile: the budget expired it early, and it may be freed).
    async fn expire_later(self, session: Weak<SessionState>, generation: u32) {
        tokio::time::sleep(self.inner.config.limits.resume_window + Duration::from_millis(1)).await;
        let Some(session) = session.upgrade() else { return };
        if session.still_detached(generation) && !session.has_ended() {
            crate::metrics::session_expired();
            let unacked = session.outbox.stats().len();
            self.expire(&session, SessionEvent::Expired { session: session.id, unacked });
        }
    }

    /// The application ends `session` (`Session::close`, or its drop): its connection is
    /// closed with `farewell`, and it is removed.
    pub(super) fn end_session(&self, session: &SessionState, farewell: WsCloseFrame) {
        session.say_farewell(farewell);
        self.remove(session, SessionEvent::Closed { session: session.id });
    }

    /// Ends `session` for good (its sinks and waiting senders hand their message back);
    /// messages it still held are counted as abandoned.
    pub(super) fn remove(&self, session: &SessionState, event: SessionEvent) {
        session.end();
        session.cancel();
        session.durable().iter().for_each(|durable| durable.forget());
        if self.inner.sessions.remove(&session.id).is_some() {
            crate::metrics::abandoned(abandon_reason(&event), session.outbox.stats().len());
            self.emit(event);
        }
    }
}

/// Why a session's messages were abandoned, for the metric's `reason` label.
fn abandon_reason(ended: &SessionEvent) -> &'static str {
    match ended {
        SessionEvent::Expired { .. } => "expired",
        SessionEvent::Evicted { .. } => "evicted",
        _ => "closed",
    }
}

/// How a session whose connection ended is gone for good, if it is: moved to another node
/// (a store refused this node's writes), or closed (a normal close, a legacy connection).
fn gone_for_good(session: &SessionState, end: &LinkEnd) -> Option<SessionEvent> {
    if session.has_moved() {
        return Some(SessionEvent::Moved { session: session.id });
    }
    let closed = !session.resumable || is_normal_close(end);
    closed.then_some(SessionEvent::Closed { session: session.id })
}

fn is_normal_close(end: &LinkEnd) -> bool {
    matches!(end, LinkEnd::PeerClosed(Some(frame)) if u16::from(frame.code) == 1000)
}

#[cfg(test)]
mod tests;
