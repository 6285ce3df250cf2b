//! [`StoreError`]: why a store did not do what it was asked.

/// Why a store refused one session's operation while the store itself works.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// No session under this key (never created, removed, or expired and swept).
    #[error("no such session")]
    Missing,
    /// The session's resume window passed.
    #[error("the session expired")]
    Expired,
    /// A session with this key exists already.
    #[error("a session with this key exists")]
    Exists,
    /// Another claim raised the generation: this writer no longer owns the session.
    #[error("fenced: generation {held} is no longer the session's ({current})")]
    Fenced {
        /// The generation the writer held.
        held: u64,
        /// The session's generation now.
        current: u64,
    },
    /// The current token is no longer the one the claim was checked against.
    #[error("the resume token changed since it was checked")]
    TokenChanged,
    /// Appended entries do not continue the outbox.
    #[error("out of order: expected sequence number {expected}, got {got}")]
    OutOfOrder {
        /// The sequence number the outbox continues with.
        expected: u64,
        /// The one written.
        got: u64,
    },
    /// The session's inbox holds as many posts as the poster allowed: its owner has not
    /// moved them into the outbox (its client is slow or gone). Nothing was added.
    #[error("the inbox is full: {max} posts wait for the session's owner")]
    InboxFull {
        /// The poster's limit.
        max: u64,
    },
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store works but refused this session's operation.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    /// The backend failed (I/O, connection, a script error).
    #[error("{backend} failed: {message}")]
    Backend {
        /// Which backend (`memory`, `redb`, `redis`).
        backend: &'static str,
        /// What it said.
        message: String,
    },
    /// The backend holds bytes this crate cannot read (written by something else).
    #[error("{backend} holds a malformed {what}")]
    Corrupt {
        /// Which backend.
        backend: &'static str,
        /// What could not be read.
        what: &'static str,
    },
    /// The OS random source failed (drawing an epoch).
    #[error("no randomness: {0}")]
    Random(#[from] getrandom::Error),
}

impl StoreError {
    /// A backend failure with its message.
    pub fn backend(backend: &'static str, error: impl std::fmt::Display) -> Self {
        Self::Backend { backend, message: error.to_string() }
    }

    /// The refusal, when this is one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Self::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }
}
