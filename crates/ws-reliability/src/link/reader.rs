//! The reader side of a [`Link`]: frames in, messages delivered once and in order, acks
//! out in batches, peer acks applied to the outbox. It ends with a [`LinkEnd`].

use super::{lock, Link, Outgoing};
use crate::protocol::{
    from_message, to_message, AckBatcher, CloseCode, Data, Delivery, Frame, Mode, Payload,
    ProtocolError,
};
use futures::{Stream, StreamExt};
use std::ops::ControlFlow;
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// How a link ended.
#[derive(Debug)]
pub(crate) enum LinkEnd {
    /// The peer sent a close frame.
    PeerClosed(Option<CloseFrame>),
    /// The stream ended or failed without a close frame.
    Lost,
    /// The peer broke the protocol or a limit: close with this code.
    Violation(CloseCode),
    /// Stopped from outside.
    Cancelled,
    /// A write failed: the connection cannot carry frames any more.
    WriteFailed,
}

type Step = ControlFlow<LinkEnd>;

/// The reader's own state: the ack schedule and when the peer was last heard.
struct Reading {
    acks: AckBatcher,
    seen: Instant,
}

impl Reading {
    fn new(acks: AckBatcher) -> Self {
        Reading { acks, seen: Instant::now() }
    }

    /// Notes that something (a frame, a ping, an error) arrived now.
    fn saw<T>(&mut self, read: T) -> T {
        self.seen = Instant::now();
        read
    }
}

/// Completes `idle` after `seen`; never without an idle timeout.
async fn silence(seen: Instant, idle: Option<Duration>) {
    match idle {
        Some(idle) => tokio::time::sleep_until(seen + idle).await,
        None => std::future::pending().await,
    }
}

/// A peer silent past the idle timeout: the link is dead (a half-open connection).
fn silent() -> LinkEnd {
    crate::metrics::idle_timeout();
    LinkEnd::Lost
}

impl Link {
    /// Reads until the connection ends; sends acks through `out`.
    pub(crate) async fn read<St>(&self, stream: &mut St, out: &Outgoing) -> LinkEnd
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        let last = lock(&self.inbound).last_delivered();
        let mut reading = Reading::new(AckBatcher::resuming_after(self.ack_config(), last));
        loop {
            if let ControlFlow::Break(end) = self.next(stream, &mut reading, out).await {
                flush_ack(&mut reading.acks, out);
                return end;
            }
        }
    }

    async fn next<St>(&self, stream: &mut St, reading: &mut Reading, out: &Outgoing) -> Step
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        tokio::select! {
            () = self.stop.cancel.cancelled() => ControlFlow::Break(LinkEnd::Cancelled),
            () = self.stop.broken.cancelled() => ControlFlow::Break(LinkEnd::WriteFailed),
            () = silence(reading.seen, self.stop.idle_timeout) => ControlFlow::Break(silent()),
            seq = reading.acks.expired() => send_ack(out, seq),
            read = stream.next() => self.on_read(reading.saw(read), &mut reading.acks, out).await,
        }
    }

    async fn on_read(
        &self,
        read: Option<Result<Message, WsError>>,
        acks: &mut AckBatcher,
        out: &Outgoing,
    ) -> Step {
        match read {
            Some(Ok(Message::Close(frame))) => ControlFlow::Break(LinkEnd::PeerClosed(frame)),
            Some(Ok(message)) => self.on_message(message, acks, out).await,
            Some(Err(error)) => ControlFlow::Break(read_error(&error)),
            None => ControlFlow::Break(LinkEnd::Lost),
        }
    }

    async fn on_message(&self, message: Message, acks: &mut AckBatcher, out: &Outgoing) -> Step {
        match self.mode {
            Mode::V1 => match from_message(&message, &self.limits) {
                Ok(Some(frame)) => self.on_frame(frame, acks, out).await,
                Ok(None) => ControlFlow::Continue(()),
                Err(error) => violation(&error),
            },
            Mode::Legacy => self.on_plain(message).await,
        }
    }

    async fn on_frame(&self, frame: Frame, acks: &mut AckBatcher, out: &Outgoing) -> Step {
        match frame {
            Frame::Data(data) => self.on_data(data, acks, out).await,
            Frame::Ack(seq) => self.on_ack(seq),
            Frame::Error(_) => ControlFlow::Continue(()),
            _ => ControlFlow::Break(LinkEnd::Violation(CloseCode::ProtocolError)),
        }
    }

    async fn on_data(&self, data: Data, acks: &mut AckBatcher, out: &Outgoing) -> Step {
        let accepted = lock(&self.inbound).accept(data.seq);
        match accepted {
            Ok(Delivery::Deliver) => self.deliver(data.payload).await,
            Ok(Delivery::Duplicate) => {}
            Err(error) => return violation(&error),
        }
        acks.record(data.seq).map_or(ControlFlow::Continue(()), |seq| send_ack(out, seq))
    }

    fn on_ack(&self, seq: u64) -> Step {
        match self.outbox.ack(seq) {
            Ok(_) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(LinkEnd::Violation(CloseCode::ProtocolError)),
        }
    }

    async fn on_plain(&self, message: Message) -> Step {
        if let Some(payload) = Payload::from_message(message) {
            self.deliver(payload).await;
        }
        ControlFlow::Continue(())
    }

    /// Hands one message to the application; a receiver that is gone is counted.
    async fn deliver(&self, payload: Payload) {
        let delivered = self.deliver.send((self.session, payload.into_message())).await;
        crate::metrics::delivered(delivered.is_ok());
    }
}

fn send_ack(out: &Outgoing, seq: u64) -> Step {
    let _writer_gone_ends_the_read_too = out.unbounded_send(to_message(&Frame::Ack(seq)));
    ControlFlow::Continue(())
}

fn flush_ack(acks: &mut AckBatcher, out: &Outgoing) {
    if let Some(seq) = acks.flush() {
        let _always_continue = send_ack(out, seq);
    }
}

fn violation(error: &ProtocolError) -> Step {
    crate::metrics::violation(error.kind());
    ControlFlow::Break(LinkEnd::Violation(error.close_code()))
}

fn read_error(error: &WsError) -> LinkEnd {
    match CloseCode::for_ws_error(error) {
        Some(code) => LinkEnd::Violation(code),
        None => LinkEnd::Lost,
    }
}
