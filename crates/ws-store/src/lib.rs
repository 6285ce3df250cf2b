//! Where a reliable WebSocket session lives between its connections: a [`SessionStore`]
//! keeps each session's record (identity, hashed resume tokens, sequence numbers each way,
//! expiry, owner and fencing generation, store epoch) and its outbox of unacknowledged
//! messages, so a session survives the restart of its server process, or moves to another
//! node.
//!
//! Backends: [`MemoryStore`] (in this process), `RedbStore` (an embedded file, feature `redb`)
//! and Redis Streams (several nodes, feature `redis`). The rules every backend follows are
//! in [`SessionStore`]'s docs and checked by one test suite that every backend passes
//! (`tests/conformance` in this crate's repository).
//!
//! ```
//! use ws_store::{Changes, Entry, Kind, Lookup, MemoryStore, SessionStore, SessionWrite};
//! # use ws_store::{NodeId, Owner, SessionKey, SessionRecord, TokenHash, Tokens, UnixMillis};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ws_store::StoreError> {
//! let store = MemoryStore::new()?;
//! # let now = UnixMillis(1_000);
//! # let record = SessionRecord {
//! #     key: SessionKey([7; 16]), identity: "alice".into(),
//! #     tokens: Tokens { current: TokenHash([1; 32]), pending: None, used: vec![] },
//! #     progress: Default::default(), expires_at: UnixMillis(61_000),
//! #     owner: Owner { node: NodeId("a".into()), generation: 1, lease_until: UnixMillis(31_000) },
//! #     epoch: store.epoch().await?,
//! # };
//! let lease = store.create(&record).await?;
//! let hello = Entry { seq: 1, kind: Kind::Text, payload: "hello".into() };
//! let changes = Changes { append: vec![hello.clone()], ..Changes::default() };
//! store.commit(&[SessionWrite { lease, changes }]).await?;
//! let Lookup::Found(loaded) = store.load(&record.key, now).await? else { return Ok(()) };
//! assert_eq!(loaded.outbox, vec![hello]); // until the client acks it
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod changes;
mod error;
mod memory;
mod notices;
mod observe;
mod record;
#[cfg(feature = "redb")]
mod redb;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
#[cfg(feature = "simulation")]
#[cfg_attr(docsrs, doc(cfg(feature = "simulation")))]
pub mod simulation;
mod slot;
mod store;

#[cfg(feature = "redis")]
pub use self::redis::{RedisConfig, RedisStore, Replication};
#[cfg(feature = "redb")]
#[cfg_attr(docsrs, doc(cfg(feature = "redb")))]
pub use crate::redb::{Durability, NoFsync, RedbConfig, RedbStore};
pub use changes::SessionWrite;
pub use changes::{Changes, Claim, Damage, Deadlines, Loaded, Lookup, NewPost, Posted};
pub use error::{Refusal, StoreError};
pub use memory::MemoryStore;
pub use record::{Entry, Epoch, Kind, Lease, NodeId, Owner, Progress, SessionKey, SessionRecord};
pub use record::{TokenHash, Tokens, UnixMillis, KEY_LEN};
pub use slot::Slot;
pub use store::SessionStore;

/// A fresh, non-zero store epoch from the OS CSPRNG.
pub fn draw_epoch() -> Result<Epoch, StoreError> {
    let mut bytes = [0; 8];
    getrandom::fill(&mut bytes)?;
    Ok(Epoch(u64::from_le_bytes(bytes).max(1)))
}
