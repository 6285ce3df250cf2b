//! [`Session`]: one client's session as a value the application holds, from
//! [`SessionServer::accept`]: a `Stream` of the messages its client sends and a `Sink` of
//! the messages to send it, across every resume of its client.

use super::auth::Identity;
use super::session::SessionState;
use super::{SessionServer, SessionSink};
use crate::error::Error;
use crate::protocol::{Mode, SessionId};
use crate::session_link::DeliverRx;
use futures::{Sink, SinkExt, Stream};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// A message the client sent, with its sequence number in the session (1, 2, 3, ... in
/// the order sent; a legacy client's in arrival order). A session delivers each number
/// once, in order, across resumes: an application that stores what it handled can drop a
/// repeat by the session and this number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Received {
    /// The message's sequence number in its session.
    pub seq: u64,
    /// The message.
    pub message: Message,
}

/// One client's session, from [`SessionServer::accept`]: held like a socket, it outlives
/// the client's connections.
///
/// - a [`Stream`] of [`Received`] messages, each exactly once and in order across resumes;
///   it ends when the session ends (closed, or its resume window passed);
/// - a [`Sink<Message>`](Sink) with backpressure, as [`SessionSink`]: `send` waits while
///   the outbox holds `max_unacked` messages; a refused message is handed back in the
///   error ([`Error::into_message`]);
/// - [`id`](Self::id), [`identity`](Self::identity) (what the authentication hook
///   returned), [`close`](Self::close).
///
/// Split it (`futures::StreamExt::split`) to read and write from different tasks. Dropped
/// without [`close`](Self::close), the session ends with 1001 (going away): its client
/// resumes, is answered SESSION_LOST and starts a fresh session, which `accept` yields.
#[derive(Debug)]
pub struct Session {
    state: Arc<SessionState>,
    incoming: DeliverRx,
    sink: SessionSink,
    closed: bool,
}

impl Session {
    pub(super) fn new(server: &SessionServer, state: Arc<SessionState>) -> Option<Self> {
        let incoming = state.take_incoming()?;
        let sink = SessionSink::new(server.clone(), Arc::clone(&state));
        Some(Session { state, incoming, sink, closed: false })
    }

    /// The session's id.
    pub fn id(&self) -> SessionId {
        self.state.id
    }

    /// Who the session belongs to: what the authentication hook returned.
    pub fn identity(&self) -> &Identity {
        &self.state.identity
    }

    /// The session's protocol: wsr.v1, or a legacy client's plain WebSocket.
    pub fn mode(&self) -> Mode {
        self.state.mode
    }

    /// This session's events from now on ([`SessionEvent`](super::SessionEvent)s naming it:
    /// resumed, detached, expired, closed, ...; and `Lagged`, never a silent gap).
    pub fn events(&self) -> crate::events::Events<super::SessionEvent> {
        self.sink.server().session_events(self.state.id)
    }

    /// Messages queued for the client and not yet acknowledged.
    pub fn unacked(&self) -> usize {
        self.state.outbox.stats().len()
    }

    /// Another sink to this session, for a task that sends beside this one.
    pub fn sink(&self) -> SessionSink {
        SessionSink::new(self.sink.server().clone(), Arc::clone(&self.state))
    }

    /// Ends the session: what this value's sink holds is queued first, then the client's
    /// connection is closed with `code` and `reason` and the session is discarded
    /// (messages the client has not acknowledged are abandoned, counted in
    /// `ws_reliability_messages_abandoned_total{reason="closed"}`). `code` is 1000 (the
    /// client does not resume), 1008 (policy: the client re-authenticates), 1011, or an
    /// application code 4100 to 4999 (the client resumes and is answered SESSION_LOST);
    /// anything else is refused with [`Error::InvalidCloseCode`] and nothing happens.
    pub async fn close(mut self, code: u16, reason: &str) -> Result<(), Error> {
        let frame = application_close(code, reason)?;
        let flushed = self.sink.flush().await;
        self.end_with(frame);
        flushed
    }

    fn end_with(&mut self, frame: CloseFrame) {
        self.closed = true;
        self.sink.server().end_session(&self.state, frame);
    }
}

/// The close frame of an application's close, if `code` is one it may send.
fn application_close(code: u16, reason: &str) -> Result<CloseFrame, Error> {
    if !matches!(code, 1000 | 1008 | 1011 | 4100..=4999) {
        return Err(Error::InvalidCloseCode { code });
    }
    Ok(CloseFrame { code: code.into(), reason: reason.into() })
}

impl Drop for Session {
    /// Not closed: the session ends with 1001 (going away).
    fn drop(&mut self) {
        if !self.closed {
            let frame = CloseFrame { code: 1001.into(), reason: "session dropped".into() };
            self.end_with(frame);
        }
    }
}

impl Stream for Session {
    type Item = Received;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Received>> {
        let next = std::task::ready!(self.incoming.poll_numbered(cx));
        Poll::Ready(next.map(|(seq, message)| Received { seq, message }))
    }
}

impl Sink<Message> for Session {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.sink).poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        Pin::new(&mut self.sink).start_send(message)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.sink).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Pin::new(&mut self.sink).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_application_closes_with_its_own_codes_only() {
        for code in [1000, 1008, 1011, 4100, 4999] {
            assert!(application_close(code, "bye").is_ok(), "{code}");
        }
        for code in [999, 1001, 1002, 1006, 3000, 4000, 4003, 4099, 5000] {
            assert!(matches!(application_close(code, ""), Err(Error::InvalidCloseCode { .. })));
        }
    }
}
