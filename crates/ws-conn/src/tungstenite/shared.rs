//! The socket shared by the control handle, the sink and the stream.
//!
//! One allocation per connection holds everything: the `WebSocketStream` itself behind a
//! lock held only during one poll (tokio-tungstenite keeps separate read and write wakers,
//! so the reader and the writer can poll it from different tasks, as with a split
//! socket), the reader's waker, the close status and its waiters (a `Notify`, no channel).

use super::writers::Writers;
use crate::{Activity, TransportError};
use futures::task::AtomicWaker;
use futures::{Sink, StreamExt};
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

type Polled = Poll<Option<Result<Message, WsError>>>;

/// Where the socket is, as the close handshake sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Status {
    /// No close seen from the peer yet.
    Open,
    /// The peer sent its close frame (or the stream ended).
    PeerClosed,
    /// Force-closed: the socket dropped.
    Released,
}

impl Status {
    /// Whether a close handshake completed, as an outcome of `close`.
    pub(super) fn answered(self) -> Result<(), TransportError> {
        let answered = self == Status::PeerClosed;
        answered
            .then_some(())
            .ok_or_else(|| TransportError::new("released before the peer answered"))
    }

    fn from_u8(value: u8) -> Status {
        match value {
            0 => Status::Open,
            1 => Status::PeerClosed,
            _ => Status::Released,
        }
    }
}

/// The socket, behind a lock held only during one poll, so force-close can take it.
#[derive(Debug)]
pub(super) struct Shared<S> {
    socket: Mutex<Option<WebSocketStream<S>>>,
    reader: AtomicWaker,
    /// The tasks waiting on the write side (the application's sink, the registry's sends).
    writers: Arc<Writers>,
    status: AtomicU8,
    /// Woken when the status leaves `Open`.
    settled: Notify,
    activity: Activity,
}

impl<S> Shared<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    pub(super) fn new(socket: WebSocketStream<S>, activity: Activity) -> Self {
        let socket = Mutex::new(Some(socket));
        let status = AtomicU8::new(Status::Open as u8);
        let reader = AtomicWaker::new();
        let writers = Arc::default();
        let settled = Notify::new();
        Shared { socket, reader, writers, status, settled, activity }
    }

    pub(super) fn status(&self) -> Status {
        Status::from_u8(self.status.load(Ordering::Acquire))
    }

    /// Waits until the status leaves `Open` and returns it.
    pub(super) async fn settled(&self) -> Status {
        loop {
            let notified = self.settled.notified();
            let now = self.status();
            if now != Status::Open {
                return now;
            }
            notified.await;
        }
    }

    /// Sends one message and flushes it.
    pub(super) async fn send(&self, message: Message) -> Result<(), TransportError> {
        let mut pending = Some(message);
        let sent = std::future::poll_fn(|cx| self.poll_send(cx, &mut pending)).await;
        sent.map_err(TransportError::new)
    }

    fn poll_send(
        &self,
        cx: &mut Context<'_>,
        pending: &mut Option<Message>,
    ) -> Poll<Result<(), WsError>> {
        let polled = self.poll_write(cx, |mut socket, cx| {
            if pending.is_some() {
                ready!(socket.as_mut().poll_ready(cx))?;
                pending.take().map_or(Ok(()), |message| socket.as_mut().start_send(message))?;
            }
            socket.poll_flush(cx)
        });
        polled.unwrap_or(Poll::Ready(Err(WsError::AlreadyClosed)))
    }

    /// Runs one sink operation on the socket; `None` once released.
    pub(super) fn with_write<T>(
        &self,
        op: impl FnOnce(Pin<&mut WebSocketStream<S>>) -> T,
    ) -> Option<T> {
        lock(&self.socket).as_mut().map(|socket| op(Pin::new(socket)))
    }

    /// Polls the socket's write side for the task of `cx`, so that whichever task the
    /// socket wakes, every task waiting to write wakes with it (see [`Writers`]); `None`
    /// once released.
    pub(super) fn poll_write<T>(
        &self,
        cx: &Context<'_>,
        op: impl FnOnce(Pin<&mut WebSocketStream<S>>, &mut Context<'_>) -> T,
    ) -> Option<T> {
        self.writers.poll(cx, |cx| self.with_write(|socket| op(socket, cx)))
    }

    /// Polls the socket for a message, recording activity and the peer's close; ends once
    /// released.
    pub(super) fn poll_read(&self, cx: &mut Context<'_>) -> Polled {
        self.reader.register(cx.waker());
        let polled = lock(&self.socket)
            .as_mut()
            .map_or(Poll::Ready(None), |socket| socket.poll_next_unpin(cx));
        self.observe(&polled);
        polled
    }

    fn observe(&self, polled: &Polled) {
        match polled {
            Poll::Ready(Some(Ok(Message::Close(_))) | Some(Err(_)) | None) => self.peer_closed(),
            Poll::Ready(Some(Ok(_))) => self.activity.record(),
            Poll::Pending => {}
        }
    }

    /// `Open → PeerClosed`; a released socket stays released.
    fn peer_closed(&self) {
        self.activity.record();
        let open = Status::Open as u8;
        let closed = Status::PeerClosed as u8;
        let exchanged =
            self.status.compare_exchange(open, closed, Ordering::AcqRel, Ordering::Acquire);
        if exchanged.is_ok() {
            self.settled.notify_waiters();
        }
    }

    /// Drops the socket (it closes with it) and wakes the reader and the close waiters.
    pub(super) fn release(&self) {
        drop(lock(&self.socket).take());
        self.status.store(Status::Released as u8, Ordering::Release);
        self.settled.notify_waiters();
        self.reader.wake();
        self.writers.wake_all();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
