//! [`RedisStore`]: sessions in Redis (≥ 7), shared by every node connected to it.
//!
//! # Layout
//! Per session, three keys under one hash tag, `{<prefix>:<session id in hex>}`:
//! - `…:rec`, a hash: identity, token hashes, received_through, acked_through, next_seq,
//!   expires_at, owner node, generation, lease_until, epoch, the inbox counter;
//! - `…:out`, a stream, the outbox: one entry per committed batch (not per message), its
//!   id `<seq of its first message>-0` given explicitly, trimmed with `XTRIM MINID` on
//!   every ack to the batch holding `acked_through + 1`;
//! - `…:in`, a stream, the inbox of messages posted by other nodes: ids `<post id>-0`.
//!
//! Per node, `<prefix>:notices:<node>`, a set: the sessions it owns that were posted to
//! since it last looked ([`notices`](SessionStore::notices) takes it). A claim passes the
//! previous owner's notice to the new owner and `remove` drops it; a session that expires
//! leaves its notice in the set, which expires with the latest session it noted (every
//! post extends it to the posted session's expiry), so the set of a node that is gone for
//! good goes too.
//!
//! The store's epoch is the key `<prefix>:epoch`, created with `SET NX` by the first store
//! that connects and read by every other at connect time. A Redis that restarted empty
//! has lost the key: the next [`epoch`](SessionStore::epoch) call (or a load that finds
//! a record of another epoch) sets it again to the epoch this store knew, unless another
//! store did first, whose epoch this one then adopts, so every node converges on one. Each operation is one Lua script
//! that touches one session's keys only (a global key read inside a per-session script
//! fails on Redis Cluster; `post`, `claim` and `remove` also touch notice sets, the keys
//! outside the session's tag): the epoch is compared on the Rust side, where a record of
//! another epoch loads as [`Damage::Epoch`](crate::Damage::Epoch). The keys are
//! hash-tagged for Redis Cluster, but this backend is untested on Cluster.
//!
//! # Atomicity and round trips
//! `create`, `claim`, `commit` (per session), `post` and `remove` are each one script, so
//! atomic. [`commit`](SessionStore::commit) sends every session's script call in one
//! pipeline: one round trip for the batch, each session applied or refused on its own.
//! A connection failure during a commit is a [`StoreError::Backend`] and says nothing of
//! which sessions were applied: the caller loads them to find out. A record whose outbox
//! stream was lost (evicted: run Redis with `maxmemory-policy noeviction`) loads as
//! [`Damage::Gap`](crate::Damage::Gap), never as a partial resume.
//!
//! # Expiry
//! The keys expire by themselves (`PEXPIREAT` at the record's `expires_at`, refreshed by
//! every write, plus [`RedisConfig::expiry_grace`] for clock skew), so `sweep` returns 0.
//!
//! # What a failover can lose
//! Redis replicates asynchronously: a commit acknowledged by the primary can be missing on
//! a replica promoted after the primary failed. The epoch does not detect this (the
//! replica holds the same epoch), so such a failover can lose the last commits: messages
//! the server reported durable, acks, token rotations. With
//! [`RedisConfig::wait_replicas`], every commit also sends `WAIT` and fails with
//! [`StoreError::Backend`] when fewer replicas than asked acknowledged in time; even then
//! Redis does not promise that a failover picks a replica that has the write.

mod args;
mod batch;
mod commit;
mod config;
mod fields;
mod reply;
mod scripts;

pub use config::{KeyNames, RedisConfig, Replication};

use crate::changes::{Claim, Lookup, NewPost, Posted, SessionWrite};
use crate::error::{Refusal, StoreError};
use crate::record::{Epoch, Lease, NodeId, SessionKey, SessionRecord, UnixMillis};
use crate::slot::Slot;
use crate::store::SessionStore;
use redis::aio::ConnectionManager;
use redis::{Script, ScriptInvocation, Value};
use reply::{stream, Reply};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The backend's name, in errors and metrics.
const BACKEND: &str = "redis";

/// Sessions in Redis: see the [module docs](self).
#[derive(Debug, Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    config: RedisConfig,
    /// The epoch as last read from (or set in) Redis.
    epoch: Arc<AtomicU64>,
}

/// A Redis failure as a [`StoreError::Backend`].
fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::backend(BACKEND, error)
}

impl RedisStore {
    /// Connects to the Redis at `url` (`redis://host:port/db`, `redis+unix:///path`)
    /// through a multiplexed connection that reconnects by itself, and reads the store's
    /// epoch (drawing it if this is the first store on this Redis and prefix).
    pub async fn connect(url: &str, config: RedisConfig) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(failed)?;
        let mut connection = ConnectionManager::new(client).await.map_err(failed)?;
        let drawn = crate::draw_epoch()?;
        let epoch = establish_epoch(&mut connection, &config.epoch_key(), drawn).await?;
        Ok(Self { connection, config, epoch: Arc::new(AtomicU64::new(epoch.0)) })
    }

    /// How this store was set up.
    pub fn config(&self) -> &RedisConfig {
        &self.config
    }

    fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    /// A call of `script` on `key`'s session.
    fn session<'a>(&self, script: &'a Script, key: &SessionKey) -> ScriptInvocation<'a> {
        args::on_session(script, &self.config.keys(key))
    }

    /// A call of a script that sets expiries: the grace is its first argument.
    fn expiring<'a>(&self, script: &'a Script, key: &SessionKey) -> ScriptInvocation<'a> {
        let mut invocation = self.session(script, key);
        invocation.arg(self.config.grace_millis());
        invocation
    }

    fn known_epoch(&self) -> Epoch {
        Epoch(self.epoch.load(Ordering::Relaxed))
    }

    /// The epoch in Redis now (set again to the known one if Redis lost it), remembered.
    async fn current_epoch(&self) -> Result<Epoch, StoreError> {
        let key = self.config.epoch_key();
        let epoch = establish_epoch(&mut self.connection(), &key, self.known_epoch()).await?;
        self.epoch.store(epoch.0, Ordering::Relaxed);
        Ok(epoch)
    }

    async fn call(&self, invocation: &ScriptInvocation<'_>) -> Result<Value, StoreError> {
        invocation.invoke_async(&mut self.connection()).await.map_err(failed)
    }
}

