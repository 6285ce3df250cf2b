//! [`DurableSession`]: what a stored session has noted and not yet written, what the
//! store committed, and who waits for it.

use super::convert::Entries;
use super::Journal;
use crate::session_link::{lock, Stored};
use attached::Attached;
use marks::Marks;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use ws_batch::Outbox;
use ws_store::{Changes, Deadlines, Lease, Refusal, SessionWrite, Tokens};

mod attached;
mod marks;
mod notes;
mod posts;

pub(crate) use notes::Notes;

/// Noted changes: `noted` rises as they happen, `written` once committed.
#[derive(Debug, Default)]
struct Pending {
    noted: Marks,
    written: Marks,
    tokens: Option<Tokens>,
    /// The token state last noted (or the store's at the start): noting it again is no
    /// change, and nothing to wait for.
    last_tokens: Option<Tokens>,
    deadlines: Option<Deadlines>,
}

impl Pending {
    /// Notes `tokens` unless they are the last noted; the version that holds them.
    fn note_tokens(&mut self, tokens: Tokens) -> u64 {
        if self.last_tokens.as_ref() != Some(&tokens) {
            self.last_tokens = Some(tokens.clone());
            self.tokens = Some(tokens);
            self.noted.tokens += 1;
        }
        self.noted.tokens
    }
}

/// A session's write-ahead state (`ServerConfig::sessions.store`).
#[derive(Debug)]
pub(crate) struct DurableSession {
    lease: Lease,
    pending: Mutex<Pending>,
    /// Whether the session waits in the journal's queue already.
    queued: AtomicBool,
    journal: Journal,
    outbox: Outbox<Stored>,
    /// What the store committed: the waits for durable sends and token rotations, and
    /// the most the server may ACK, read it.
    written: watch::Sender<Marks>,
    /// The attached connection's writer and the session's links.
    link: Mutex<Attached>,
    /// Cancelled when the store refused this node's writes: another node took the session.
    lost: CancellationToken,
}

/// Where a stored session starts: its lease, journal and outbox, and what is committed.
pub(crate) struct Start {
    pub(crate) lease: Lease,
    pub(crate) journal: Journal,
    pub(crate) outbox: Outbox<Stored>,
    /// The highest outgoing sequence number in the store.
    pub(crate) appended: u64,
    /// The highest incoming one the store has as taken by the application.
    pub(crate) received: u64,
    /// The token state the store has.
    pub(crate) tokens: Tokens,
}

/// A write drafted from a session's noted changes, and the marks it would write.
#[derive(Debug)]
pub(crate) struct Draft {
    pub(crate) write: SessionWrite,
    pub(crate) reached: Reached,
}

/// The marks a drafted write reaches once committed (see [`DurableSession::written`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reached(Marks);

impl DurableSession {
    pub(crate) fn new(start: Start) -> Arc<Self> {
        let marks = Marks { pushed: start.appended, consumed: start.received, ..Marks::default() };
        let last_tokens = Some(start.tokens);
        let pending = Pending { noted: marks, written: marks, last_tokens, ..Pending::default() };
        let written = watch::Sender::new(marks);
        let Start { lease, journal, outbox, .. } = start;
        let (queued, link, lost) = Default::default();
        let pending = Mutex::new(pending);
        Arc::new(DurableSession { lease, pending, queued, journal, outbox, written, link, lost })
    }

    /// Notes a message pushed as `seq`.
    pub(crate) fn pushed(self: &Arc<Self>, seq: u64) {
        self.note(|pending| pending.noted.pushed = pending.noted.pushed.max(seq));
    }

    /// Notes the client's cumulative ack through `seq`.
    pub(crate) fn acked(self: &Arc<Self>, seq: u64) {
        self.note(|pending| pending.noted.acked = pending.noted.acked.max(seq));
    }

    /// Notes that the application took the client's message `seq`.
    pub(crate) fn consumed(self: &Arc<Self>, seq: u64) {
        self.note(|pending| pending.noted.consumed = pending.noted.consumed.max(seq));
    }

    /// Notes the token state after a rotation or its confirmation (unless the store has it
    /// already: a restored session's claim wrote it); returns its version, for
    /// [`tokens_written`](Self::tokens_written).
    pub(crate) fn tokens(self: &Arc<Self>, tokens: Tokens) -> u64 {
        let mut version = 0;
        self.note(|pending| version = pending.note_tokens(tokens));
        version
    }

    /// Notes a renewed lease or a detach.
    pub(crate) fn deadlines(self: &Arc<Self>, deadlines: Deadlines) {
        self.note(|pending| pending.deadlines = Some(deadlines));
    }

    fn note(self: &Arc<Self>, change: impl FnOnce(&mut Pending)) {
        change(&mut lock(&self.pending));
        self.wake();
    }

