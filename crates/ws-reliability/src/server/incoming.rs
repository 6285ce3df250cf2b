//! [`Incoming`]: the stream of messages every session delivered, in order per session.

use crate::link::DeliverRx;
use crate::protocol::SessionId;
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
