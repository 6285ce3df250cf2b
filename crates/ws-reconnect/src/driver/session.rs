//! One connected session: outgoing messages written in batches, incoming ones forwarded,
//! the healthy timer, and how the session ends.

use super::attempt::CLOSE_GRACE;
use super::{Driver, StopReason};
use crate::connector::{Connection, Connector};
use crate::event::{DisconnectReason, Event};
use crate::metrics;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use ws_core::capped_delay;

/// Messages written to the socket before one flush and another look at the socket.
const WRITE_BATCH: usize = 64;

struct Link<S> {
    sink: SplitSink<S, Message>,
    stream: SplitStream<S>,
    healthy_at: Instant,
    healthy: bool,
}

enum Step {
    /// A new session: resend what the last connection left unflushed.
    Start,
    Shutdown,
    Healthy,
    /// Messages moved from the buffer to the pending batch; 0 when every handle is gone.
    Outgoing(usize),
    Incoming(Option<Result<Message, WsError>>),
}

impl<C: Connector> Driver<C> {
    /// Runs the session until the connection ends (`Ok`) or the reconnector stops (`Err`).
    pub(super) async fn session(
        &mut self,
        connection: C::Connection,
    ) -> Result<DisconnectReason, StopReason> {
        let mut link = self.open(connection);
        let mut step = Step::Start;
        loop {
            if let Some(reason) = self.handle(step, &mut link).await? {
                return Ok(finish(link, reason).await);
            }
            step = self.next_step(&mut link).await;
        }
    }

    fn open(&mut self, connection: C::Connection) -> Link<C::Connection> {
        self.declare_connected();
        let (sink, stream) = connection.split();
        let healthy_at = Instant::now() + capped_delay(self.config.limits.healthy_after);
        Link { sink, stream, healthy_at, healthy: false }
    }

    /// Emits `Connected` and records the success and the time it took to come back.
    fn declare_connected(&mut self) {
        let reconnect = self.history.ever_connected;
        self.events.emit(Event::Connected { attempt: self.schedule.attempts(), reconnect });
        metrics::success();
        if let Some(down) = self.history.down_since.take() {
            metrics::time_to_reconnect(down.elapsed());
        }
        self.history.ever_connected = true;
    }

    async fn next_step(&mut self, link: &mut Link<C::Connection>) -> Step {
        tokio::select! {
            () = self.shutdown.cancelled() => Step::Shutdown,
            () = tokio::time::sleep_until(link.healthy_at), if !link.healthy => Step::Healthy,
            incoming = link.stream.next() => Step::Incoming(incoming),
            count = self.io.outbox.recv_many(&mut self.io.pending, WRITE_BATCH) => {
                Step::Outgoing(count)
            }
        }
    }

    async fn handle(
        &mut self,
        step: Step,
        link: &mut Link<C::Connection>,
    ) -> Result<Option<DisconnectReason>, StopReason> {
        match step {
            Step::Start => Ok(self.flush_pending(link).await.err().map(failed)),
            Step::Healthy => Ok(self.healthy(link)),
            Step::Shutdown => Err(self.close(link, StopReason::Shutdown).await),
            Step::Outgoing(0) => Err(self.close(link, StopReason::HandlesDropped).await),
            Step::Outgoing(_) => Ok(self.flush_pending(link).await.err().map(failed)),
            Step::Incoming(incoming) => Ok(self.read(incoming).await),
        }
    }

    fn healthy(&mut self, link: &mut Link<C::Connection>) -> Option<DisconnectReason> {
        self.schedule.mark_healthy();
        link.healthy = true;
        None
    }

    async fn read(&self, incoming: Option<Result<Message, WsError>>) -> Option<DisconnectReason> {
        match incoming {
            None => Some(DisconnectReason::StreamEnded),
            Some(Err(error)) => Some(failed(error)),
            Some(Ok(Message::Close(frame))) => Some(closed(frame)),
            Some(Ok(message)) => self.forward(message).await,
        }
    }

    /// Hands a message to the [`Incoming`](crate::Incoming) stream, if anyone took it.
    async fn forward(&self, message: Message) -> Option<DisconnectReason> {
        let incoming = self.io.incoming.as_ref()?;
        tokio::select! {
            _receiver_gone_is_fine = incoming.send(message) => None,
            () = self.shutdown.cancelled() => None,
        }
    }

    /// Writes and flushes the pending messages; they stay pending (for the next connection,
    /// or for [`Stopped::unsent`](super::Stopped)) until the flush succeeds.
    async fn flush_pending(&mut self, link: &mut Link<C::Connection>) -> Result<(), WsError> {
        for message in &self.io.pending {
            link.sink.feed(message.clone()).await?;
        }
        link.sink.flush().await?;
        self.io.pending.clear();
        Ok(())
    }

    /// Sends everything buffered, then a 1000 close; unsent messages stay for
    /// [`Stopped`](super::Stopped).
    async fn close(&mut self, link: &mut Link<C::Connection>, reason: StopReason) -> StopReason {
        let _unsent_are_returned = tokio::time::timeout(CLOSE_GRACE, self.goodbye(link)).await;
        reason
    }

    async fn goodbye(&mut self, link: &mut Link<C::Connection>) -> Result<(), WsError> {
        while let Ok(message) = self.io.outbox.try_recv() {
            self.io.pending.push(message);
        }
        self.flush_pending(link).await?;
        let frame = CloseFrame { code: CloseCode::Normal, reason: "client shutdown".into() };
        link.sink.send(Message::Close(Some(frame))).await
    }
}

/// Closes the socket of an ended session (sends the reply to a close frame).
async fn finish<S: Connection>(mut link: Link<S>, reason: DisconnectReason) -> DisconnectReason {
    let _ended_anyway = tokio::time::timeout(CLOSE_GRACE, link.sink.close()).await;
    reason
}

fn failed(error: WsError) -> DisconnectReason {
    DisconnectReason::Error(error.to_string().into())
}

fn closed(frame: Option<CloseFrame>) -> DisconnectReason {
    let (code, reason) =
        frame.map_or((1005, String::new()), |frame| (frame.code.into(), frame.reason.to_string()));
    DisconnectReason::Closed { code, reason: reason.into() }
}