    /// Queues the session for the journal's next round, once.
    pub(crate) fn wake(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.journal.queue(Arc::clone(self));
        }
    }

    /// Takes the session off the journal's queue: what is noted from now on wakes it again.
    pub(crate) fn unqueue(&self) {
        self.queued.store(false, Ordering::Release);
    }

    /// A write of everything noted and not yet written, if anything is.
    pub(crate) fn draft(&self) -> Option<Draft> {
        let mut pending = lock(&self.pending);
        let marks = pending.noted;
        let mut changes = self.progress(&pending);
        changes.tokens = pending.tokens.take();
        changes.deadlines = pending.deadlines.take();
        drop(pending);
        let write = SessionWrite { lease: self.lease.clone(), changes };
        (write.changes != Changes::default()).then_some(Draft { write, reached: Reached(marks) })
    }

    /// The entries, acks and consumption noted past what was written.
    fn progress(&self, pending: &Pending) -> Changes {
        let rose = |noted: u64, written: u64| (noted > written).then_some(noted);
        let append = self.unwritten_entries(pending);
        let acked_through = rose(pending.noted.acked, pending.written.acked);
        let received_through = rose(pending.noted.consumed, pending.written.consumed);
        let inbox_through = rose(pending.noted.posts, pending.written.posts);
        Changes { append, acked_through, received_through, inbox_through, ..Changes::default() }
    }

    /// The messages pushed and not yet written, read from the outbox (which holds them
    /// until they are released), their bytes copied into one buffer.
    fn unwritten_entries(&self, pending: &Pending) -> Vec<ws_store::Entry> {
        let mut entries = Entries::through(pending.noted.pushed);
        self.outbox.visit_from(pending.written.pushed + 1, |seq, stored| entries.add(seq, stored));
        entries.finish()
    }

    /// The store committed the draft that `reached` these marks: its messages may go out,
    /// waiting flushes are done, and the client gets the ACK of what the application took.
    pub(crate) fn written(&self, reached: Reached) {
        let Reached(marks) = reached;
        let before = self.advance(marks);
        self.outbox.release_through(marks.pushed);
        self.written.send_replace(before.max(marks));
        if marks.consumed > before.consumed {
            self.send_ack(marks.consumed);
        }
    }

    /// Raises the written marks to `marks`; returns them as they were.
    fn advance(&self, marks: Marks) -> Marks {
        let mut pending = lock(&self.pending);
        let before = pending.written;
        pending.written = before.max(marks);
        before
    }

    /// The store did not commit `write`: its tokens and deadlines are noted again (unless
    /// newer ones were), and the session waits for the next round.
    pub(crate) fn unwritten(self: &Arc<Self>, write: SessionWrite) {
        let changes = write.changes;
        self.note(|pending| {
            pending.tokens = pending.tokens.take().or(changes.tokens);
            pending.deadlines = pending.deadlines.take().or(changes.deadlines);
        });
    }

    /// The store refused this node's write: another node owns the session now (or it is
    /// gone from the store). Its connection is closed with 4003.
    pub(crate) fn refused(&self, refusal: &Refusal) {
        crate::metrics::store_refused(refusal);
        self.lost.cancel();
        self.stop_links();
    }

    /// Removes the session from the store (closed or expired here), unless another node
    /// took it; a failure is counted (the store expires it by itself).
    pub(crate) fn forget(&self) {
        if self.is_lost() {
            return;
        }
        let store = std::sync::Arc::clone(&self.journal.config().store);
        let lease = self.lease.clone();
        let removal = async move { store.remove(&lease).await };
        crate::server::durable::spawn_counted("remove", removal);
    }

    /// Whether another node took the session.
    pub(crate) fn is_lost(&self) -> bool {
        self.lost.is_cancelled()
    }

    /// Resolves `true` once the store committed the outgoing messages through `seq`,
    /// `false` if the session was lost first.
    pub(crate) fn committed(&self, seq: u64) -> impl Future<Output = bool> + Send + 'static {
        self.written_when(move |written| written.pushed >= seq)
    }

    /// Resolves `true` once the store committed token state `version` (or a later one),
    /// `false` if the session was lost first.
    pub(crate) fn tokens_written(
        &self,
        version: u64,
    ) -> impl Future<Output = bool> + Send + 'static {
        self.written_when(move |written| written.tokens >= version)
    }

    fn written_when(
        &self,
        done: impl Fn(&Marks) -> bool + Send + 'static,
    ) -> impl Future<Output = bool> + Send + 'static {
        let mut written = self.written.subscribe();
        let lost = self.lost.clone();
        async move {
            tokio::select! {
                waited = written.wait_for(done) => waited.is_ok(),
                () = lost.cancelled() => false,
            }
        }
    }

    /// The highest incoming sequence number the store has as taken by the application.
    pub(crate) fn ackable(&self) -> u64 {
        self.written.borrow().consumed
    }
}
