//! The Redis backend's commit metrics (`ws_store_commits_total`, `ws_store_commit_seconds`,
//! labelled `backend="redis"`), read back from metrics-util's `DebuggingRecorder`.

#![cfg(feature = "redis")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod conformance;
mod redis_server;

use conformance::{entries, record, write};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use redis_server::RedisServer;
use ws_store::{Changes, RedisConfig, RedisStore, SessionStore, StoreError};

/// Creates a session and commits to it twice.
async fn two_commits(url: &str) -> Result<(), StoreError> {
    let store = RedisStore::connect(url, RedisConfig::default()).await?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    for batch in [entries(1..=2), entries(3..=3)] {
        let outcome = write(&store, &lease, Changes { append: batch, ..Changes::default() });
        assert_eq!(outcome.await?, Ok(()));
    }
    Ok(())
}

#[test]
fn each_commit_is_counted_and_timed_under_backend_redis() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    metrics::with_local_recorder(&recorder, || runtime.block_on(two_commits(&server.url)))?;
    let snapshot = snapshotter.snapshot().into_vec();
    let value = |name: &str| {
        let found = snapshot.iter().find(|(key, ..)| {
            let key = key.key();
            key.name() == name
                && key.labels().any(|label| label.key() == "backend" && label.value() == "redis")
        });
        found.map(|(.., value)| value).unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(value("ws_store_commits_total"), &DebugValue::Counter(2));
    let DebugValue::Histogram(seconds) = value("ws_store_commit_seconds") else { panic!() };
    assert_eq!(seconds.len(), 2, "one duration per commit");
    Ok(())
}
