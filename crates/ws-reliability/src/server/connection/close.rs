//! The end of a connection: the close frame its end calls for, the writer's last flush,
//! the peer's close awaited (bounded), and its release from the registry.

use super::super::ReliableServer;
use crate::link::{LinkEnd, Outgoing};
use crate::protocol::CloseCode;
use crate::rollout::Fix;
use futures::{Stream, StreamExt};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use ws_conn::{CloseFrame, ConnId};

impl ReliableServer {
    /// Sends the close frame `end` calls for, lets the writer finish, waits for the peer's
    /// close, and takes the connection out of the registry.
    pub(super) async fn close<St>(&self, id: ConnId, end: &LinkEnd, closing: Closing, stream: St)
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        if let Some(code) = released_at_once(end) {
            return self.release(id, closing, code).await;
        }
        let grace = self.inner.config.conn.close_timeout;
        closing.finish(close_code(end), grace).await;
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
    async fn release(&self, id: ConnId, closing: Closing, code: Option<CloseCode>) {
        closing.finish(code, REPLACED_GRACE).await;
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
