//! [`Burst`]: the frames a reader takes in one go, with the receive state locked once for
//! all of them: what to deliver to the application, and the ack to send after it.

use super::deliver::Numbered;
use super::reader::{violation, LinkEnd, Step};
use crate::protocol::{AckBatcher, CloseCode, Data, Delivery, InOrder, Payload};
use std::ops::ControlFlow;
use std::sync::MutexGuard;
use tokio_tungstenite::tungstenite::Message;

/// What a burst produced.
pub(super) struct Gathered {
    /// The messages to deliver, in order, numbered.
    pub(super) delivered: Numbered,
    /// The cumulative ack that came due while reading it (the highest, which confirms
    /// every earlier one).
    pub(super) ack: Option<u64>,
    /// Whether the link goes on.
    pub(super) step: Step,
    /// Whether the burst stopped at its limit rather than when no frame was readable: a
    /// whole delivery batch was waiting, so the reader, or its peer's outbox, is behind
    /// (see `Link::deliver_and_ack`).
    pub(super) full: bool,
}

/// One burst being read.
pub(super) struct Burst<'a> {
    inbound: MutexGuard<'a, InOrder>,
    acks: &'a mut AckBatcher,
    delivered: Numbered,
    ack: Option<u64>,
    /// Reads taken so far (every frame counts, so a flood of pings ends a burst too).
    pub(super) reads: usize,
    limit: usize,
    /// The receive window enforced ([`NO_WINDOW`](super::NO_WINDOW) for none): DATA past
    /// the last ack sent plus this many is refused with 4001 (`docs/protocol.md` § 6).
    window: u64,
    /// The last ack the peer can have seen: the one sent before this burst (an ack that
    /// comes due while reading goes out after it).
    sent: u64,
}

impl<'a> Burst<'a> {
    /// A burst of at most `limit` reads, enforcing `window`.
    pub(super) fn new(
        inbound: MutexGuard<'a, InOrder>,
        acks: &'a mut AckBatcher,
        limit: usize,
        window: u64,
    ) -> Self {
        let messages = Vec::with_capacity(limit.min(64));
        let delivered = Numbered { messages, ..Numbered::default() };
        let sent = acks.last_acked();
        Burst { inbound, acks, delivered, ack: None, reads: 0, limit, window, sent }
    }

    /// The same, its window counted from no more than the link may have acked (`ackable`
    /// of the last ack due: a session kept in a store acks only what is recorded).
    pub(super) fn gated(mut self, ackable: impl Fn(u64) -> u64) -> Self {
        self.sent = ackable(self.sent);
        self
    }

    /// Whether another read fits: fewer reads and fewer messages than the limit (a BATCH
    /// frame brings many messages in one read).
    pub(super) fn has_room(&self) -> bool {
        self.reads < self.limit && self.delivered.messages.len() < self.limit
    }

    /// A DATA frame (or BATCH entry): a violation (4001) past the window, else accepted.
    pub(super) fn data(&mut self, data: Data) -> Step {
        if data.seq > self.sent.saturating_add(self.window) {
            return window_overrun();
        }
        self.accept(data)
    }

    /// Delivered if it is the next in order, dropped if a duplicate, a violation if it
    /// leaves a gap; recorded for the ack schedule either way.
    fn accept(&mut self, data: Data) -> Step {
        match self.inbound.accept(data.seq) {
            Ok(Delivery::Deliver) => self.delivered.push(data.seq, data.payload.into_message()),
            Ok(Delivery::Duplicate) => {}
            Err(error) => return violation(&error),
        }
        self.ack = self.acks.record(data.seq).or(self.ack);
        ControlFlow::Continue(())
    }

    /// A legacy peer's plain message: delivered as it is when it carries data, numbered
    /// in arrival order.
    pub(super) fn plain(&mut self, message: Message) -> Step {
        if let Some(payload) = Payload::from_message(message) {
            let seq = self.inbound.last_delivered() + 1;
            let _next_is_delivered = self.inbound.accept(seq);
            self.delivered.push(seq, payload.into_message());
        }
        ControlFlow::Continue(())
    }

    /// The burst's outcome; the receive state is unlocked.
    pub(super) fn finish(self, step: Step) -> Gathered {
        let full = !self.has_room();
        Gathered { delivered: self.delivered, ack: self.ack, step, full }
    }
}

/// A peer that sent past the window: counted, closed with 4001.
fn window_overrun() -> Step {
    crate::metrics::violation("window");
    ControlFlow::Break(LinkEnd::Violation(CloseCode::UnackedLimit))
}

#[cfg(test)]
mod tests;
