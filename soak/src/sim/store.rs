//! Where the simulated server keeps its sessions across its restarts: by default a redb
//! file in a temporary folder, which the server host opens at every start and its crash
//! closes (the `Database` dropped with the host's runtime), as a restarted process reopens
//! its file; or a `MemoryStore` that outlives the host (`--store memory`).
//!
//! redb runs inline on the server host's task under `ws-store/simulation` (its blocking
//! pool's threads would finish on the wall clock). Commits are not fsynced
//! ([`NoFsync::OsCache`]): a simulated crash is the crash of a process, which the page cache
//! survives, and an fsync would cost the wall clock milliseconds per commit for nothing the
//! simulation can lose; the real-process soak (`--store redb --kill-server-every`) fsyncs.
//! The file is in `/dev/shm` where that exists (a real file, on tmpfs).

use crate::SoakError;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use ws_reliability::store::{Durability, MemoryStore, NoFsync, RedbConfig, RedbStore};
use ws_reliability::store::{SessionStore, StoreError};

/// A folder in memory (tmpfs) on Linux: the file's writes cost no disk and no journal.
const RAM_FOLDER: &str = "/dev/shm";

/// Which store the simulated server keeps its sessions in (`--store`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// A redb file, reopened at every start of the server (the default).
    #[default]
    Redb,
    /// A `MemoryStore` that outlives the server host.
    Memory,
}

impl StoreKind {
    /// The flag that names this store in a command, empty for the default.
    pub fn flag(self) -> &'static str {
        match self {
            StoreKind::Redb => "",
            StoreKind::Memory => " --store memory",
        }
    }
}

/// The store the server host opens at each start.
#[derive(Debug, Clone)]
pub enum Shelf {
    /// The one `MemoryStore` of the run.
    Memory(Arc<MemoryStore>),
    /// The run's redb file.
    Redb(Arc<RedbFile>),
}

impl Shelf {
    /// The store `kind` names, made empty for a run.
    pub fn new(kind: StoreKind) -> Result<Shelf, SoakError> {
        match kind {
            StoreKind::Memory => Ok(Shelf::Memory(Arc::new(MemoryStore::new().map_err(failed)?))),
            StoreKind::Redb => Ok(Shelf::Redb(Arc::new(RedbFile::new()?))),
        }
    }

    /// The store for a start of the server: the memory store itself, or the redb file
    /// opened (again).
    pub fn open(&self) -> Result<Arc<dyn SessionStore>, StoreError> {
        match self {
            Shelf::Memory(store) => Ok(Arc::clone(store) as Arc<dyn SessionStore>),
            Shelf::Redb(file) => Ok(Arc::new(RedbStore::open(file.path(), no_fsync())?)),
        }
    }
}

/// A redb file in a temporary folder, removed with the folder at the end of the run.
#[derive(Debug)]
pub struct RedbFile {
    folder: tempfile::TempDir,
}

impl RedbFile {
    /// A new folder in [`RAM_FOLDER`] where there is one (every write of redb's costs the
    /// wall clock a filesystem's work, about a tenth of the run on ext4), in the system's
    /// temporary folder otherwise.
    fn new() -> Result<RedbFile, SoakError> {
        let parent = Some(PathBuf::from(RAM_FOLDER)).filter(|folder| folder.is_dir());
        let parent = parent.unwrap_or_else(std::env::temp_dir);
        let folder = tempfile::Builder::new().prefix("ws-soak-sim").tempdir_in(parent);
        Ok(RedbFile { folder: folder.map_err(failed)? })
    }

    /// The file's path (created at the first open).
    pub fn path(&self) -> PathBuf {
        self.folder.path().join("sessions.redb")
    }
}

/// Commits written to the page cache, not fsynced (see the module's docs).
fn no_fsync() -> RedbConfig {
    RedbConfig { durability: Durability::NoFsync(NoFsync::OsCache) }
}

fn failed(error: impl std::fmt::Display) -> SoakError {
    SoakError::Simulation(format!("the simulated server's store: {error}"))
}
