//! [`Burst`]: the frames a reader takes in one go, with the receive state locked once for
//! all of them: what to deliver to the application, and the ack to send after it.

use super::reader::{violation, Step};
use crate::protocol::{AckBatcher, Data, Delivery, InOrder, Payload};
use std::ops::ControlFlow;
use std::sync::MutexGuard;
use tokio_tungstenite::tungstenite::Message;

/// What a burst produced: the messages to deliver in order, the cumulative ack that came
/// due while reading it (the highest, which confirms every earlier one), and whether the
/// link goes on.
pub(super) type Gathered = (Vec<Message>, Option<u64>, Step);

/// One burst being read.
pub(super) struct Burst<'a> {
    inbound: MutexGuard<'a, InOrder>,
    acks: &'a mut AckBatcher,
    messages: Vec<Message>,
    ack: Option<u64>,
    /// Reads taken so far (every frame counts, so a flood of pings ends a burst too).
    pub(super) reads: usize,
    limit: usize,
}

impl<'a> Burst<'a> {
    /// A burst of at most `limit` reads.
    pub(super) fn new(
        inbound: MutexGuard<'a, InOrder>,
        acks: &'a mut AckBatcher,
        limit: usize,
    ) -> Self {
        let messages = Vec::with_capacity(limit.min(64));
        Burst { inbound, acks, messages, ack: None, reads: 0, limit }
    }

    /// Whether another read fits: fewer reads and fewer messages than the limit (a BATCH
    /// frame brings many messages in one read).
    pub(super) fn has_room(&self) -> bool {
        self.reads < self.limit && self.messages.len() < self.limit
    }

    /// A DATA frame: delivered if it is the next in order, dropped if a duplicate, a
    /// violation if it leaves a gap; recorded for the ack schedule either way.
    pub(super) fn data(&mut self, data: Data) -> Step {
        match self.inbound.accept(data.seq) {
            Ok(Delivery::Deliver) => self.messages.push(data.payload.into_message()),
            Ok(Delivery::Duplicate) => {}
            Err(error) => return violation(&error),
        }
        self.ack = self.acks.record(data.seq).or(self.ack);
        ControlFlow::Continue(())
    }

    /// A legacy peer's plain message: delivered as it is when it carries data.
    pub(super) fn plain(&mut self, message: Message) -> Step {
        if let Some(payload) = Payload::from_message(message) {
            self.messages.push(payload.into_message());
        }
        ControlFlow::Continue(())
    }

    /// The burst's outcome; the receive state is unlocked.
    pub(super) fn finish(self, step: Step) -> Gathered {
        (self.messages, self.ack, step)
    }
}

#[cfg(test)]
mod tests;
