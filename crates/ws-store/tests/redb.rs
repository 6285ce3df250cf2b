//! The redb backend against the conformance suite, on a real file, and what only a file
//! can show: a reopened store keeps its sessions and epoch, a new file draws a new epoch,
//! and a value this crate did not write is `StoreError::Corrupt`.
#![cfg(feature = "redb")]

mod conformance;

use conformance::{claim_by_b, entries, found, record, token, write, NOW};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use std::path::{Path, PathBuf};
use ws_store::{Changes, Damage, Durability, Lookup, NoFsync, RedbConfig, RedbStore};
use ws_store::{Refusal, SessionKey, SessionStore, StoreError};

/// The sessions table as the store lays it out (see `src/redb/tables.rs`).
const SESSIONS: TableDefinition<u128, &[u8]> = TableDefinition::new("ws_store.sessions");

type Outcome = Result<(), Box<dyn std::error::Error>>;

fn file_in(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

fn fsync() -> RedbConfig {
    RedbConfig { durability: Durability::Fsync }
}

#[tokio::test]
async fn redb_store_passes_the_conformance_suite() -> Outcome {
    let dir = tempfile::tempdir()?;
    conformance::run_all(&RedbStore::open(file_in(&dir, "store.redb"), fsync())?).await?;
    Ok(())
}

#[tokio::test]
async fn every_durability_policy_passes_the_conformance_suite() -> Outcome {
    let dir = tempfile::tempdir()?;
    let deferred = NoFsync::Deferred { fsync_every: 3.try_into()? };
    for (name, no_fsync) in [("os.redb", NoFsync::OsCache), ("deferred.redb", deferred)] {
        let config = RedbConfig { durability: Durability::NoFsync(no_fsync) };
        conformance::run_all(&RedbStore::open(file_in(&dir, name), config)?).await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_reopened_store_keeps_sessions_outboxes_and_its_epoch() -> Outcome {
    let dir = tempfile::tempdir()?;
    let path = file_in(&dir, "store.redb");
    let store = RedbStore::open(&path, fsync())?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    let changes = Changes { append: entries(1..=3), acked_through: Some(1), ..Changes::default() };
    assert_eq!(write(&store, &lease, changes).await?, Ok(()));
    let epoch = store.epoch().await?;
    drop(store);
    let reopened = RedbStore::open(&path, fsync())?;
    assert_eq!(reopened.epoch().await?, epoch, "the epoch is kept in the file");
    let loaded = found(&reopened, &created.key).await?;
    assert_eq!(loaded.outbox, entries(2..=3), "the outbox survives, trimmed to the ack");
    assert_eq!(loaded.record.progress.next_seq, 4);
    let more = Changes { append: entries(4..=4), ..Changes::default() };
    assert_eq!(write(&reopened, &lease, more).await?, Ok(()), "the lease still writes");
    Ok(())
}

/// Copies the raw session values of the file at `from` into the file at `to`.
fn copy_sessions(from: &Path, to: &Path) -> Outcome {
    let source = redb::Database::open(from)?;
    let read = source.begin_read()?;
    let sessions = read.open_table(SESSIONS)?;
    let target = redb::Database::open(to)?;
    let txn = target.begin_write()?;
    {
        let mut copied = txn.open_table(SESSIONS)?;
        for item in sessions.iter()? {
            let (key, value) = item?;
            copied.insert(key.value(), value.value())?;
        }
    }
    txn.commit()?;
    Ok(())
}

#[tokio::test]
async fn a_new_file_draws_a_new_epoch_and_copied_records_are_damaged() -> Outcome {
    let dir = tempfile::tempdir()?;
    let first_path = file_in(&dir, "first.redb");
    let second_path = file_in(&dir, "second.redb");
    let first = RedbStore::open(&first_path, fsync())?;
    let created = record(&first).await?;
    first.create(&created).await?;
    let second = RedbStore::open(&second_path, fsync())?;
    assert_ne!(first.epoch().await?, second.epoch().await?, "a new file, a new epoch");
    drop((first, second));
    copy_sessions(&first_path, &second_path)?;
    let second = RedbStore::open(&second_path, fsync())?;
    let lookup = second.load(&created.key, NOW).await?;
    assert_eq!(lookup, Lookup::Damaged(Damage::Epoch), "a record from another file");
    Ok(())
}

#[tokio::test]
async fn a_malformed_record_is_corrupt_not_a_panic() -> Outcome {
    let dir = tempfile::tempdir()?;
    let path = file_in(&dir, "store.redb");
    let store = RedbStore::open(&path, fsync())?;
    let created = record(&store).await?;
    store.create(&created).await?;
    drop(store);
    for garbage in [&b""[..], b"\x01", b"\x07rest", &[1; 40]] {
        overwrite_record(&path, u128::from_be_bytes(created.key.0), garbage)?;
        let reopened = RedbStore::open(&path, fsync())?;
        let loaded = reopened.load(&created.key, NOW).await;
        assert!(matches!(loaded, Err(StoreError::Corrupt { backend: "redb", .. })), "{loaded:?}");
    }
    Ok(())
}

/// Puts `value` under `key` in the sessions table of the file at `path`.
fn overwrite_record(path: &Path, key: u128, value: &[u8]) -> Outcome {
    let db = redb::Database::open(path)?;
    let txn = db.begin_write()?;
    txn.open_table(SESSIONS)?.insert(key, value)?;
    txn.commit()?;
    Ok(())
}

#[tokio::test]
async fn a_sweep_removes_expired_sessions_with_their_outbox_and_inbox() -> Outcome {
    let dir = tempfile::tempdir()?;
    let store = RedbStore::open(file_in(&dir, "store.redb"), fsync())?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    let changes = Changes { append: entries(1..=3), ..Changes::default() };
    assert_eq!(write(&store, &lease, changes).await?, Ok(()));
    store.post(&created.key, conformance::post(ws_store::Kind::Text, "posted")).await?;
    assert_eq!(store.sweep(created.expires_at).await?, 1, "one session expired");
    assert_eq!(store.load(&created.key, NOW).await?, Lookup::Missing, "swept");
    store.create(&created).await?;
    let loaded = found(&store, &created.key).await?;
    assert!(loaded.outbox.is_empty() && loaded.inbox.is_empty(), "nothing left behind");
    Ok(())
}

/// `count` sessions created at once (claims and creates share write transactions); the
/// first record is created once more, which only that create's outcome refuses.
async fn created_at_once(store: &RedbStore, count: usize) -> Result<Vec<SessionKey>, StoreError> {
    let mut records = Vec::new();
    for _ in 0..count {
        records.push(record(store).await?);
    }
    let mut creates = tokio::task::JoinSet::new();
    for created in records.iter().chain(records.first()) {
        let store = store.clone();
        let created = created.clone();
        creates.spawn(async move {
            store.create(&created).await.map_err(|error| error.refusal().cloned())
        });
    }
    let outcomes = creates.join_all().await;
    let refused: Vec<_> = outcomes.iter().filter_map(|outcome| outcome.clone().err()).collect();
    assert_eq!(refused, vec![Some(Refusal::Exists)], "only the second create of one key");
    Ok(records.iter().map(|created| created.key).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_each_get_their_own_outcome_and_all_are_durable() -> Outcome {
    let dir = tempfile::tempdir()?;
    let path = file_in(&dir, "store.redb");
    let store = RedbStore::open(&path, fsync())?;
    let keys = created_at_once(&store, 300).await?;
    let refused_one = |index: usize| index.is_multiple_of(7); // checked against a token that changed
    let mut claims = tokio::task::JoinSet::new();
    for (index, key) in keys.iter().copied().enumerate() {
        let expected = if refused_one(index) { token(9) } else { token(1) };
        let store = store.clone();
        claims.spawn(async move { (index, store.claim(&claim_by_b(key, expected), NOW).await) });
    }
    for (index, claimed) in claims.join_all().await {
        match claimed {
            Ok(lease) => assert!(!refused_one(index) && lease.generation == 2, "{index}"),
            Err(error) => assert_eq!(error.refusal(), Some(&Refusal::TokenChanged), "{index}"),
        }
    }
    drop(store);
    let reopened = RedbStore::open(&path, fsync())?;
    for (index, key) in keys.iter().enumerate() {
        let record = found(&reopened, key).await?.record;
        let expected = if refused_one(index) { (1, token(1)) } else { (2, token(2)) };
        assert_eq!((record.owner.generation, record.tokens.current), expected, "{index}");
    }
    Ok(())
}
