//! [`Incoming`]: the stream of messages every session delivered, in order per session;
//! [`SessionIncoming`]: one session's, with [`IncomingMode::PerSession`].

use crate::protocol::SessionId;
use crate::session_link::DeliverRx;
use futures::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio_tungstenite::tungstenite::Message;

/// Every application message received, as `(session, message)`, exactly once each.
#[derive(Debug)]
pub struct Incoming {
    receiver: DeliverRx,
}

impl Incoming {
    pub(crate) fn new(receiver: DeliverRx) -> Self {
        Incoming { receiver }
    }
}

impl Stream for Incoming {
    type Item = (SessionId, Message);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.receiver.poll_recv(cx)
    }
}

/// Where the messages sessions deliver go ([`ServerConfig::incoming_mode`](super::ServerConfig)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IncomingMode {
    /// Each session is a value the application takes from
    /// [`SessionServer::accept`](super::SessionServer::accept) and reads as a stream of
    /// its own, bounded by `incoming.buffer`: a handler per session, like a handler per
    /// socket. Sessions not yet accepted wait in a backlog of `incoming.backlog`.
    #[default]
    Accept,
    /// Every session into one stream of `(session, message)`,
    /// [`SessionServer::incoming`](super::SessionServer::incoming): one reader for all.
    Shared,
    /// Each session into its own stream of messages,
    /// [`SessionServer::incoming_of`](super::SessionServer::incoming_of), bounded by
    /// `incoming_buffer` on its own: a handler per session, like a handler per socket, and
    /// a slow one holds back only its own client. Nothing arrives in the shared stream.
    PerSession,
}

/// The messages one session delivered, in order, each exactly once, from
/// [`SessionServer::incoming_of`](super::SessionServer::incoming_of). It ends once the
/// session ended (closed, or its resume window passed) and its last connection is gone.
/// Once it is dropped, the session's further messages are not delivered: counted in
/// `ws_reliability_messages_received_total{outcome="no_reader"}`; nothing else pauses.
#[derive(Debug)]
pub struct SessionIncoming {
    receiver: DeliverRx,
}

impl SessionIncoming {
    pub(crate) fn new(receiver: DeliverRx) -> Self {
        SessionIncoming { receiver }
    }
}

impl Stream for SessionIncoming {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.receiver.poll_recv(cx).map(|delivered| delivered.map(|(_session, message)| message))
    }
}
