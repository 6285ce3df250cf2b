//! The flusher of a link's outbox, started when the outbox first has work (a push, a
//! message left from an earlier connection) or the peer first sends data: an idle link
//! keeps no flusher task, only its reader waiting for that work (`docs/learnings.md` § 16).

use super::{Link, Outgoing, Stored};
use futures::future::{Either, FutureExt};
use std::future::Future;
use ws_batch::{Flusher, Outbox};

/// What the outbox wants of a link's reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wanted {
    /// It has work: start the flusher.
    Flusher,
    /// The peer left a message unacked past the ack timeout.
    Overdue,
}

/// A link's flusher once started; until then, nothing.
#[derive(Debug, Default)]
pub(super) struct LazyFlusher {
    running: Option<Flusher<Outgoing>>,
}

impl LazyFlusher {
    /// What `outbox` wants of the reader next: while no flusher runs, completes when the
    /// outbox has work; once one runs, when the peer is overdue with its acks. One wait
    /// where there were two (`docs/learnings.md` § 27): only a flush finds a peer overdue
    /// (and a resume's requeue clears it), so without a flusher there is none to wait for.
    /// A plain future, not an `async fn`, which would keep its arguments beside the wait in
    /// every idle link's future.
    pub(super) fn wanted<'a>(
        &self,
        outbox: &'a Outbox<Stored>,
    ) -> impl Future<Output = Wanted> + 'a {
        if self.running.is_some() {
            Either::Left(outbox.ack_overdue().map(|()| Wanted::Overdue))
        } else {
            Either::Right(outbox.until_due().map(|()| Wanted::Flusher))
        }
    }

    /// Starts the flusher of `link`'s outbox into `out`, unless it runs already.
    pub(super) fn start(&mut self, link: &Link, out: &Outgoing) {
        if self.running.is_none() {
            self.running = Some(link.spawn_flusher(out));
        }
    }

    /// Stops the flusher, if it was started, after the flush in progress.
    pub(super) async fn stop(self) {
        if let Some(flusher) = self.running {
            drop(flusher.stop().await); // its sink is a sender of the writer
        }
    }
}

#[cfg(test)]
mod tests;
