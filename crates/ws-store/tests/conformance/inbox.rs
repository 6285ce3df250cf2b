//! The inbox cases of the conformance suite: posts wait in order until a write moves them,
//! a full inbox refuses, and each post leaves its owner one notice.

use super::{entries, found, fresh_key, post, record, write, MAX_INBOX};
use ws_store::{Changes, Kind, NodeId, Refusal, SessionStore, StoreError};

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
