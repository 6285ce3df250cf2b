//! The flusher of a link's outbox, started when the outbox first has work (a push, a
//! message left from an earlier connection) or the peer first sends data: an idle link
//! keeps no flusher task, only its reader waiting for that work (`docs/learnings.md` § 16).

use super::{Link, Outgoing, Stored};
use ws_batch::{Flusher, Outbox};

/// A link's flusher once started; until then, nothing.
#[derive(Debug, Default)]
pub(super) struct LazyFlusher {
    running: Option<Flusher<Outgoing>>,
}

impl LazyFlusher {
    /// Completes when `outbox` has work while no flusher runs; never once one runs.
    pub(super) async fn needed(&self, outbox: &Outbox<Stored>) {
        match self.running {
            None => outbox.until_due().await,
            Some(_) => std::future::pending().await,
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
