//! [`InOrder`]: the receiver side of a sequenced stream. It delivers each sequence number
//! once and in order, drops duplicates, and reports a gap as an error.

use super::error::ProtocolError;
use std::cmp::Ordering;

/// What the receiver does with an incoming DATA frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Delivery {
    /// The next message in order: hand it to the application.
    Deliver,
    /// Already delivered (a resend after a resume): drop it, but still ack.
    Duplicate,
}

/// Tracks the last sequence number delivered to the application in one direction.
///
/// Accepts `seq == last + 1`, drops `seq <= last` as a duplicate (counted in
/// `ws_protocol_duplicates_dropped_total`), and refuses `seq > last + 1` with
/// [`ProtocolError::Gap`] (counted in `ws_protocol_sequence_gaps_total`): a gap means the
/// sender skipped messages, which wsr.v1 never does, so the connection is closed with 1002.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InOrder {
    last: u64,
}

impl InOrder {
    /// A tracker that has delivered nothing: it expects sequence number 1 (the one after
    /// [`ws_core::sequence::origin`], in a simulated run that moved it).
    pub fn new() -> Self {
        Self { last: ws_core::sequence::origin() }
    }

    /// A tracker that has delivered everything up to `last_delivered` (after a resume).
    pub fn resuming_after(last_delivered: u64) -> Self {
        Self { last: last_delivered }
    }

    /// The last sequence number delivered (0 for none): what a resuming HELLO carries.
    pub fn last_delivered(&self) -> u64 {
        self.last
    }

    /// Decides what to do with the DATA frame numbered `seq`.
    ///
    /// After `u64::MAX` nothing is next: every number is a duplicate.
    pub fn accept(&mut self, seq: u64) -> Result<Delivery, ProtocolError> {
        match self.last.checked_add(1).map(|next| seq.cmp(&next)) {
            Some(Ordering::Equal) => Ok(self.deliver(seq)),
            Some(Ordering::Greater) => Err(self.gap(seq)),
            Some(Ordering::Less) | None => Ok(Self::duplicate()),
        }
    }

    fn deliver(&mut self, seq: u64) -> Delivery {
        self.last = seq;
        Delivery::Deliver
    }

    fn duplicate() -> Delivery {
        metrics::counter!("ws_protocol_duplicates_dropped_total").increment(1);
        Delivery::Duplicate
    }

    fn gap(&self, received: u64) -> ProtocolError {
        metrics::counter!("ws_protocol_sequence_gaps_total").increment(1);
        ProtocolError::Gap { expected: self.last.saturating_add(1), received }
    }
}

#[cfg(test)]
mod tests;
