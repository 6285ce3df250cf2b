//! What a store is asked to do: claim a session, write what changed in it, post to it.

use crate::record::UnixMillis;
use crate::record::{Entry, Kind, Lease, NodeId, SessionKey, SessionRecord, TokenHash, Tokens};
use bytes::Bytes;

/// A node's bid to run a session after a resume that passed the token check: it succeeds
/// only if the current token is still the one checked (so two resumes racing on two nodes
/// cannot both win), raises the generation (fencing the previous owner) and rotates the
/// tokens, in one atomic step.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The session.
    pub key: SessionKey,
    /// The node claiming it.
    pub node: NodeId,
    /// The current token hash the resume was checked against.
    pub expected: TokenHash,
    /// The tokens after the rotation.
    pub tokens: Tokens,
    /// The new lease and expiry.
    pub deadlines: Deadlines,
}

/// How long the owner's lease lasts and when the session expires without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Until when the owner holds the session without renewing.
    pub lease_until: UnixMillis,
    /// When the session can no longer be resumed (pushed forward while attached).
    pub expires_at: UnixMillis,
}

/// What changed in one session since its last write: written as one transaction (redb) or
/// one script call (Redis), never one write per message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Messages queued for the client, continuing the record's `next_seq` without a gap.
    pub append: Vec<Entry>,
    /// The client acknowledged through here: the outbox is trimmed to it.
    pub acked_through: Option<u64>,
    /// The application was handed the client's messages through here.
    pub received_through: Option<u64>,
    /// The token state after a rotation was confirmed.
    pub tokens: Option<Tokens>,
    /// A renewed lease, or a detach (lease ended, expiry set).
    pub deadlines: Option<Deadlines>,
    /// The posted messages through this id were moved into the outbox by this write.
    pub inbox_through: Option<u64>,
}

/// One session's changes under the lease that allows them.
#[derive(Debug, Clone)]
pub struct SessionWrite {
    /// The writer's lease: the write is refused if another claim fenced it.
    pub lease: Lease,
    /// What changed.
    pub changes: Changes,
}

/// A message for a session from a node that does not run it, kept until the owner moves
/// it into the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// Its place in the session's inbox (from 1, increasing).
    pub id: u64,
    /// Text or binary.
    pub kind: Kind,
    /// The application payload.
    pub payload: Bytes,
}

/// A message to post to a session's inbox ([`SessionStore::post`](crate::SessionStore::post)),
/// and how many posts the inbox may hold before this one is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    /// Text or binary.
    pub kind: Kind,
    /// The application payload.
    pub payload: Bytes,
    /// The most posts the inbox may hold, this one included: a bound on what a session
    /// whose owner does not move its posts (a slow or departed client) keeps in the store.
    pub max_inbox: usize,
}

impl NewPost {
    /// Whether an inbox holding `held` posts has room for this one.
    pub fn fits(&self, held: usize) -> Result<(), crate::Refusal> {
        let max = self.max_inbox as u64;
        (held < self.max_inbox).then_some(()).ok_or(crate::Refusal::InboxFull { max })
    }
}

/// A session as loaded: its record, its unacknowledged outbox, and what other nodes posted
/// to it that its owner has not yet moved into the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The record.
    pub record: SessionRecord,
    /// Entries `acked_through + 1 .. next_seq`, in order, without a gap.
    pub outbox: Vec<Entry>,
    /// Posted messages not yet in the outbox, in order.
    pub inbox: Vec<Posted>,
}

/// Why a loaded session cannot be resumed although the store has something under its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The record was written in another epoch of the store (the store was replaced).
    Epoch,
    /// The outbox misses entries between the ack and the next sequence number.
    Gap {
        /// The first sequence number missing.
        missing: u64,
    },
}

/// What a load found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The session, resumable.
    Found(Box<Loaded>),
    /// No session under this key.
    Missing,
    /// The session's resume window passed.
    Expired,
    /// The session cannot be resumed without a silent gap.
    Damaged(Damage),
}
