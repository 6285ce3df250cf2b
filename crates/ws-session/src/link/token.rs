//! [`LinkToken`]: what stops one running link (a resume on another connection, a shutdown,
//! a failed write), as a mark in state its session already holds instead of an allocation
//! per connection.
//!
//! A session runs at most one link at a time, its links numbered by a generation. A token
//! is a handle on the session's [`StopMark`] and its link's generation: the link is stopped
//! once the mark's `through` reaches its generation. A server's session keeps the mark
//! under a lock it has anyway ([`Stops`]); a link of its own (a client's, a test's) takes a
//! small one ([`LinkToken::new`]). A `tokio_util` `CancellationToken` was 112 bytes of heap
//! per connection, and its wait 72 bytes in every idle link's future
//! (`docs/learnings.md` § 38).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll, Waker};

/// The stop state of one session's links: the current generation, every link up to
/// `through` stopped, and the waker of the running link's reader.
#[derive(Debug, Default)]
pub struct StopMark {
    generation: u32,
    through: u32,
    waker: Option<Waker>,
}

impl StopMark {
    /// Starts the next link: the running one (if any) is stopped. Returns the new link's
    /// generation and the waker to wake (outside any lock).
    pub fn next_link(&mut self) -> (u32, Option<Waker>) {
        let previous = self.generation;
        let waker = self.stop(previous);
        self.generation = previous.saturating_add(1);
        (self.generation, waker)
    }

    /// The generation of the latest link.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Stops link `generation` and every earlier one; the waker to wake, if that stopped
    /// the running link. `u32::MAX` stops every link to come as well.
    pub fn stop(&mut self, generation: u32) -> Option<Waker> {
        let stops_running = generation >= self.generation && self.through < self.generation;
        self.through = self.through.max(generation);
        stops_running.then(|| self.waker.take()).flatten()
    }

    /// Whether link `generation` is stopped.
    pub fn is_stopped(&self, generation: u32) -> bool {
        generation <= self.through
    }

    /// Whether link `generation` is stopped; if not, `waker` is woken when it is.
    pub fn poll_stopped(&mut self, generation: u32, waker: &Waker) -> bool {
        let stopped = self.is_stopped(generation);
        let known = self.waker.as_ref().is_some_and(|current| current.will_wake(waker));
        if !stopped && !known && generation == self.generation {
            self.waker = Some(waker.clone());
        }
        stopped
    }
}

/// Where a session keeps its [`StopMark`]: the server's session state, or a lone mark.
pub trait Stops: Send + Sync + fmt::Debug {
    /// Runs `change` on the mark under its lock (once).
    fn with_mark(&self, change: &mut dyn FnMut(&mut StopMark));
}

/// A mark of its own, for a link that no session state holds.
#[derive(Debug, Default)]
struct Alone(Mutex<StopMark>);

impl Stops for Alone {
    fn with_mark(&self, change: &mut dyn FnMut(&mut StopMark)) {
        change(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// Stops one link: cloned by its writer (a failed write) and its session (a resume, a
/// shutdown); its reader waits on [`LinkToken::cancelled`].
#[derive(Debug, Clone)]
pub struct LinkToken {
    stops: Arc<dyn Stops>,
    generation: u32,
}

impl LinkToken {
    /// A token with a mark of its own: a link that no session state holds.
    pub fn new() -> Self {
        let mut mark = StopMark::default();
        let (generation, _no_link_ran_before) = mark.next_link();
        LinkToken { stops: Arc::new(Alone(Mutex::new(mark))), generation }
    }

    /// The token of link `generation` of the session whose mark `stops` holds.
    pub fn of(stops: Arc<dyn Stops>, generation: u32) -> Self {
        LinkToken { stops, generation }
    }

    /// Stops the link (and wakes its reader).
    pub fn cancel(&self) {
        let generation = self.generation;
        let waker: Option<Waker> = self.mark(|mark| mark.stop(generation));
        waker.into_iter().for_each(Waker::wake);
    }

    /// Whether the link is stopped.
    pub fn is_cancelled(&self) -> bool {
        let generation = self.generation;
        self.mark(|mark| mark.is_stopped(generation))
    }

    /// Resolves once the link is stopped.
    pub fn cancelled(&self) -> Cancelled<'_> {
        Cancelled { token: self }
    }

    /// What stops every link of this token's session, without keeping the session alive
    /// (a session's store state holds it: a strong one would be a cycle).
    pub fn every_link(&self) -> EveryLink {
        EveryLink(Arc::downgrade(&self.stops))
    }

    /// `read` of the mark, under its lock.
    fn mark<T: Default>(&self, mut read: impl FnMut(&mut StopMark) -> T) -> T {
        let mut result = T::default();
        self.stops.with_mark(&mut |mark| result = read(mark));
        result
    }
}

impl Default for LinkToken {
    fn default() -> Self {
        LinkToken::new()
    }
}

/// Stops every link of one session, now and to come, while the session lives
/// ([`LinkToken::every_link`]).
#[derive(Debug, Clone)]
pub struct EveryLink(Weak<dyn Stops>);

impl EveryLink {
    /// Stops the running link (and wakes its reader) and every later one.
    pub fn stop(&self) {
        let Some(stops) = self.0.upgrade() else { return };
        let mut running = None;
        stops.with_mark(&mut |mark| running = mark.stop(u32::MAX));
        running.into_iter().for_each(Waker::wake);
    }
}

/// The future of [`LinkToken::cancelled`]: a reference, no state of its own.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Cancelled<'a> {
    token: &'a LinkToken,
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let generation = self.token.generation;
        let stopped = self.token.mark(|mark| mark.poll_stopped(generation, cx.waker()));
        if stopped {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests;
