//! The [`Connection`] over a tokio-tungstenite `WebSocketStream`, split into a control
//! handle for the registry, a `Sink` and a `Stream` of `Message` for the application.

mod halves;
mod shared;
mod writers;

pub use halves::{WsSink, WsStream};

use crate::{Activity, CloseFrame, Connection, TransportError};
use shared::{Shared, Status};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WireCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame as WireCloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Splits an accepted (or connected) socket into the registry's [`WsConnection`], a
/// [`WsSink`] to send with and a [`WsStream`] to read from.
///
/// The stream records every inbound frame (pongs included) in `activity` and notices the
/// peer's close; [`Connection::force_close`] drops the socket under both halves, so it is
/// released even if nobody polls the stream again.
pub fn split<S>(
    socket: WebSocketStream<S>,
    activity: &Activity,
) -> (WsConnection<S>, WsSink<S>, WsStream<S>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let shared = Arc::new(Shared::new(socket, activity.clone()));
    let sink = WsSink::new(shared.clone());
    let stream = WsStream::new(shared.clone());
    (WsConnection { shared }, sink, stream)
}

/// The registry's side of a tokio-tungstenite socket: close handshake, ping, release.
#[derive(Debug)]
pub struct WsConnection<S> {
    shared: Arc<Shared<S>>,
}

#[async_trait::async_trait]
impl<S> Connection for WsConnection<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    /// Sends the close frame, then waits until the read side sees the peer's close (the
    /// application must keep polling its [`WsStream`]).
    async fn close(&self, frame: CloseFrame) -> Result<(), TransportError> {
        if self.shared.status() == Status::Open {
            self.shared.send(Message::Close(Some(wire_frame(frame)))).await?;
        }
        self.shared.settled().await.answered()
    }

    async fn ping(&self) -> Result<(), TransportError> {
        self.shared.send(Message::Ping(Default::default())).await
    }

    fn force_close(&self) {
        self.shared.release();
    }
}

fn wire_frame(frame: CloseFrame) -> WireCloseFrame {
    let reason = String::from(frame.reason);
    WireCloseFrame { code: WireCode::from(frame.code.as_u16()), reason: reason.into() }
}

#[cfg(test)]
mod tests;
