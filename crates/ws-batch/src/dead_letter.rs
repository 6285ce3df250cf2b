//! Dead letters: messages out of attempts, handed to a channel or a callback, never dropped.

use crate::error::SendFailure;
use std::fmt;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A message that used up its attempts, with what is known about its failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter<M> {
    /// The sequence number given at push time.
    pub seq: u64,
    /// The message itself, handed back.
    pub message: M,
    /// How many attempts failed.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: SendFailure,
}

type Callback<M> = Arc<dyn Fn(DeadLetter<M>) + Send + Sync>;

/// Where dead letters go: an unbounded channel (never blocks the outbox) or a callback.
pub enum DeadLetterHandler<M> {
    /// Sent on a channel; when its receiver is gone, `ws_batch_dead_letters_undelivered_total`
    /// counts each one that could not be handed over.
    Channel(mpsc::UnboundedSender<DeadLetter<M>>),
    /// Called with each dead letter, outside the outbox's lock (it may push again).
    Callback(Callback<M>),
}

impl<M> DeadLetterHandler<M> {
    /// A channel handler and the receiver that gets the dead letters.
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<DeadLetter<M>>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (DeadLetterHandler::Channel(sender), receiver)
    }

    /// A callback handler.
    pub fn callback(callback: impl Fn(DeadLetter<M>) + Send + Sync + 'static) -> Self {
        DeadLetterHandler::Callback(Arc::new(callback))
    }

    /// Hands one dead letter over; `false` when nobody could take it.
    pub(crate) fn deliver(&self, letter: DeadLetter<M>) -> bool {
        match self {
            DeadLetterHandler::Channel(sender) => sender.send(letter).is_ok(),
            DeadLetterHandler::Callback(callback) => {
                callback(letter);
                true
            }
        }
    }
}

impl<M> fmt::Debug for DeadLetterHandler<M> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeadLetterHandler::Channel(_) => formatter.write_str("DeadLetterHandler::Channel"),
            DeadLetterHandler::Callback(_) => formatter.write_str("DeadLetterHandler::Callback"),
        }
    }
}
