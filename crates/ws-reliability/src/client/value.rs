//! The client as a value like a socket: [`ReliableClient`] is itself a `Stream` of the
//! server's messages and a `Sink<Message>` to the server; [`ClientIncoming`] is the stream
//! taken apart from it.

use super::{ClientSink, ReliableClient};
use crate::Error;
use futures::{Sink, Stream};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio_tungstenite::tungstenite::Message;
use ws_session::link::DeliverRx;

/// The stream of messages from the server, from [`ReliableClient::incoming`].
#[derive(Debug)]
pub struct ClientIncoming {
    pub(super) receiver: DeliverRx,
}

impl Stream for ClientIncoming {
    type Item = Message;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        self.receiver.poll_recv(cx).map(|delivered| delivered.map(|(_, message)| message))
    }
}

/// The server's messages, each exactly once and in order across resumes; ends when the
/// client stops. Empty (at once `None`) once [`ReliableClient::incoming`] took them.
impl Stream for ReliableClient {
    type Item = Message;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        let incoming = self.get_mut().incoming.get_mut();
        let Some(receiver) = incoming.unwrap_or_else(|poisoned| poisoned.into_inner()) else {
            return Poll::Ready(None);
        };
        receiver.poll_recv(cx).map(|delivered| delivered.map(|(_, message)| message))
    }
}

/// Messages to the server, as [`ClientSink`]: buffered, waiting while the outbox is full,
/// each kept until the server acks it.
impl Sink<Message> for ReliableClient {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        own_sink(self).poll_ready(cx)
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), Error> {
        own_sink(self).start_send(message)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        own_sink(self).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        own_sink(self).poll_close(cx)
    }
}

fn own_sink(client: Pin<&mut ReliableClient>) -> Pin<&mut ClientSink> {
    let sink = client.get_mut().sink.get_mut();
    Pin::new(sink.unwrap_or_else(|poisoned| poisoned.into_inner()))
}
