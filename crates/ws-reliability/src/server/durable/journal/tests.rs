//! The journal against a store that fails: a durable send waits through the failure and
//! completes once a retried round commits; a held message goes out only then; a refused
//! write (another node's claim) marks the session lost.

use super::Journal;
use crate::link::{OutboxBase, Stored};
use crate::protocol::{Limits, Payload};
use crate::server::durable::state::{DurableSession, Start};
use crate::server::StoreConfig;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use ws_batch::{Confirmation, Outbox};
use ws_store::{Claim, Lookup, MemoryStore, Posted, SessionKey, SessionRecord, SessionStore};
use ws_store::{Epoch, Kind, Lease, Refusal, SessionWrite, StoreError, UnixMillis};

/// A `MemoryStore` whose first `failures` commits fail (a store that is down for a while).
#[derive(Debug)]
struct Flaky {
    inner: MemoryStore,
    failures: AtomicUsize,
}

#[async_trait::async_trait]
impl SessionStore for Flaky {
    fn backend(&self) -> &'static str {
        "flaky"
    }
    async fn epoch(&self) -> Result<Epoch, StoreError> {
        self.inner.epoch().await
    }
    async fn create(&self, record: &SessionRecord) -> Result<Lease, StoreError> {
        self.inner.create(record).await
    }
    async fn load(&self, key: &SessionKey, now: UnixMillis) -> Result<Lookup, StoreError> {
        self.inner.load(key, now).await
    }
    async fn claim(&self, claim: &Claim, now: UnixMillis) -> Result<Lease, StoreError> {
        self.inner.claim(claim, now).await
    }
    async fn commit(
        &self,
        writes: &[SessionWrite],
    ) -> Result<Vec<Result<(), Refusal>>, StoreError> {
        let left = self.failures.load(Ordering::SeqCst);
        if left > 0 {
            self.failures.store(left - 1, Ordering::SeqCst);
            return Err(StoreError::backend("flaky", "down"));
        }
        self.inner.commit(writes).await
    }
    async fn post(
        &self,
        key: &SessionKey,
        kind: Kind,
        payload: bytes::Bytes,
    ) -> Result<Posted, StoreError> {
        self.inner.post(key, kind, payload).await
    }
    async fn remove(&self, lease: &Lease) -> Result<(), StoreError> {
        self.inner.remove(lease).await
    }
    async fn sweep(&self, now: UnixMillis) -> Result<usize, StoreError> {
        self.inner.sweep(now).await
    }
}

struct Fixture {
    store: Arc<Flaky>,
    journal: Journal,
    outbox: Outbox<Stored>,
    durable: Arc<DurableSession>,
    key: SessionKey,
}

async fn fixture(failures: usize) -> Fixture {
    let store = Arc::new(Flaky {
        inner: MemoryStore::new().unwrap(),
        failures: AtomicUsize::new(failures),
    });
    let journal = Journal::new(StoreConfig::new(store.clone(), "a"));
    let base = OutboxBase::new(crate::link::server_outbox_config());
    let outbox = base.outbox_with(Confirmation::Ack, &Limits::default(), true);
    let key = SessionKey([3; 16]);
    let mut record = SessionRecord { key, ..SessionRecord::default() };
    record.epoch = store.epoch().await.unwrap();
    record.expires_at = UnixMillis::now().after(std::time::Duration::from_secs(60));
    record.owner.node = ws_store::NodeId("a".into());
    record.owner.generation = 1;
    let lease = store.create(&record).await.unwrap();
    let start =
        Start { lease, journal: journal.clone(), outbox: outbox.clone(), appended: 0, received: 0 };
    let durable = DurableSession::new(start);
    journal.start();
    Fixture { store, journal, outbox, durable, key }
}

fn text(text: &str) -> Stored {
    Stored::from(Payload::Text(text.into()))
}

#[tokio::test(start_paused = true)]
async fn a_durable_send_waits_through_a_failing_store_and_is_held_until_committed() {
    let fixture = fixture(2).await;
    let seq = fixture.outbox.push(text("hello")).unwrap();
    fixture.durable.pushed(seq);
    let mut sink = futures::sink::drain();
    assert_eq!(fixture.outbox.flush(&mut sink).await.unwrap().sent, 0, "held: not yet stored");
    assert!(fixture.durable.committed(seq).await, "committed after two failed rounds");
    assert_eq!(fixture.store.failures.load(Ordering::SeqCst), 0, "both failures were met");
    assert_eq!(fixture.outbox.flush(&mut sink).await.unwrap().sent, 1, "released once stored");
    let Lookup::Found(loaded) = fixture.store.load(&fixture.key, UnixMillis::now()).await.unwrap()
    else {
        panic!("stored")
    };
    assert_eq!(loaded.outbox.len(), 1);
    drop(fixture.journal);
}

#[tokio::test(start_paused = true)]
async fn a_write_refused_by_another_nodes_claim_loses_the_session() {
    let fixture = fixture(0).await;
    let record = fixture.store.inner.load(&fixture.key, UnixMillis::now()).await.unwrap();
    let Lookup::Found(loaded) = record else { panic!("stored") };
    let tokens = loaded.record.tokens.clone();
    let deadlines = ws_store::Deadlines {
        lease_until: UnixMillis::now(),
        expires_at: loaded.record.expires_at,
    };
    let claim = Claim {
        key: fixture.key,
        node: ws_store::NodeId("b".into()),
        expected: tokens.current.clone(),
        tokens,
        deadlines,
    };
    fixture.store.claim(&claim, UnixMillis::now()).await.unwrap();
    let seq = fixture.outbox.push(text("late")).unwrap();
    fixture.durable.pushed(seq);
    assert!(!fixture.durable.committed(seq).await, "fenced: never committed");
    assert!(fixture.durable.is_lost());
}