/// The epoch under `key`, set to `candidate` if there is none (`SET NX GET`, Redis ≥ 7).
async fn establish_epoch(
    connection: &mut ConnectionManager,
    key: &str,
    candidate: Epoch,
) -> Result<Epoch, StoreError> {
    let mut set = redis::cmd("SET");
    set.arg(key).arg(candidate.0).arg("NX").arg("GET");
    let previous: Option<Vec<u8>> = set.query_async(connection).await.map_err(failed)?;
    previous.map_or(Ok(candidate), |text| Ok(Epoch(reply::decimal(&text)?)))
}

/// What `load.lua` answered for `key`, judged at `now` in a store of `epoch` by the rules
/// of [`Slot::lookup`].
fn lookup(
    value: &Value,
    key: SessionKey,
    now: UnixMillis,
    epoch: Epoch,
) -> Result<Lookup, StoreError> {
    let reply = Reply::of(value)?;
    if reply.status == b"missing" {
        return Ok(Lookup::Missing);
    }
    Ok(slot(&reply, key)?.lookup(now, epoch))
}

/// The session `load.lua` found: record, outbox after the ack, inbox.
fn slot(reply: &Reply<'_>, key: SessionKey) -> Result<Slot, StoreError> {
    let record = fields::Fields::of(reply.value(0)?)?.record(key)?;
    let outbox = batch::outbox(&stream(reply.value(1)?)?, record.progress.acked_through)?;
    let inbox = stream(reply.value(2)?)?.into_iter().map(reply::posted);
    let inbox = inbox.collect::<Result<_, StoreError>>()?;
    Ok(Slot { record, outbox, inbox, next_post: 0 })
}

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    async fn epoch(&self) -> Result<Epoch, StoreError> {
        self.current_epoch().await
    }

    async fn create(&self, record: &SessionRecord) -> Result<Lease, StoreError> {
        let mut invocation = self.expiring(&scripts::CREATE, &record.key);
        fields::write_record(&mut invocation, record);
        Reply::of(&self.call(&invocation).await?)?.accepted()?;
        let owner = &record.owner;
        Ok(Lease { key: record.key, node: owner.node.clone(), generation: owner.generation })
    }

    async fn load(&self, key: &SessionKey, now: UnixMillis) -> Result<Lookup, StoreError> {
        let loaded = self.call(&self.session(&scripts::LOAD, key)).await?;
        let found = lookup(&loaded, *key, now, self.known_epoch())?;
        if found != Lookup::Damaged(crate::changes::Damage::Epoch) {
            return Ok(found);
        }
        lookup(&loaded, *key, now, self.current_epoch().await?)
    }

    async fn claim(&self, claim: &Claim, now: UnixMillis) -> Result<Lease, StoreError> {
        let mut invocation = self.expiring(&scripts::CLAIM, &claim.key);
        args::claim(&mut invocation, claim, now, &self.config.notices_prefix());
        let answer = self.call(&invocation).await?;
        let reply = Reply::of(&answer)?;
        reply.accepted()?;
        Ok(Lease { key: claim.key, node: claim.node.clone(), generation: reply.number(0)? })
    }

    async fn commit(
        &self,
        writes: &[SessionWrite],
    ) -> Result<Vec<Result<(), Refusal>>, StoreError> {
        self.commit_all(writes).await
    }

    async fn post(&self, key: &SessionKey, post: NewPost) -> Result<Posted, StoreError> {
        let mut invocation = self.expiring(&scripts::POST, key);
        let notices = self.config.notices_prefix();
        args::post(&mut invocation, args::Message { post: &post, notices, key });
        let answer = self.call(&invocation).await?;
        let id = Reply::of(&answer)?.accepted_number()?;
        Ok(Posted { id, kind: post.kind, payload: post.payload })
    }

    async fn notices(&self, node: &NodeId) -> Result<Vec<SessionKey>, StoreError> {
        let set = format!("{}{}", self.config.notices_prefix(), node.0);
        let mut take = redis::pipe();
        take.atomic().cmd("SMEMBERS").arg(&set).cmd("DEL").arg(&set).ignore();
        let (members,): (Vec<String>,) =
            take.query_async(&mut self.connection()).await.map_err(failed)?;
        reply::session_keys(&members)
    }

    async fn inbox(&self, key: &SessionKey, after: u64) -> Result<Vec<Posted>, StoreError> {
        let mut range = redis::cmd("XRANGE");
        let from = format!("{}-0", after.saturating_add(1));
        range.arg(self.config.keys(key).inbox).arg(from).arg("+");
        let answer: Value = range.query_async(&mut self.connection()).await.map_err(failed)?;
        stream(&answer)?.into_iter().map(reply::posted).collect()
    }

    async fn remove(&self, lease: &Lease) -> Result<(), StoreError> {
        let mut invocation = self.session(&scripts::REMOVE, &lease.key);
        args::remove(&mut invocation, lease, &self.config.notices_prefix());
        Reply::of(&self.call(&invocation).await?)?.accepted()
    }

    /// Nothing to do: the keys expire by themselves.
    async fn sweep(&self, _now: UnixMillis) -> Result<usize, StoreError> {
        Ok(0)
    }
}
