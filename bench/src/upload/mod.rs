//! Upload throughput (`--upload`): K loopback clients each send 64-byte messages to the
//! server; the time from the first send to the server's last end marker, every message
//! checked in order per connection (raw) or per session (reliable). [`raw`] is plain
//! tokio-tungstenite, [`reliable`] is ReliableClient → ReliableServer. The result is a
//! [`Throughput`](crate::push::Throughput) like the push's.

pub mod raw;
pub mod reliable;

use crate::payload::{self, Received};
use crate::BenchError;
use futures::{Stream, StreamExt};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use ws_reliability::Message;

/// What a server received so far, per session: the next index expected, and which ended.
#[derive(Debug)]
pub struct Sessions<K> {
    received: HashMap<K, u64>,
    ended: HashSet<K>,
}

impl<K: Hash + Eq + Copy> Sessions<K> {
    /// Nothing received yet.
    pub fn new() -> Self {
        Sessions { received: HashMap::new(), ended: HashSet::new() }
    }

    /// Checks `message` from `session` against the index it should carry: a gap, a
    /// duplicate, or anything after the session's end marker fails.
    pub fn check(&mut self, session: K, message: &Message) -> Result<(), BenchError> {
        self.still_open(session, message)?;
        let received = self.received.entry(session).or_default();
        match payload::check(message, *received)? {
            Received::Next => *received += 1,
            Received::End => drop(self.ended.insert(session)),
        }
        Ok(())
    }

    /// An error when `session` already sent its end marker.
    fn still_open(&self, session: K, message: &Message) -> Result<(), BenchError> {
        if self.ended.contains(&session) {
            return Err(BenchError::Malformed(format!("after the end marker: {message:?}")));
        }
        Ok(())
    }

    /// Sessions whose end marker came.
    pub fn ended(&self) -> usize {
        self.ended.len()
    }

    /// Messages received over every session.
    pub fn total(&self) -> u64 {
        self.received.values().sum()
    }

    /// Each session's count, in no particular order.
    pub fn counts(self) -> Vec<u64> {
        self.received.into_values().collect()
    }
}

impl<K: Hash + Eq + Copy> Default for Sessions<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// The server's side: reads `(session, message)` pairs, checking each session in order,
/// until `sessions` sessions sent their end marker; each session's count.
pub async fn receive_sessions<K, S>(
    mut incoming: S,
    sessions: usize,
) -> Result<Vec<u64>, BenchError>
where
    K: Hash + Eq + Copy,
    S: Stream<Item = (K, Message)> + Unpin,
{
    let mut seen = Sessions::new();
    while seen.ended() < sessions {
        let (session, message) = next(&mut incoming, &seen).await?;
        seen.check(session, &message)?;
    }
    Ok(seen.counts())
}

/// The next pair, or [`BenchError::Ended`] when the stream ended first.
async fn next<K, S>(incoming: &mut S, seen: &Sessions<K>) -> Result<(K, Message), BenchError>
where
    K: Hash + Eq + Copy,
    S: Stream<Item = (K, Message)> + Unpin,
{
    incoming.next().await.ok_or_else(|| BenchError::Ended { received: seen.total() })
}

#[cfg(test)]
mod tests;
