//! The values a store keeps: the session record, its outbox entries, and the names they
//! are kept under.

use bytes::Bytes;
use std::fmt;

/// Length in bytes of a [`SessionKey`] (the session id of the wire protocol, 128 bits).
pub const KEY_LEN: usize = 16;

/// The key of a session in the store: the session id's bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SessionKey(pub [u8; KEY_LEN]);

impl fmt::Debug for SessionKey {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(out, "SessionKey({self})")
    }
}

impl fmt::Display for SessionKey {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(out, "{byte:02x}"))
    }
}

/// The name of a server node (a process), as it owns sessions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NodeId(pub String);

/// Which incarnation of the store's data a record belongs to: a store created empty (or
/// flushed) draws a new epoch, so a record from another epoch is never resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Epoch(pub u64);

/// Wall-clock time in milliseconds since the Unix epoch: stores outlive processes, so
/// their deadlines cannot be a process's `Instant`. The caller passes it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixMillis(pub u64);

impl UnixMillis {
    /// The current wall-clock time (under the `simulation` feature, the simulated one once
    /// [`simulation::set_clock`](crate::simulation::set_clock) was called).
    pub fn now() -> Self {
        #[cfg(feature = "simulation")]
        if let Some(since) = crate::simulation::now() {
            return Self(saturating_millis(since));
        }
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        Self(since.map_or(0, saturating_millis))
    }

    /// This time plus `span` (saturating).
    pub fn after(self, span: std::time::Duration) -> Self {
        Self(self.0.saturating_add(saturating_millis(span)))
    }

    /// This time less `span` (saturating at the epoch).
    pub fn before(self, span: std::time::Duration) -> Self {
        Self(self.0.saturating_sub(saturating_millis(span)))
    }
}

fn saturating_millis(span: std::time::Duration) -> u64 {
    u64::try_from(span.as_millis()).unwrap_or(u64::MAX)
}

/// A resume token as the store keeps it: a hash, so a copy of the store cannot resume a
/// session. The caller hashes; the store only compares and keeps.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct TokenHash(pub [u8; 32]);

impl fmt::Debug for TokenHash {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str("TokenHash(<redacted>)")
    }
}

/// The token state of `docs/protocol.md` § 7, hashed: the current token, the previous one
/// while its rotation is unconfirmed, and the tokens already used (to tell a replay).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tokens {
    /// The token of the last WELCOME.
    pub current: TokenHash,
    /// The token before it, valid until the client confirms the rotation.
    pub pending: Option<TokenHash>,
    /// Tokens used before, newest first.
    pub used: Vec<TokenHash>,
}

/// Whether a message is text or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// UTF-8 text.
    Text,
    /// Bytes.
    Binary,
}

/// One server→client message in a session's outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its sequence number (from 1, per session).
    pub seq: u64,
    /// Text or binary.
    pub kind: Kind,
    /// The application payload.
    pub payload: Bytes,
}

/// Which node runs a session, under which fencing generation, until when.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Owner {
    /// The owning node.
    pub node: NodeId,
    /// Raised by every claim: a write under an older generation is refused (fenced).
    pub generation: u64,
    /// When the owner's lease runs out unless renewed: a node killed with SIGKILL stops
    /// owning the session then.
    pub lease_until: UnixMillis,
}

/// How far a session's messages went, each way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The highest client→server sequence number the application took.
    pub received_through: u64,
    /// The highest server→client sequence number the client acknowledged.
    pub acked_through: u64,
    /// The sequence number the next server→client message gets.
    pub next_seq: u64,
}

impl Default for Progress {
    /// A fresh session's: nothing either way, the first message numbered 1.
    fn default() -> Self {
        Progress { received_through: 0, acked_through: 0, next_seq: 1 }
    }
}

/// Everything a store keeps about one session besides its outbox. (Its `Default`, all
/// zeros and empty, is only a start for a backend that decodes a record field by field.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionRecord {
    /// The session id.
    pub key: SessionKey,
    /// Whose session it is (the authentication hook's identity, as bytes).
    pub identity: Bytes,
    /// The resume tokens, hashed.
    pub tokens: Tokens,
    /// How far the session's messages went, each way.
    pub progress: Progress,
    /// When the session can no longer be resumed: pushed forward by the owner's lease
    /// renewals while a connection is attached, set to the end of the resume window when
    /// it detaches. A node killed while attached stops renewing, so its sessions expire.
    pub expires_at: UnixMillis,
    /// The node that runs the session.
    pub owner: Owner,
    /// The store epoch the session was created in.
    pub epoch: Epoch,
}

/// The right to write a session: who claimed it and under which generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The session.
    pub key: SessionKey,
    /// The node holding the lease.
    pub node: NodeId,
    /// The generation every write is checked against.
    pub generation: u64,
}
