//! [`WriteAhead`]: what a link of a session kept in a store reports, and the most it may
//! acknowledge (the server's `ServerConfig::sessions.store`; a client's links have none).

/// A session whose progress is written to a store before it is acknowledged.
pub trait WriteAhead: Send + Sync + std::fmt::Debug {
    /// The peer acknowledged through `seq`.
    fn acked(&self, seq: u64);
    /// The application took the peer's message `seq`.
    fn consumed(&self, seq: u64);
    /// The highest of the peer's messages the store has as taken: the most the link may
    /// acknowledge, so the peer never forgets a message a crash could lose.
    fn ackable(&self) -> u64;
}
