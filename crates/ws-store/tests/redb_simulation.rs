//! Under the `simulation` feature (the soak under turmoil, never a service's build),
//! `RedbStore` runs each transaction inline on the calling task, not on tokio's blocking
//! pool: the whole conformance suite, on a real file, completes at its first poll, with no
//! runtime and no thread; and a store reopened on the file, as a restarted simulated server
//! opens it, keeps what was committed.
#![cfg(all(feature = "redb", feature = "simulation"))]

mod conformance;

use conformance::{entries, found, record, write};
use std::future::Future;
use std::task::{Context, Poll, Waker};
use ws_store::{Changes, Durability, NoFsync, RedbConfig, RedbStore, SessionStore};

type Outcome = Result<(), Box<dyn std::error::Error>>;

/// `future`'s output if it is ready at its first poll.
fn first_poll<F: Future>(future: F) -> Option<F::Output> {
    let mut context = Context::from_waker(Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

fn os_cache() -> RedbConfig {
    RedbConfig { durability: Durability::NoFsync(NoFsync::OsCache) }
}

#[test]
fn the_conformance_suite_completes_at_its_first_poll_without_a_runtime() -> Outcome {
    let dir = tempfile::tempdir()?;
    let store = RedbStore::open(dir.path().join("sim.redb"), RedbConfig::default())?;
    first_poll(conformance::run_all(&store)).ok_or("the suite waited for something")??;
    Ok(())
}

#[test]
fn a_store_reopened_on_its_file_keeps_what_was_committed() -> Outcome {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("sim.redb");
    let store = RedbStore::open(&path, os_cache())?;
    let committed = first_poll(async {
        let created = record(&store).await?;
        let lease = store.create(&created).await?;
        let changes = Changes { append: entries(1..=3), ..Changes::default() };
        write(&store, &lease, changes).await.map(|outcome| (created, outcome))
    });
    let (created, outcome) = committed.ok_or("a call waited")??;
    assert_eq!(outcome, Ok(()));
    drop(store);
    let reopened = RedbStore::open(&path, os_cache())?;
    let loaded = first_poll(found(&reopened, &created.key)).ok_or("the load waited")??;
    assert_eq!(loaded.outbox, entries(1..=3));
    Ok(())
}
