//! Messages other nodes posted to a stored session, moved into its outbox: under the
//! session's pending lock, so that the journal's next commit appends them together with
//! the inbox position they came from, and a crash can neither lose nor repeat one.

use super::{DurableSession, Marks};
use crate::server::durable::convert::stored_of_posted;
use crate::session_link::lock;
use std::sync::Arc;
use ws_store::Posted;

/// What [`DurableSession::take_posts`] moved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Taken {
    /// The sequence number the last moved message got, if one moved.
    pub(crate) last_seq: Option<u64>,
    /// Whether every message offered moved (not when the outbox was full).
    pub(crate) complete: bool,
}

/// What became of one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moved {
    /// Into the outbox as this sequence number.
    Pushed(u64),
    /// Passed over: it cannot be delivered.
    Undeliverable,
    /// Left in the inbox: the outbox is full.
    Full,
}

impl Moved {
    /// The sequence number it got, if it was pushed.
    fn seq(self) -> Option<u64> {
        match self {
            Moved::Pushed(seq) => Some(seq),
            Moved::Undeliverable | Moved::Full => None,
        }
    }
}

impl Taken {
    /// Notes what became of post `id` in `noted`; `false` once the outbox is full.
    fn record(&mut self, moved: Moved, noted: &mut Marks, id: u64) -> bool {
        self.complete = moved != Moved::Full;
        let seq = moved.seq();
        self.last_seq = seq.or(self.last_seq);
        if self.complete {
            noted.took_post(id, seq);
        }
        self.complete
    }
}

impl DurableSession {
    /// The id of the last posted message moved into the outbox (noted, maybe not written).
    pub(crate) fn posts_taken(&self) -> u64 {
        lock(&self.pending).noted.posts
    }

    /// Moves `posted` (in id order) into the outbox, skipping what was moved already, until
    /// the outbox is full. A text post that is not UTF-8 (a damaged store) cannot be
    /// delivered: it is counted (`ws_reliability_store_failures_total{op="inbox"}`) and
    /// passed over, so it does not block the posts behind it.
    pub(crate) fn take_posts(self: &Arc<Self>, posted: &[Posted]) -> Taken {
        let mut pending = lock(&self.pending);
        let taken = self.move_posts(posted, &mut pending.noted);
        drop(pending);
        self.wake();
        taken
    }

    /// Moves the posts after `noted.posts`, noting each in `noted`, until the outbox is full.
    fn move_posts(&self, posted: &[Posted], noted: &mut Marks) -> Taken {
        let mut taken = Taken { last_seq: None, complete: true };
        let after = noted.posts;
        let mut fresh = posted.iter().filter(|post| post.id > after);
        let _as_in_taken = fresh.all(|post| taken.record(self.move_post(post), noted, post.id));
        taken
    }

    fn move_post(&self, post: &Posted) -> Moved {
        let Some(stored) = stored_of_posted(post) else {
            crate::metrics::store_failed("inbox");
            return Moved::Undeliverable;
        };
        self.outbox.push(stored).map_or(Moved::Full, Moved::Pushed)
    }
}
