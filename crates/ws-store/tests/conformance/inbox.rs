//! The inbox cases of the conformance suite: posts wait in order until a write moves them,
//! a full inbox refuses, and each post leaves its owner one notice, which follows the
//! session.

use super::{claim_by_b, entries, found, fresh_key, post, record, token, write, MAX_INBOX, NOW};
use ws_store::{Changes, Kind, NodeId, Refusal, SessionRecord, SessionStore, StoreError};

/// Posted messages wait in the inbox, in order, until a write moves them into the outbox.
pub async fn inbox(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let lease = store.create(&created).await?;
    let first = store.post(&created.key, post(Kind::Text, "one")).await?;
    let second = store.post(&created.key, post(Kind::Binary, "two")).await?;
    assert!(first.id < second.id, "inbox: ids increase");
    assert_eq!(found(store, &created.key).await?.inbox, vec![first.clone(), second.clone()]);
    let moved =
        Changes { append: entries(1..=1), inbox_through: Some(first.id), ..Changes::default() };
    assert_eq!(write(store, &lease, moved).await?, Ok(()), "inbox: moved");
    assert_eq!(found(store, &created.key).await?.inbox, vec![second], "inbox: consumed once");
    Ok(())
}

/// An inbox refuses a post past the poster's bound, adds nothing, and takes posts again
/// once a write moved some into the outbox.
pub async fn full_inbox(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let lease = store.create(&created).await?;
    for _ in 0..MAX_INBOX {
        store.post(&created.key, post(Kind::Text, "p")).await?;
    }
    let full = store.post(&created.key, post(Kind::Text, "one too many")).await;
    let max = MAX_INBOX as u64;
    assert_eq!(
        full.map_err(|error| error.refusal().cloned()),
        Err(Some(Refusal::InboxFull { max }))
    );
    assert_eq!(store.inbox(&created.key, 0).await?.len(), MAX_INBOX, "full: nothing added");
    let moved = Changes { append: entries(1..=1), inbox_through: Some(1), ..Changes::default() };
    assert_eq!(write(store, &lease, moved).await?, Ok(()));
    let again = store.post(&created.key, post(Kind::Text, "room again")).await?;
    assert_eq!(again.id, max + 1, "full: ids go on after a refusal");
    Ok(())
}

/// A post leaves the owner one notice, taken once; the inbox reads from an id on.
pub async fn notices(store: &dyn SessionStore) -> Result<(), StoreError> {
    let mut created = record(store).await?;
    created.owner.node = NodeId(format!("owner-{}", created.key));
    let lease = store.create(&created).await?;
    let first = store.post(&created.key, post(Kind::Text, "one")).await?;
    let second = store.post(&created.key, post(Kind::Binary, "two")).await?;
    assert_eq!(store.notices(&created.owner.node).await?, vec![created.key], "one notice");
    assert!(store.notices(&created.owner.node).await?.is_empty(), "notices: taken once");
    assert!(!store.notices(&NodeId("a".into())).await?.contains(&created.key), "owner only");
    assert_eq!(store.inbox(&created.key, 0).await?, vec![first.clone(), second.clone()]);
    assert_eq!(store.inbox(&created.key, first.id).await?, vec![second.clone()], "after");
    let moved = Changes { inbox_through: Some(first.id), ..Changes::default() };
    assert_eq!(write(store, &lease, moved).await?, Ok(()));
    assert_eq!(store.inbox(&created.key, 0).await?, vec![second], "inbox: moved ones gone");
    assert!(store.inbox(&fresh_key()?, 0).await?.is_empty(), "inbox: unknown session");
    Ok(())
}

/// A notice follows its session: a claim passes it to the new owner, and a removal or a
/// sweep takes it along, so no node keeps a notice of a session that is gone.
pub async fn notices_follow_the_session(store: &dyn SessionStore) -> Result<(), StoreError> {
    passed_on_claim(store).await?;
    dropped_on_removal(store).await?;
    dropped_on_sweep(store).await
}

/// A record owned by a node of its own, created, with one post waiting.
async fn posted_to(store: &dyn SessionStore) -> Result<SessionRecord, StoreError> {
    let mut created = record(store).await?;
    created.owner.node = NodeId(format!("owner-{}", created.key));
    store.create(&created).await?;
    store.post(&created.key, post(Kind::Text, "waiting")).await?;
    Ok(created)
}

async fn passed_on_claim(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = posted_to(store).await?;
    let mut claim = claim_by_b(created.key, token(1));
    claim.node = NodeId(format!("claimer-{}", created.key));
    store.claim(&claim, NOW).await?;
    let old = store.notices(&created.owner.node).await?;
    assert!(old.is_empty(), "claim: the old owner keeps no notice, {old:?}");
    assert_eq!(store.notices(&claim.node).await?, vec![created.key], "claim: passed on");
    Ok(())
}

async fn dropped_on_removal(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = posted_to(store).await?;
    let owner = &created.owner;
    let lease = ws_store::Lease { key: created.key, node: owner.node.clone(), generation: 1 };
    store.remove(&lease).await?;
    let left = store.notices(&owner.node).await?;
    assert!(left.is_empty(), "removal: the notice went with the session, {left:?}");
    Ok(())
}

/// Only for a store that sweeps: Redis expires its keys itself (its own test checks that
/// the notice set expires with the session).
async fn dropped_on_sweep(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = posted_to(store).await?;
    if store.sweep(created.expires_at).await? > 0 {
        let left = store.notices(&created.owner.node).await?;
        assert!(left.is_empty(), "sweep: the notice went with the session, {left:?}");
    }
    Ok(())
}
