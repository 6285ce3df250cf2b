//! The journal against a store that fails: a durable send waits through the failure and
//! completes once a retried round commits; a held message goes out only then; a refused
//! write (another node's claim) marks the session lost.

use super::Journal;
use crate::protocol::{Limits, Payload};
use crate::server::durable::state::{DurableSession, Start};
use crate::server::StoreConfig;
use crate::session_link::{OutboxBase, Stored};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use ws_batch::{Confirmation, Outbox};
use ws_store::SessionStore;
use ws_store::{Claim, Lookup, MemoryStore, NewPost, Posted, SessionKey, SessionRecord};
use ws_store::{Epoch, Kind, Lease, NodeId, Refusal, SessionWrite, StoreError, UnixMillis};

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
    async fn post(&self, key: &SessionKey, post: NewPost) -> Result<Posted, StoreError> {
        self.inner.post(key, post).await
    }
    async fn notices(&self, node: &NodeId) -> Result<Vec<SessionKey>, StoreError> {
        self.inner.notices(node).await
    }
    async fn inbox(&self, key: &SessionKey, after: u64) -> Result<Vec<Posted>, StoreError> {
        self.inner.inbox(key, after).await
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
    let base = OutboxBase::new(crate::session_link::server_outbox_config());
    let outbox = base.outbox_with(Confirmation::Ack, &Limits::default(), true);
    let key = SessionKey([3; 16]);
    let mut record = SessionRecord { key, ..SessionRecord::default() };
    record.epoch = store.epoch().await.unwrap();
    record.expires_at = UnixMillis::now().after(std::time::Duration::from_secs(60));
    record.owner.node = ws_store::NodeId("a".into());
    record.owner.generation = 1;
    let lease = store.create(&record).await.unwrap();
    let tokens = record.tokens.clone();
    let journal_of = journal.clone();
    let start = Start {
        lease,
        journal: journal_of,
        outbox: outbox.clone(),
        appended: 0,
        received: 0,
        tokens,
    };
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
    let attached = crate::link::LinkToken::new();
    let (out, _writes) = crate::session_link::Outgoing::detached();
    fixture.durable.attach_out(out.clone(), &attached);
    let seq = fixture.outbox.push(text("late")).unwrap();
    fixture.durable.pushed(seq);
    assert!(!fixture.durable.committed(seq).await, "fenced: never committed");
    assert!(fixture.durable.is_lost());
    assert!(attached.is_cancelled(), "the attached link is stopped: 4003");
    let later = crate::link::LinkToken::new();
    fixture.durable.attach_out(out, &later);
    assert!(later.is_cancelled(), "a link attached after the loss stops at once");
}

#[tokio::test(start_paused = true)]
async fn posts_move_into_the_outbox_once_and_leave_the_inbox_in_the_same_commit() {
    let fixture = fixture(0).await;
    let store = &fixture.store;
    let post = |kind, payload| NewPost { kind, payload, max_inbox: 16 };
    store.post(&fixture.key, post(Kind::Text, "one".into())).await.unwrap();
    let broken = bytes::Bytes::from_static(&[0xff]); // text that is not UTF-8: a damaged store
    store.post(&fixture.key, post(Kind::Text, broken)).await.unwrap();
    store.post(&fixture.key, post(Kind::Binary, "two".into())).await.unwrap();
    let posted = store.inbox(&fixture.key, 0).await.unwrap();
    let taken = fixture.durable.take_posts(&posted);
    assert_eq!((taken.last_seq, taken.complete), (Some(2), true), "the broken one passed over");
    assert_eq!(fixture.durable.posts_taken(), 3);
    assert_eq!(fixture.durable.take_posts(&posted).last_seq, None, "each moves once");
    assert!(fixture.durable.committed(2).await);
    assert!(store.inbox(&fixture.key, 0).await.unwrap().is_empty(), "gone with that commit");
    let Lookup::Found(loaded) = store.load(&fixture.key, UnixMillis::now()).await.unwrap() else {
        panic!("stored")
    };
    let seqs: Vec<_> = loaded.outbox.iter().map(|entry| entry.seq).collect();
    assert_eq!(seqs, [1, 2], "in the outbox, in the order posted");
}

#[tokio::test(start_paused = true)]
async fn tokens_the_store_has_already_are_not_written_again() {
    let fixture = fixture(0).await;
    let stored = ws_store::SessionRecord::default().tokens; // what the fixture's record holds
    assert_eq!(
        fixture.durable.tokens(stored.clone()),
        0,
        "the store has them: nothing to wait for"
    );
    assert!(fixture.durable.tokens_written(0).await);
    let rotated = ws_store::Tokens { current: ws_store::TokenHash([9; 32]), ..stored };
    assert_eq!(fixture.durable.tokens(rotated.clone()), 1);
    assert_eq!(fixture.durable.tokens(rotated), 1, "the same again: the same version");
    assert!(fixture.durable.tokens_written(1).await, "written by the next round");
}
