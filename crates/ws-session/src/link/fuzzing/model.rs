//! [`Model`]: what a link's reader must do with a sequence of messages, stated from
//! `docs/protocol.md` § 5 (in order, once, a gap is 1002) and § 6 (an ack after K frames,
//! duplicates and BATCH entries included; DATA past the last ack sent plus the window is
//! 4001), with the reader's bursts (one ack and one delivery per burst), independently of
//! `InOrder`, `AckBatcher` and `Burst`.

use super::{Input, Outcome};
use crate::protocol::{from_message, CloseCode, Frame, Limits, Payload};
use std::ops::ControlFlow;
use tokio_tungstenite::tungstenite::Message;

/// A step: go on, or close with a code.
type Step = ControlFlow<CloseCode>;

/// The reader's state in the model.
pub(super) struct Model {
    limits: Limits,
    window: Option<u64>,
    /// The burst limit: reads and messages per burst.
    limit: usize,
    /// K: an ack after this many DATA frames.
    every: u64,
    numbers: Numbers,
    burst: Burst,
    outcome: Outcome,
}

/// The sequence numbers the model tracks.
struct Numbers {
    /// The last number delivered.
    last: u64,
    /// The highest number received (what an ack carries).
    received: u64,
    /// Frames received since the last ack.
    pending: u64,
    /// The last ack taken (sent at the end of its burst).
    acked: u64,
}

impl Numbers {
    /// Everything up to `start` delivered and acked (before this connection).
    fn starting_at(start: u64) -> Self {
        Numbers { last: start, received: start, pending: 0, acked: start }
    }
}

/// The burst being read.
#[derive(Default)]
struct Burst {
    reads: usize,
    messages: usize,
    /// The ack that came due in this burst, sent after it.
    due: Option<u64>,
    /// The last ack the peer can have seen: the one taken before this burst.
    sent: u64,
}

impl Model {
    pub(super) fn new(input: &Input) -> Self {
        let every = (input.limits.max_unacked / 4).clamp(1, 256);
        let limit = input.buffer.clamp(1, super::super::deliver::MAX_BATCH);
        let numbers = Numbers::starting_at(input.start);
        let burst = Burst { sent: input.start, ..Burst::default() };
        let outcome = Outcome::default();
        let window = input.window;
        Model { limits: input.limits, window, limit, every, numbers, burst, outcome }
    }

    /// Reads every message until one ends the link; the outcome.
    pub(super) fn run(mut self, messages: &[Message]) -> Outcome {
        let end = messages.iter().try_for_each(|message| self.read(message));
        self.end(end.break_value())
    }

    fn read(&mut self, message: &Message) -> Step {
        self.count_read();
        match from_message(message, &self.limits) {
            Ok(Some(frame)) => self.frame(frame),
            Ok(None) => ControlFlow::Continue(()),
            Err(error) => ControlFlow::Break(error.close_code()),
        }
    }

    /// A read in this burst, or the first of the next when this one is full.
    fn count_read(&mut self) {
        if self.burst.reads > 0 && !self.has_room() {
            self.close_burst();
        }
        self.burst.reads += 1;
    }

    fn has_room(&self) -> bool {
        self.burst.reads < self.limit && self.burst.messages < self.limit
    }

    fn frame(&mut self, frame: Frame) -> Step {
        match frame {
            Frame::Data(data) => self.data(data.seq, data.payload),
            Frame::Batch(batch) => self.entries(batch.first, batch.payloads),
            Frame::Ack(0) | Frame::Error(_) => ControlFlow::Continue(()),
            _ => ControlFlow::Break(CloseCode::ProtocolError), // an ACK of nothing sent too
        }
    }

    fn entries(&mut self, first: u64, payloads: Vec<Payload>) -> Step {
        let mut seq = first;
        for payload in payloads {
            self.data(seq, payload)?;
            seq = seq.saturating_add(1);
        }
        ControlFlow::Continue(())
    }

    fn data(&mut self, seq: u64, payload: Payload) -> Step {
        if self.window.is_some_and(|window| seq > self.burst.sent.saturating_add(window)) {
            return ControlFlow::Break(CloseCode::UnackedLimit);
        }
        if seq > self.numbers.last && seq - self.numbers.last > 1 {
            return ControlFlow::Break(CloseCode::ProtocolError);
        }
        self.deliver_if_next(seq, payload);
        self.record(seq)
    }

    fn deliver_if_next(&mut self, seq: u64, payload: Payload) {
        if seq > self.numbers.last {
            self.numbers.last = seq;
            self.outcome.delivered.push(payload.into_message());
            self.burst.messages += 1;
        }
    }

    fn record(&mut self, seq: u64) -> Step {
        self.numbers.received = self.numbers.received.max(seq);
        self.numbers.pending += 1;
        if self.numbers.pending >= self.every {
            self.burst.due = Some(self.take());
        }
        ControlFlow::Continue(())
    }

    fn take(&mut self) -> u64 {
        self.numbers.pending = 0;
        self.numbers.acked = self.numbers.received;
        self.numbers.acked
    }

    fn close_burst(&mut self) {
        self.outcome.acks.extend(self.burst.due.take());
        self.burst = Burst { sent: self.numbers.acked, ..Burst::default() };
    }

    fn end(mut self, code: Option<CloseCode>) -> Outcome {
        self.close_burst();
        if self.numbers.pending > 0 {
            let ack = self.take();
            self.outcome.acks.push(ack);
        }
        Outcome { end: code, ..self.outcome }
    }
}
