//! What a batched push queued, and the message it refused if the outbox filled up.

use crate::error::OutboxError;
use std::ops::Range;

/// The result of [`Outbox::push_many`](crate::Outbox::push_many): the sequence numbers given,
/// and the first message a full outbox refused, if one was.
#[derive(Debug)]
#[must_use = "a refused message is handed back in `refused`"]
pub struct Pushed<M> {
    /// The sequence numbers given, in push order (empty if nothing was queued).
    pub seqs: Range<u64>,
    /// The first message refused by a full outbox, handed back; the messages after it were
    /// not taken from the iterator.
    pub refused: Option<OutboxError<M>>,
}

impl<M> Pushed<M> {
    /// How many messages were queued.
    pub fn len(&self) -> usize {
        usize::try_from(self.seqs.end - self.seqs.start).unwrap_or(usize::MAX)
    }

    /// Whether nothing was queued.
    pub fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    /// The sequence numbers if every message was queued, else the refusal.
    pub fn into_result(self) -> Result<Range<u64>, OutboxError<M>> {
        match self.refused {
            Some(error) => Err(error),
            None => Ok(self.seqs),
        }
    }
}
