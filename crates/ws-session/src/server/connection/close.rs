//! The end of a connection: the close frame its end calls for, the writer's last flush,
//! the peer's close awaited (bounded), and its release from the registry.

use super::super::SessionServer;
use super::Running;
use crate::protocol::CloseCode;
use crate::protocol::{to_message, Frame, SessionLostReason};
use crate::rollout::Fix;
use crate::session_link::{spawn_writer, Broken, LinkEnd, Outgoing, Side};
use futures::{Stream, StreamExt};
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::CloseFrame as WsCloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use ws_conn::{CloseFrame, ConnId};

impl SessionServer {
    /// Closes the connection of `running`, whose link ended with `end`.
    #[allow(clippy::manual_async_fn)] // an async fn keeps its arguments twice in its state
    pub(super) fn closed<St>(
        &self,
        running: Running<St>,
        end: LinkEnd,
    ) -> impl Future<Output = LinkEnd> + '_
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin + Send + 'static,
    {
        async move {
            running.session.durable().iter().for_each(|durable| durable.detach_out());
            let ending = Ending { end: end.clone(), farewell: running.session.farewell() };
            self.close(running.id, ending, running.closing, running.stream).await;
            end
        }
    }

    /// Sends the close frame `end` calls for (the application's `farewell` when it ended
    /// the session), lets the writer finish, waits for the peer's close, and takes the
    /// connection out of the registry.
    pub(super) async fn close<St>(&self, id: ConnId, end: Ending, closing: Closing, stream: St)
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        let Goodbye { close, at_once } = end.goodbye();
        if at_once {
            return self.release(id, closing, close).await;
        }
        closing.finish(close, self.inner.config.conn.close_timeout).await;
        let grace = self.inner.config.conn.close_timeout;
        let _bounded = tokio::time::timeout(grace, drained(stream)).await;
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
    async fn release(&self, id: ConnId, closing: Closing, close: Option<WsCloseFrame>) {
        closing.finish(close, REPLACED_GRACE).await;
        let _already_gone = self.inner.registry.force_close(id);
    }
}

/// Reads `stream` to its end (the peer's close, or the connection's loss).
async fn drained<St: Stream + Unpin>(mut stream: St) {
    while stream.next().await.is_some() {}
}

/// How long a replaced connection's writer gets to send its 4003.
const REPLACED_GRACE: Duration = Duration::from_millis(100);

/// The writer of an ending connection and the last sender into it.
pub(super) struct Closing {
    pub(super) out: Outgoing,
    pub(super) writer: JoinHandle<()>,
}

impl Closing {
    /// Queues the close frame, if any, and waits (bounded) for the writer to send it.
    pub(super) async fn finish(self, close: Option<WsCloseFrame>, grace: Duration) {
        if let Some(frame) = close {
            crate::metrics::closed_with_code(u16::from(frame.code));
            let _writer_gone = self.out.unbounded_send(Message::Close(Some(frame)));
        }
        drop(self.out);
        let _bounded = tokio::time::timeout(grace, self.writer).await;
    }
}

/// Why a link ended, and the application's close if it ended the session.
pub(super) struct Ending {
    pub(super) end: LinkEnd,
    pub(super) farewell: Option<WsCloseFrame>,
}

/// The close frame a connection's end calls for, and whether to release it at once.
struct Goodbye {
    close: Option<WsCloseFrame>,
    at_once: bool,
}

impl Ending {
    fn goodbye(self) -> Goodbye {
        match (self.end, self.farewell) {
            (LinkEnd::Cancelled, Some(farewell)) => Goodbye::polite(Some(farewell)),
            (LinkEnd::Cancelled, None) => Goodbye::at_once(Some(CloseCode::SessionReplaced)),
            (LinkEnd::WriteFailed, _) => Goodbye::at_once(None),
            (LinkEnd::Violation(code), _) => Goodbye::polite(Some(code.frame(code_reason(code)))),
            (LinkEnd::PeerClosed(_) | LinkEnd::Lost, _) => Goodbye::polite(None),
        }
    }
}

impl Goodbye {
    fn polite(close: Option<WsCloseFrame>) -> Self {
        Goodbye { close, at_once: false }
    }

    fn at_once(code: Option<CloseCode>) -> Self {
        let close = code.map(|code| code.frame(code_reason(code)));
        Goodbye { close, at_once: true }
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

impl SessionServer {
    /// A resume whose session ended while it waited for the previous connection (evicted
    /// or expired): SESSION_LOST 02 instead of WELCOME, then close 4000 (counted, and a
    /// `SessionEvent::Lost`); nothing is delivered to, or acked from, an ended session.
    pub(super) async fn gone<S>(&self, ready: super::Ready<S>)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        self.announce_lost(ready.opened.session.id, SessionLostReason::Expired);
        let (_conn, sink, _stream) = ready.split;
        drop(ready.admission); // its slot is free while the close is waited for
        let (out, writer) = spawn_writer(sink, Some(lost_frame()), ready_breaks());
        let grace = self.inner.config.conn.close_timeout;
        let close = Some(CloseCode::SessionLost.frame("session lost"));
        Closing { out, writer }.finish(close, grace).await;
    }
}

/// SESSION_LOST 02 (expired), as a message.
fn lost_frame() -> Message {
    to_message(&Frame::SessionLost(SessionLostReason::Expired))
}

/// The writer of a connection that never runs a link: a failed write breaks nothing else.
fn ready_breaks() -> Broken {
    Broken { token: crate::session_link::LinkToken::new(), side: Side::Server }
}
