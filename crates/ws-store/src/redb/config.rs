//! [`RedbConfig`]: how a [`RedbStore`](super::RedbStore) opens its file and how durable its
//! commits are.

use crate::error::StoreError;
use ::redb::backends::FileBackend;
use ::redb::{Database, StorageBackend};
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a [`RedbStore`](super::RedbStore) opens its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedbConfig {
    /// Whether a commit waits for the disk: see [`Durability`].
    pub durability: Durability,
}

/// Whether a commit returns before or after its data reached the disk.
///
/// The trade-off: [`Durability::Fsync`] costs one `fsync` per commit (one per outbox flush,
/// however many sessions and messages it carries) and loses nothing that a commit
/// confirmed, even when the machine loses power. A policy that does not fsync commits
/// faster but **can lose the last commits on a crash**: see [`NoFsync`] for which crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit is on the disk when it returns (redb's `Durability::Immediate`).
    #[default]
    Fsync,
    /// Commits return before they are on the disk.
    NoFsync(NoFsync),
}

/// The ways of committing without an `fsync` per commit, and what each can lose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoFsync {
    /// Each commit is written to the file (the operating system's page cache) but never
    /// fsynced: it survives the crash or kill of this **process**, but the crash of the
    /// **machine** (power loss, kernel panic) can lose the commits the kernel had not yet
    /// written back (by default up to about 30 s of them), and if the disk reordered the
    /// writes redb's recovery rolls back to an older commit when the file is reopened.
    OsCache,
    /// Commits stay in this process (redb's `Durability::None`) and every `fsync_every`-th
    /// commit makes them durable: the crash or kill of the **process** or of the machine
    /// loses up to `fsync_every - 1` confirmed commits. The fastest; redb frees pages only
    /// on a durable commit, so the file grows between them.
    Deferred {
        /// One commit in this many is fsynced.
        fsync_every: NonZeroU32,
    },
}

impl RedbConfig {
    /// Opens (or creates empty) the database file at `path` under this policy.
    pub(super) fn open(&self, path: &Path) -> Result<Database, StoreError> {
        let backend = file_backend(path)?;
        let builder = Database::builder();
        let opened = match self.durability {
            Durability::NoFsync(NoFsync::OsCache) => builder.create_with_backend(Unsynced(backend)),
            _ => builder.create_with_backend(backend),
        };
        opened.map_err(super::failed)
    }
}

/// The file at `path`, created if missing, as redb's file backend (which locks it).
fn file_backend(path: &Path) -> Result<FileBackend, StoreError> {
    let mut options = std::fs::OpenOptions::new();
    let file = options.read(true).write(true).create(true).truncate(false).open(path);
    FileBackend::new(file.map_err(super::failed)?).map_err(super::failed)
}

/// A file backend whose `sync_data` returns at once: the writes reach the page cache only.
#[derive(Debug)]
struct Unsynced(FileBackend);

impl StorageBackend for Unsynced {
    fn len(&self) -> Result<u64, std::io::Error> {
        self.0.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
        self.0.read(offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
        self.0.set_len(len)
    }

    fn sync_data(&self) -> Result<(), std::io::Error> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        self.0.write(offset, data)
    }

    fn close(&self) -> Result<(), std::io::Error> {
        self.0.close()
    }
}

/// Picks redb's durability for each write transaction under a [`Durability`].
#[derive(Debug)]
pub(super) struct Policy {
    durability: Durability,
    commits: AtomicU64,
}

impl Policy {
    pub(super) fn new(durability: Durability) -> Self {
        Self { durability, commits: AtomicU64::new(0) }
    }

    /// The durability of the next write transaction.
    pub(super) fn next(&self) -> ::redb::Durability {
        let Durability::NoFsync(NoFsync::Deferred { fsync_every }) = self.durability else {
            return ::redb::Durability::Immediate;
        };
        let count = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
        if count.is_multiple_of(u64::from(fsync_every.get())) {
            return ::redb::Durability::Immediate;
        }
        ::redb::Durability::None
    }
}
