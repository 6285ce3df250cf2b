//! The stores the store axis compares ([`Backend`]) and where they live ([`Places`]): redb
//! files in one temporary directory, one `redis-server` the benchmark started. Every side
//! of the push gets a store of its own (a fresh file, a fresh Redis key prefix), so none
//! starts with another side's sessions.

use super::redis::RedisServer;
use super::storm::node::NodeStore;
use crate::BenchError;
use std::path::PathBuf;
use std::sync::Arc;
use ws_reliability::store::{Durability, MemoryStore, NoFsync, RedbConfig, RedbStore};
use ws_reliability::store::{RedisConfig, RedisStore, SessionStore};

/// Where a reliable server keeps its sessions in the store axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// No store (`ServerConfig::sessions.store` unset, the default): a flush means queued.
    None,
    /// `MemoryStore`.
    Memory,
    /// `RedbStore` with its default policy, `Durability::Fsync` (an fsync per commit).
    Redb,
    /// `RedbStore` with `NoFsync(OsCache)`: commits reach the page cache only.
    RedbOsCache,
    /// `RedisStore` on the benchmark's own redis-server.
    Redis,
}

impl Backend {
    /// Every reliable side of the push, in run order.
    pub const ALL: [Backend; 5] =
        [Backend::None, Backend::Memory, Backend::Redb, Backend::RedbOsCache, Backend::Redis];

    /// Its name in the table.
    pub fn label(self) -> &'static str {
        match self {
            Backend::None => "in memory (the default: no store)",
            Backend::Memory => "MemoryStore",
            Backend::Redb => "RedbStore, Fsync (default)",
            Backend::RedbOsCache => "RedbStore, NoFsync(OsCache)",
            Backend::Redis => "RedisStore",
        }
    }
}

/// The temporary directory of the redb files and the redis-server, both gone on drop.
#[derive(Debug)]
pub struct Places {
    dir: tempfile::TempDir,
    redis: RedisServer,
    opened: usize,
}

impl Places {
    /// A fresh directory and a started redis-server (an error naming `apt-get install
    /// redis-server` when it is missing).
    pub async fn new() -> Result<Places, BenchError> {
        let redis = RedisServer::start().await?;
        Ok(Places { dir: tempfile::tempdir()?, redis, opened: 0 })
    }

    /// The redis-server's URL.
    pub fn redis_url(&self) -> String {
        self.redis.url()
    }

    /// The redis-server's address.
    pub fn redis_addr(&self) -> std::net::SocketAddr {
        self.redis.addr
    }

    /// Where a storm node of `store` keeps its sessions: a fresh redb file, or the
    /// redis-server's URL.
    pub fn node_store(&mut self, store: NodeStore) -> String {
        match store {
            NodeStore::Redb => self.fresh_file().display().to_string(),
            NodeStore::Redis => self.redis_url(),
        }
    }

    /// A redb file path not used before in this run.
    pub fn fresh_file(&mut self) -> PathBuf {
        self.opened += 1;
        self.dir.path().join(format!("sessions-{}.redb", self.opened))
    }

    /// A fresh store of `backend` (`None` for [`Backend::None`]).
    pub async fn open(
        &mut self,
        backend: Backend,
    ) -> Result<Option<Arc<dyn SessionStore>>, BenchError> {
        let store: Arc<dyn SessionStore> = match backend {
            Backend::None => return Ok(None),
            Backend::Memory => Arc::new(MemoryStore::new()?),
            Backend::Redb => self.redb(Durability::Fsync)?,
            Backend::RedbOsCache => self.redb(Durability::NoFsync(NoFsync::OsCache))?,
            Backend::Redis => self.redis().await?,
        };
        Ok(Some(store))
    }

    fn redb(&mut self, durability: Durability) -> Result<Arc<dyn SessionStore>, BenchError> {
        let config = RedbConfig { durability };
        Ok(Arc::new(RedbStore::open(self.fresh_file(), config)?))
    }

    async fn redis(&mut self) -> Result<Arc<dyn SessionStore>, BenchError> {
        self.opened += 1;
        let config = RedisConfig { prefix: format!("bench{}", self.opened), ..Default::default() };
        Ok(Arc::new(RedisStore::connect(&self.redis_url(), config).await?))
    }
}
