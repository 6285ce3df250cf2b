//! The reader side of a [`Link`]: frames in, messages delivered once and in order, acks
//! out in batches, peer acks applied to the outbox. Frames already readable are taken in
//! bursts (see [`Burst`]). It ends with a [`LinkEnd`].

use super::burst::{Burst, Gathered};
use super::deliver::Numbered;
use super::delivery::{Delivery, Waiting};
use super::lazy::Wanted;
use super::{lock, Link, Outgoing};
use crate::protocol::{
    from_message, to_message, AckBatcher, CloseCode, Frame, Mode, ProtocolError,
};
use futures::{FutureExt, Stream, StreamExt};
use std::future::Future;
use std::ops::ControlFlow::{self, Break};
use tokio::task::coop::cooperative;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

mod end;
mod reading;
mod timer;
pub use end::LinkEnd;
use end::{silent, slow_consumer, stopped};
use reading::Reading;
pub(crate) use timer::{Fresh, Kept, StepTimer};

/// What a step of the reader leaves: go on, or the link's end.
pub(super) type Step = ControlFlow<LinkEnd>;

/// One read from the connection.
type Read = Option<Result<Message, WsError>>;

impl Link {
    /// Reads until the connection ends; sends acks through `out`, and starts the outbox's
    /// flusher into `out` when the outbox first has work or the peer first sends data (an
    /// idle link keeps no flusher task); the flusher is stopped before this returns.
    /// Its timer made afresh at each step ([`Fresh`]).
    pub(crate) fn read<'a, St>(
        &'a self,
        stream: &'a mut St,
        out: &'a Outgoing,
    ) -> impl Future<Output = LinkEnd> + 'a
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        self.read_timed::<St, Fresh>(stream, out)
    }

    /// [`read`](Self::read) with the timer `T` ([`StepTimer`]).
    pub(crate) fn read_timed<'a, St, T: StepTimer + 'a>(
        &'a self,
        stream: &'a mut St,
        out: &'a Outgoing,
    ) -> impl Future<Output = LinkEnd> + 'a
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        let last = lock(&self.parts.inbound).last_delivered();
        let reading = Reading::<T>::new(self.acks_after(last));
        self.read_from(stream, out, reading)
    }

    /// [`read`](Self::read)'s loop: steps until one ends the link. `async move` rather than
    /// an `async fn`, which would keep its arguments twice in every idle link's future; a
    /// burst's delivery is awaited after the step's `select!` (awaited in its arm, it
    /// kept room for the select's output in every idle link's future), and nothing of a
    /// step is kept across the flusher's stop (`docs/learnings.md` § 35).
    #[allow(clippy::manual_async_fn)]
    fn read_from<'a, St, T: StepTimer + 'a>(
        &'a self,
        stream: &'a mut St,
        out: &'a Outgoing,
        mut reading: Reading<T>,
    ) -> impl Future<Output = LinkEnd> + 'a
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        async move {
            loop {
                let delivery = self.next(stream, &mut reading, out).await;
                if let Some(end) = self.settle(delivery, &mut reading, out).await {
                    return end;
                }
            }
        }
    }

    /// Hands a step's burst to the application, and if the step ended the link, sends the
    /// ack the schedule still owes and stops the flusher: the link's end, if it ended.
    /// `async move` rather than an `async fn`, which would keep its arguments twice.
    #[allow(clippy::manual_async_fn)]
    fn settle<'a, T: StepTimer>(
        &'a self,
        delivery: Delivery,
        reading: &'a mut Reading<T>,
        out: &'a Outgoing,
    ) -> impl Future<Output = Option<LinkEnd>> + 'a {
        async move {
            let Break(end) = delivery.step(&self.parts).await else {
                return None;
            };
            self.flush_ack(&mut reading.acks, out);
            std::mem::take(&mut reading.flusher).stop().await;
            Some(end)
        }
    }

    /// The timer came: the link is dead if the peer was silent past the idle timeout, else
    /// the time-based ack (or the keepalive) is due.
    fn on_timer<T: StepTimer>(&self, reading: &mut Reading<T>, out: &Outgoing) -> Step {
        let now = Instant::now();
        if reading.silent_at(self.stop.idle_timeout).is_some_and(|silent| silent <= now) {
            return ControlFlow::Break(silent());
        }
        let due = reading.acks.poll_expired(now);
        due.into_iter().for_each(|seq| queue_ack(out, self.ackable(seq)));
        ControlFlow::Continue(())
    }

    /// Starts the flusher (the outbox has work), or closes a peer overdue with its acks.
    fn on_wanted<T: StepTimer>(
        &self,
        wanted: Wanted,
        reading: &mut Reading<T>,
        out: &Outgoing,
    ) -> Step {
        match wanted {
            Wanted::Flusher => reading.flusher.start(self, out),
            Wanted::Overdue => return ControlFlow::Break(slow_consumer()),
        }
        ControlFlow::Continue(())
    }

    /// Sends the ack the schedule still owes, as much of it as the link may.
    fn flush_ack(&self, acks: &mut AckBatcher, out: &Outgoing) {
        if let Some(seq) = acks.flush() {
            queue_ack(out, self.ackable(seq));
        }
    }

    /// The reader's next step: what comes first of a stop, its timer, the outbox's wants
    /// and a read. A burst's first read costs a unit of the task's coop budget (a burst
    /// delivered at once costs none otherwise), as the delivery's semaphore did before:
    /// a reader that keeps finding frames and room yields now and then, and the writer
    /// sends the acks it queued (§ 31 of `docs/learnings.md`). `async move` rather than an
    /// `async fn`, which would keep its arguments twice in every idle link's future
    /// (rust-lang/rust#62958).
    #[allow(clippy::manual_async_fn)]
    fn next<'a, St, T: StepTimer + 'a>(
        &'a self,
        stream: &'a mut St,
        reading: &'a mut Reading<T>,
        out: &'a Outgoing,
    ) -> impl Future<Output = Delivery> + 'a
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        async move {
            tokio::select! {
                () = self.stop.cancel.cancelled() => Delivery::Done(ControlFlow::Break(stopped(out))),
                () = T::wait(reading.next_timer(self.stop.idle_timeout), &mut reading.timer) => Delivery::Done(self.on_timer(reading, out)),
                wanted = reading.flusher.wanted(&self.parts.outbox) => Delivery::Done(self.on_wanted(wanted, reading, out)),
                read = cooperative(stream.next()) => self.on_burst(read, stream, reading, out),
            }
        }
    }

    /// Takes `first` and every frame already readable (up to one delivery batch) in one go:
    /// one lock of the receive state, one delivery, at most one ack
    /// ([`deliver_and_ack`](Self::deliver_and_ack)).
    fn on_burst<St, T: StepTimer>(
        &self,
        first: Read,
        stream: &mut St,
        reading: &mut Reading<T>,
        out: &Outgoing,
    ) -> Delivery
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        let first = reading.saw(first);
        let gathered = self.gather(first, stream, &mut reading.acks);
        if !gathered.delivered.messages.is_empty() {
            reading.flusher.start(self, out); // delivering may wait: the flusher must not
        }
        self.deliver_and_ack(gathered, out)
    }

    /// Hands the burst to the application and queues its ack. Of the two tasks that wakes,
    /// the one woken last is the one a tokio worker runs next (its LIFO slot); the other
    /// waits behind every task already queued. A burst that stopped at its limit says a
    /// backlog (the reader, or the peer's outbox, is behind), where the peer's window
    /// fills: the ack's writer is woken last, so the window reopens before the queue is
    /// worked off. Otherwise the application is: a burst's wait is all its messages'
    /// latency (`docs/learnings.md` § 44). The messages the ack confirms are accepted
    /// whatever the delivery does (they wait in the link if the application has no room).
    fn deliver_and_ack(&self, mut gathered: Gathered, out: &Outgoing) -> Delivery {
        let ack = gathered.ack.take().map(|seq| self.ackable(seq));
        let behind = gathered.full;
        ack.filter(|_| !behind).into_iter().for_each(|seq| queue_ack(out, seq));
        let delivery = self.deliver(gathered);
        ack.filter(|_| behind).into_iter().for_each(|seq| queue_ack(out, seq));
        delivery
    }

    fn gather<St>(&self, first: Read, stream: &mut St, acks: &mut AckBatcher) -> Gathered
    where
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        let mut burst = self.burst(acks);
        let mut step = self.on_read(first, &mut burst);
        while step.is_continue() && burst.has_room() {
            let Some(read) = stream.next().now_or_never() else { break };
            step = self.on_read(read, &mut burst);
        }
        burst.finish(step)
    }

    /// A burst with the receive state locked, its window counted from what was acked.
    fn burst<'a>(&'a self, acks: &'a mut AckBatcher) -> Burst<'a> {
        let limit = self.parts.deliver.batch_limit();
        let burst = Burst::new(lock(&self.parts.inbound), acks, limit, self.stop.window);
        burst.gated(|sent| self.ackable(sent))
    }

    fn on_read(&self, read: Read, burst: &mut Burst<'_>) -> Step {
        burst.reads += 1;
        match read {
            Some(Ok(Message::Close(frame))) => ControlFlow::Break(LinkEnd::PeerClosed(frame)),
            Some(Ok(message)) => self.on_message(message, burst),
            Some(Err(error)) => ControlFlow::Break(read_error(&error)),
            None => ControlFlow::Break(LinkEnd::Lost),
        }
    }

    fn on_message(&self, message: Message, burst: &mut Burst<'_>) -> Step {
        match self.framing.mode {
            Mode::V1 => match from_message(&message, &self.limits) {
                Ok(Some(frame)) => self.on_frame(frame, burst),
                Ok(None) => ControlFlow::Continue(()),
                Err(error) => violation(&error),
            },
            Mode::Legacy => burst.plain(message),
        }
    }

    fn on_frame(&self, frame: Frame, burst: &mut Burst<'_>) -> Step {
        match frame {
            Frame::Data(data) => burst.data(data),
            Frame::Batch(batch) => batch.into_data().try_for_each(|data| burst.data(data)),
            Frame::Ack(seq) => self.on_ack(seq),
            Frame::Error(_) => ControlFlow::Continue(()),
            _ => ControlFlow::Break(LinkEnd::Violation(CloseCode::ProtocolError)),
        }
    }

    fn on_ack(&self, seq: u64) -> Step {
        match self.parts.outbox.ack(seq) {
            Ok(_) => {
                self.parts.write_ahead.iter().for_each(|write_ahead| write_ahead.acked(seq));
                ControlFlow::Continue(())
            }
            Err(_) => ControlFlow::Break(LinkEnd::Violation(CloseCode::ProtocolError)),
        }
    }

    /// Hands a burst's messages to the application if it has room for them now (a
    /// receiver that is gone is counted); else they wait, with how the link goes on.
    fn deliver(&self, gathered: Gathered) -> Delivery {
        let count = gathered.delivered.messages.len();
        if count == 0 {
            return Delivery::Done(gathered.step);
        }
        let write_ahead = self.parts.write_ahead.clone();
        let numbered = Numbered { write_ahead, ..gathered.delivered };
        Waiting { numbered, count, step: gathered.step }.try_deliver(&self.parts)
    }
}

fn queue_ack(out: &Outgoing, seq: u64) {
    let _writer_gone_ends_the_read_too = out.unbounded_send(to_message(&Frame::Ack(seq)));
}

pub(super) fn violation(error: &ProtocolError) -> Step {
    crate::metrics::violation(error.kind());
    ControlFlow::Break(LinkEnd::Violation(error.close_code()))
}

fn read_error(error: &WsError) -> LinkEnd {
    match CloseCode::for_ws_error(error) {
        Some(code) => LinkEnd::Violation(code),
        None => LinkEnd::Lost,
    }
}

#[cfg(test)]
mod tests;
