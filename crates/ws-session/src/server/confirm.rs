//! [`Confirmation`]: commits a resume's token rotation once the client proves it received
//! the WELCOME (`docs/protocol.md` § 7): its first DATA, BATCH or ACK on the resumed
//! connection.

use super::session::SessionState;
use crate::protocol::{from_message, to_message, Frame, Limits, ResumeToken, Welcome};
use crate::session_link::lock;
use futures::{Stream, StreamExt};
use std::sync::Arc;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// The `welcome` to send first on `session`'s new connection, and its `stream` (read under
/// `limits`) watched for the client's proof that the WELCOME arrived.
pub(crate) fn welcomed<St>(
    session: &Arc<SessionState>,
    welcome: Option<Welcome>,
    limits: Limits,
    stream: St,
) -> (Option<Message>, impl Stream<Item = St::Item> + Unpin)
where
    St: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let watched = Confirmation::new(session, welcome.as_ref(), limits).watch(stream);
    (welcome.map(|welcome| to_message(&Frame::Welcome(welcome))), watched)
}

/// Watches a connection's first frames for the proof that its WELCOME arrived.
pub(crate) struct Confirmation {
    session: Arc<SessionState>,
    /// The token the connection's WELCOME carried; `None` once confirmed (or for legacy).
    welcomed: Option<ResumeToken>,
    limits: Limits,
}

impl Confirmation {
    /// Watches for the proof of `welcome` on `session`'s new connection.
    pub(crate) fn new(
        session: &Arc<SessionState>,
        welcome: Option<&Welcome>,
        limits: Limits,
    ) -> Self {
        let welcomed = welcome.map(|welcome| welcome.token.clone());
        Confirmation { session: Arc::clone(session), welcomed, limits }
    }

    /// `stream`, unchanged, confirming the rotation on the first DATA, BATCH or ACK read from
    /// it (until then each message is decoded a second time here, so the first must do).
    pub(crate) fn watch<St>(mut self, stream: St) -> impl Stream<Item = St::Item> + Unpin
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        stream.inspect(move |read| self.saw(read))
    }

    fn saw(&mut self, read: &Result<Message, WsError>) {
        let Some(welcomed) = &self.welcomed else { return };
        if read.as_ref().is_ok_and(|message| proves_welcome(message, &self.limits)) {
            lock(&self.session.guard).confirm(welcomed);
            self.session.store_tokens(); // the old token is a replay from now on, there too
            self.welcomed = None;
        }
    }
}

/// Whether `message` is a DATA, a BATCH (consecutive DATA) or an ACK: the client sends
/// none of them before its WELCOME.
fn proves_welcome(message: &Message, limits: &Limits) -> bool {
    let decoded = from_message(message, limits);
    matches!(decoded, Ok(Some(Frame::Data(_) | Frame::Batch(_) | Frame::Ack(_))))
}
