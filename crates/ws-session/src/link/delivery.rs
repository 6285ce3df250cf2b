//! What a burst the reader took becomes: delivered at once when the application has room,
//! or waiting for it. Only the waiting one keeps state across an `await`, boxed, so the
//! reader's future, which every idle link holds, has no room for a delivery in it
//! (`docs/learnings.md` § 27).

use super::deliver::Numbered;
use super::reader::Step;
use super::SessionParts;
use std::future::Future;

/// A burst read: delivered (or with nothing to deliver), or waiting for the application's
/// room.
pub(super) enum Delivery {
    /// Delivered: how the link goes on.
    Done(Step),
    /// Waiting for room.
    Waiting(Waiting),
}

impl Delivery {
    /// How the link goes on once the burst is delivered: at once, or after a wait for room
    /// (boxed: its state exists only while the application is behind). `async move`: an
    /// `async fn` would keep its argument twice.
    #[allow(clippy::manual_async_fn)]
    pub(super) fn step(self, parts: &SessionParts) -> impl Future<Output = Step> + '_ {
        async move {
            match self {
                Delivery::Done(step) => step,
                Delivery::Waiting(waiting) => Box::pin(waiting.deliver(parts)).await,
            }
        }
    }
}

/// A burst's messages waiting for the application's room, and how the link goes on.
pub(super) struct Waiting {
    pub(super) numbered: Numbered,
    pub(super) count: usize,
    pub(super) step: Step,
}

impl Waiting {
    /// Hands the messages over once there is room; a receiver that is gone is counted.
    async fn deliver(self, parts: &SessionParts) -> Step {
        let sent = parts.deliver.send(parts.session, self.numbered).await;
        crate::metrics::delivered(sent, self.count);
        self.step
    }

    /// Hands the messages over if there is room now, else they go on waiting.
    pub(super) fn try_deliver(self, parts: &SessionParts) -> Delivery {
        let Waiting { numbered, count, step } = self;
        match parts.deliver.try_send(parts.session, numbered) {
            Ok(sent) => {
                crate::metrics::delivered(sent, count);
                Delivery::Done(step)
            }
            Err(numbered) => Delivery::Waiting(Waiting { numbered, count, step }),
        }
    }
}
