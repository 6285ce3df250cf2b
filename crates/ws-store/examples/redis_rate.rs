//! Durable messages per second through `RedisStore`: each committer owns 100 sessions and
//! commits 256 messages of 64 bytes to each of them per `commit` (one pipeline of 100
//! script calls), acking the previous batch in the same write, as a server does.
//!
//! Run in release against a redis-server of your own:
//! `cargo run --release -p ws-store --features redis --example redis_rate -- URL COMMITTERS`
//! (defaults: `redis://127.0.0.1:6379`, 1 committer).

use std::time::{Duration, Instant};
use ws_store::{Changes, Entry, Kind, Lease, NodeId, Owner, SessionKey, SessionRecord};
use ws_store::{RedisConfig, RedisStore, SessionStore, SessionWrite, StoreError, UnixMillis};

/// Sessions per commit.
const SESSIONS: u64 = 100;
/// Messages per session per commit.
const BATCH: u64 = 256;
/// Bytes per message.
const PAYLOAD: [u8; 64] = [b'x'; 64];
/// Commits per committer.
const ROUNDS: u64 = 40;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), StoreError> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    let committers = args.next().and_then(|text| text.parse().ok()).unwrap_or(1_u64);
    let store = RedisStore::connect(&url, RedisConfig::default()).await?;
    let elapsed = run(&store, committers).await?;
    report(committers, elapsed);
    Ok(())
}

/// Runs `committers` committers at once, each on sessions of its own.
async fn run(store: &RedisStore, committers: u64) -> Result<Duration, StoreError> {
    let started = Instant::now();
    let tasks = (0..committers).map(|_| tokio::spawn(committer(store.clone())));
    for task in tasks.collect::<Vec<_>>() {
        task.await.map_err(|error| StoreError::backend("example", error))??;
    }
    Ok(started.elapsed())
}

async fn committer(store: RedisStore) -> Result<(), StoreError> {
    let leases = create_sessions(&store).await?;
    for round in 0..ROUNDS {
        let outcomes = store.commit(&writes(&leases, round)).await?;
        if let Some(refusal) = outcomes.into_iter().find_map(Result::err) {
            return Err(refusal.into());
        }
    }
    Ok(())
}

async fn create_sessions(store: &RedisStore) -> Result<Vec<Lease>, StoreError> {
    let run = ws_store::draw_epoch()?.0;
    let mut leases = Vec::new();
    for index in 0..SESSIONS {
        leases.push(store.create(&record(store, key(run, index)).await?).await?);
    }
    Ok(leases)
}

fn key(run: u64, index: u64) -> SessionKey {
    let mut bytes = [0; ws_store::KEY_LEN];
    bytes[..8].copy_from_slice(&run.to_le_bytes());
    bytes[8..].copy_from_slice(&index.to_le_bytes());
    SessionKey(bytes)
}

async fn record(store: &RedisStore, key: SessionKey) -> Result<SessionRecord, StoreError> {
    let mut record = SessionRecord { key, ..SessionRecord::default() };
    record.expires_at = UnixMillis::now().after(Duration::from_secs(600));
    let node = NodeId("rate".into());
    record.owner = Owner { node, generation: 1, lease_until: record.expires_at };
    record.epoch = store.epoch().await?;
    Ok(record)
}

fn writes(leases: &[Lease], round: u64) -> Vec<SessionWrite> {
    let changes = batch(round);
    let write = |lease: &Lease| SessionWrite { lease: lease.clone(), changes: changes.clone() };
    leases.iter().map(write).collect()
}

/// Round `round`'s messages, with the ack of the round before.
fn batch(round: u64) -> Changes {
    let first = round * BATCH + 1;
    let payload = bytes::Bytes::from_static(&PAYLOAD);
    let entry = |seq| Entry { seq, kind: Kind::Binary, payload: payload.clone() };
    let append = (first..first + BATCH).map(entry).collect();
    Changes { append, acked_through: Some(first - 1), ..Changes::default() }
}

fn report(committers: u64, elapsed: Duration) {
    let messages = committers * ROUNDS * SESSIONS * BATCH;
    let rate = messages as f64 / elapsed.as_secs_f64();
    let per_commit = elapsed / u32::try_from(ROUNDS).unwrap_or(u32::MAX);
    println!("{committers} committer(s): {messages} messages of 64 B in {elapsed:.2?}");
    println!("{rate:.0} durable messages/s; {per_commit:.2?} per commit of {SESSIONS} sessions x {BATCH}");
}
