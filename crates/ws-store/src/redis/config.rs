//! [`RedisConfig`]: where a [`RedisStore`](super::RedisStore) keeps its keys, how long
//! they outlive a session's expiry, and whether commits wait for replicas.

use crate::record::SessionKey;
use std::time::Duration;

/// How a [`RedisStore`](super::RedisStore) is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// What every key starts with (`<prefix>:epoch`, `{<prefix>:<session>}:rec`, ...), so
    /// several applications can share one Redis.
    pub prefix: String,
    /// How long a session's keys outlive its `expires_at` (by the Redis server's clock):
    /// room for the clock skew between the nodes and Redis. A session past its
    /// `expires_at` loads as expired in the meantime; Redis deletes it afterwards.
    pub expiry_grace: Duration,
    /// When set, every [`commit`](crate::SessionStore::commit) waits (Redis `WAIT`) until
    /// this many replicas acknowledged it, and fails with
    /// [`StoreError::Backend`](crate::StoreError::Backend) if fewer did in time.
    pub wait_replicas: Option<Replication>,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self { prefix: "ws".into(), expiry_grace: Duration::from_secs(60), wait_replicas: None }
    }
}

/// How many replicas must acknowledge a commit, and how long to wait for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replication {
    /// The number of replicas.
    pub replicas: usize,
    /// How long `WAIT` blocks at most (Redis counts it in whole milliseconds; zero waits
    /// forever, so it is raised to 1 ms).
    pub timeout: Duration,
}

impl Replication {
    /// The timeout in milliseconds, at least 1 (Redis reads 0 as "forever").
    pub(crate) fn timeout_millis(&self) -> u64 {
        u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX).max(1)
    }
}

/// The names of one session's keys, all under one hash tag (`{<prefix>:<session>}`), so
/// a script that touches them all stays on one Redis Cluster slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyNames {
    /// The record: a hash.
    pub record: String,
    /// The outbox: a stream, entry ids `<seq>-0`.
    pub outbox: String,
    /// The inbox of posted messages: a stream, entry ids `<post id>-0`.
    pub inbox: String,
}

impl RedisConfig {
    /// The names of `key`'s session's keys.
    pub fn keys(&self, key: &SessionKey) -> KeyNames {
        let tag = format!("{{{}:{key}}}", self.prefix);
        let name = |suffix: &str| format!("{tag}:{suffix}");
        KeyNames { record: name("rec"), outbox: name("out"), inbox: name("in") }
    }

    /// What the name of a node's notice set (a set of session keys in hex) starts with:
    /// the node's name follows.
    pub fn notices_prefix(&self) -> String {
        format!("{}:notices:", self.prefix)
    }

    /// The name of the key holding the store's epoch.
    pub fn epoch_key(&self) -> String {
        format!("{}:epoch", self.prefix)
    }

    /// The grace in milliseconds, as the scripts take it.
    pub(crate) fn grace_millis(&self) -> u64 {
        u64::try_from(self.expiry_grace.as_millis()).unwrap_or(u64::MAX)
    }
}
