//! How many durable messages per second one commit path of `RedbStore` reaches: every
//! commit is one outbox flush carrying [`BATCH`] 64-byte messages for each of [`SESSIONS`]
//! sessions (with the ack of the previous flush, so the outboxes stay short), under each
//! durability policy in turn. A measurement, not a check: ignored by default; run it in
//! release (`FLUSHES` commits per policy, 40 unless `WS_STORE_RATE_FLUSHES` says):
//!
//! `cargo test --release -p ws-store --features redb --test redb_rate -- --ignored --nocapture`
#![cfg(feature = "redb")]

mod conformance;

use std::time::{Duration, Instant};
use ws_store::{Changes, Durability, Entry, Kind, Lease, NoFsync, RedbConfig, RedbStore};
use ws_store::{SessionStore, SessionWrite, StoreError};

/// Sessions written by every flush.
const SESSIONS: usize = 100;
/// Entries per session per flush.
const BATCH: u64 = 256;
/// The size of every message.
const MESSAGE_BYTES: usize = 64;

type Outcome = Result<(), Box<dyn std::error::Error>>;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it in release with --ignored --nocapture"]
async fn redb_commit_rate() -> Outcome {
    let flushes = std::env::var("WS_STORE_RATE_FLUSHES").map_or(Ok(40), |text| text.parse())?;
    let deferred = NoFsync::Deferred { fsync_every: 16.try_into()? };
    let policies = [Durability::NoFsync(NoFsync::OsCache), Durability::NoFsync(deferred)];
    for durability in [Durability::Fsync].into_iter().chain(policies) {
        let elapsed = measure(RedbConfig { durability }, flushes).await?;
        report(&durability, flushes, elapsed);
    }
    Ok(())
}

/// Prints one policy's figures.
fn report(durability: &Durability, flushes: u64, elapsed: Duration) {
    let messages = flushes * SESSIONS as u64 * BATCH;
    let rate = messages as f64 / elapsed.as_secs_f64();
    let per_commit = elapsed.as_secs_f64() * 1000.0 / flushes as f64;
    println!("{durability:?}: {messages} messages in {flushes} commits, {elapsed:.2?}");
    println!("    {rate:.0} messages/s; {per_commit:.2} ms per commit of {SESSIONS}x{BATCH}");
}

/// Runs `flushes` commits on a fresh file under `config`; how long they took.
async fn measure(config: RedbConfig, flushes: u64) -> Result<Duration, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = RedbStore::open(dir.path().join("rate.redb"), config)?;
    let leases = create_sessions(&store).await?;
    let payload = bytes::Bytes::from(vec![b'x'; MESSAGE_BYTES]);
    let started = Instant::now();
    for flush in 0..flushes {
        let outcomes = store.commit(&flush_writes(&leases, flush, &payload)).await?;
        assert!(outcomes.iter().all(Result::is_ok), "flush {flush}: {outcomes:?}");
    }
    Ok(started.elapsed())
}

async fn create_sessions(store: &RedbStore) -> Result<Vec<Lease>, StoreError> {
    let mut leases = Vec::new();
    for _ in 0..SESSIONS {
        leases.push(store.create(&conformance::record(store).await?).await?);
    }
    Ok(leases)
}

/// Flush number `flush`: [`BATCH`] entries for every session, acking the previous flush.
fn flush_writes(leases: &[Lease], flush: u64, payload: &bytes::Bytes) -> Vec<SessionWrite> {
    let first = flush * BATCH + 1;
    let entry = |seq| Entry { seq, kind: Kind::Binary, payload: payload.clone() };
    let append: Vec<Entry> = (first..first + BATCH).map(entry).collect();
    let acked_through = Some(first - 1).filter(|acked| *acked > 0);
    let changes = Changes { append, acked_through, ..Changes::default() };
    let write = |lease: &Lease| SessionWrite { lease: lease.clone(), changes: changes.clone() };
    leases.iter().map(write).collect()
}
