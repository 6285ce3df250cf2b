//! The socket halves shared by the control handle, the sink and the stream.

use crate::{Activity, TransportError};
use futures::stream::{SplitSink, SplitStream};
use futures::task::AtomicWaker;
use futures::{Sink, StreamExt};
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

type WriteHalf<S> = SplitSink<WebSocketStream<S>, Message>;
type ReadHalf<S> = SplitStream<WebSocketStream<S>>;
type Polled = Poll<Option<Result<Message, WsError>>>;

/// Where the socket is, as the close handshake sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    /// No close seen from the peer yet.
    Open,
    /// The peer sent its close frame (or the stream ended).
    PeerClosed,
    /// Force-closed: both halves dropped.
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
}

/// Both halves, each behind a lock held only during one poll, so force-close can take them.
#[derive(Debug)]
pub(super) struct Shared<S> {
    write: Mutex<Option<WriteHalf<S>>>,
    read: Mutex<Option<ReadHalf<S>>>,
    reader: AtomicWaker,
    status: watch::Sender<Status>,
    activity: Activity,
}

impl<S> Shared<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    pub(super) fn new(socket: WebSocketStream<S>, activity: Activity) -> Self {
        let (write, read) = socket.split();
        let (write, read) = (Mutex::new(Some(write)), Mutex::new(Some(read)));
        let status = watch::Sender::new(Status::Open);
        Shared { write, read, reader: AtomicWaker::new(), status, activity }
    }

    pub(super) fn watch_status(&self) -> watch::Receiver<Status> {
        self.status.subscribe()
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
        let polled = self.with_write(|mut half| {
            if pending.is_some() {
                ready!(half.as_mut().poll_ready(cx))?;
                pending.take().map_or(Ok(()), |message| half.as_mut().start_send(message))?;
            }
            half.poll_flush(cx)
        });
        polled.unwrap_or(Poll::Ready(Err(WsError::AlreadyClosed)))
    }

    /// Runs one operation on the write half; `None` once released.
    pub(super) fn with_write<T>(&self, op: impl FnOnce(Pin<&mut WriteHalf<S>>) -> T) -> Option<T> {
        lock(&self.write).as_mut().map(|half| op(Pin::new(half)))
    }

    /// Polls the read half, recording activity and the peer's close; ends once released.
    pub(super) fn poll_read(&self, cx: &mut Context<'_>) -> Polled {
        self.reader.register(cx.waker());
        let polled =
            lock(&self.read).as_mut().map_or(Poll::Ready(None), |half| half.poll_next_unpin(cx));
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

    fn peer_closed(&self) {
        self.activity.record();
        self.status.send_if_modified(open_to_peer_closed);
    }

    /// Drops both halves (the socket closes with them) and wakes the reader.
    pub(super) fn release(&self) {
        drop(lock(&self.write).take());
        drop(lock(&self.read).take());
        self.status.send_replace(Status::Released);
        self.reader.wake();
    }
}

/// `Open → PeerClosed`; a released socket stays released.
fn open_to_peer_closed(status: &mut Status) -> bool {
    let open = *status == Status::Open;
    if open {
        *status = Status::PeerClosed;
    }
    open
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
