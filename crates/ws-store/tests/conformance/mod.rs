//! The test suite every `SessionStore` backend passes: `run_all(&store).await` from the
//! backend's test file beside this directory. Each case works on fresh random keys, so one store runs them all, and
//! asserts (it is test code: a failed case panics with its name).

#![allow(dead_code)] // each backend's test file uses what it needs

mod inbox;

use ws_store::{Changes, Claim, Damage, Deadlines, Entry, Kind, Lease, Lookup, NodeId, Owner};
use ws_store::{NewPost, Progress, TokenHash, Tokens, UnixMillis};
use ws_store::{Refusal, SessionKey, SessionRecord, SessionStore, SessionWrite, StoreError};

/// The time every case starts at.
pub const NOW: UnixMillis = UnixMillis(1_700_000_000_000);
/// How long after [`NOW`] a fixture record expires.
pub const WINDOW_MS: u64 = 60_000;

/// Runs every case against `store`.
pub async fn run_all(store: &dyn SessionStore) -> Result<(), StoreError> {
    round_trip(store).await?;
    refusals(store).await?;
    append_ack_trim(store).await?;
    out_of_order(store).await?;
    claim_fences(store).await?;
    expiry(store).await?;
    progress(store).await?;
    inbox::inbox(store).await?;
    inbox::full_inbox(store).await?;
    inbox::notices(store).await?;
    many_at_once(store).await?;
    damage(store).await?;
    removal(store).await?;
    inbox::notices_follow_the_session(store).await
}

/// A post of `payload` to an inbox that may hold [`MAX_INBOX`] posts.
pub fn post(kind: Kind, payload: &'static str) -> NewPost {
    NewPost { kind, payload: payload.into(), max_inbox: MAX_INBOX }
}

/// The inbox bound of [`post`].
pub const MAX_INBOX: usize = 16;

/// A fresh random session key.
pub fn fresh_key() -> Result<SessionKey, StoreError> {
    let mut bytes = [0; ws_store::KEY_LEN];
    getrandom::fill(&mut bytes)?;
    Ok(SessionKey(bytes))
}

/// A token hash filled with `byte`.
pub fn token(byte: u8) -> TokenHash {
    TokenHash([byte; 32])
}

/// A fresh record owned by node `a`, generation 1, in `store`'s epoch.
pub async fn record(store: &dyn SessionStore) -> Result<SessionRecord, StoreError> {
    let tokens = Tokens { current: token(1), pending: None, used: vec![] };
    let owner =
        Owner { node: NodeId("a".into()), generation: 1, lease_until: NOW.after(ms(30_000)) };
    Ok(SessionRecord {
        key: fresh_key()?,
        identity: "alice".into(),
        tokens,
        progress: Progress::default(),
        expires_at: UnixMillis(NOW.0 + WINDOW_MS),
        owner,
        epoch: store.epoch().await?,
    })
}

fn ms(millis: u64) -> std::time::Duration {
    std::time::Duration::from_millis(millis)
}

/// Text entries `seqs`, each payload naming its number.
pub fn entries(seqs: std::ops::RangeInclusive<u64>) -> Vec<Entry> {
    let entry = |seq: u64| Entry { seq, kind: Kind::Text, payload: format!("m{seq}").into() };
    seqs.map(entry).collect()
}

/// Commits `changes` under `lease` alone and returns its outcome.
pub async fn write(
    store: &dyn SessionStore,
    lease: &Lease,
    changes: Changes,
) -> Result<Result<(), Refusal>, StoreError> {
    let outcomes = store.commit(&[SessionWrite { lease: lease.clone(), changes }]).await?;
    Ok(outcomes.into_iter().next().unwrap_or(Err(Refusal::Missing)))
}

/// The loaded session under `key` at [`NOW`]; a failed case when it is not found.
pub async fn found(
    store: &dyn SessionStore,
    key: &SessionKey,
) -> Result<ws_store::Loaded, StoreError> {
    match store.load(key, NOW).await? {
        Lookup::Found(loaded) => Ok(*loaded),
        other => {
            Err(StoreError::backend(store.backend(), format!("{key}: expected found, {other:?}")))
        }
    }
}

/// A claim of `key` by node `b` presenting `expected`, rotating to token 2.
pub fn claim_by_b(key: SessionKey, expected: TokenHash) -> Claim {
    let tokens = Tokens { current: token(2), pending: Some(expected.clone()), used: vec![] };
    let deadlines =
        Deadlines { lease_until: NOW.after(ms(30_000)), expires_at: NOW.after(ms(WINDOW_MS)) };
    Claim { key, node: NodeId("b".into()), expected, tokens, deadlines }
}

/// Created, the record loads back as written, with nothing queued.
pub async fn round_trip(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let lease = store.create(&created).await?;
    assert_eq!(lease.generation, 1, "round_trip: a created session is generation 1");
    let loaded = found(store, &created.key).await?;
    assert_eq!(loaded.record, created, "round_trip: the record loads as written");
    assert!(loaded.outbox.is_empty() && loaded.inbox.is_empty(), "round_trip: empty");
    assert_eq!(store.epoch().await?, store.epoch().await?, "round_trip: a stable epoch");
    Ok(())
}

/// A taken key, a missing session: refused, typed.
pub async fn refusals(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let lease = store.create(&created).await?;
    let again = store.create(&created).await.map_err(|error| error.refusal().cloned());
    assert_eq!(again, Err(Some(Refusal::Exists)), "refusals: a key is created once");
    let missing = fresh_key()?;
    assert_eq!(store.load(&missing, NOW).await?, Lookup::Missing, "refusals: missing");
    let claimed = store.claim(&claim_by_b(missing, token(1)), NOW).await;
    assert_eq!(claimed.map_err(|error| error.refusal().cloned()), Err(Some(Refusal::Missing)));
    let stray = Lease { key: missing, ..lease };
    let outcome = write(store, &stray, Changes::default()).await?;
    assert_eq!(outcome, Err(Refusal::Missing), "refusals: a write to a missing session");
    Ok(())
}

/// Entries appended in one write load back in order until acked; an ack trims.
pub async fn append_ack_trim(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let lease = store.create(&created).await?;
    let appended = Changes { append: entries(1..=3), ..Changes::default() };
    assert_eq!(write(store, &lease, appended).await?, Ok(()), "append_ack_trim: append");
    assert_eq!(found(store, &created.key).await?.outbox, entries(1..=3), "append_ack_trim");
    let acked = Changes { acked_through: Some(2), ..Changes::default() };
    assert_eq!(write(store, &lease, acked).await?, Ok(()), "append_ack_trim: ack");
    let loaded = found(store, &created.key).await?;
    assert_eq!(loaded.outbox, entries(3..=3), "append_ack_trim: trimmed to the ack");
    assert_eq!((loaded.record.progress.acked_through, loaded.record.progress.next_seq), (2, 4));
    Ok(())
}

/// An append that does not continue the outbox is refused and changes nothing.
pub async fn out_of_order(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let lease = store.create(&created).await?;
    let skipping = Changes { append: entries(2..=3), acked_through: Some(0), ..Changes::default() };
    let outcome = write(store, &lease, skipping).await?;
    assert_eq!(outcome, Err(Refusal::OutOfOrder { expected: 1, got: 2 }), "out_of_order");
    let loaded = found(store, &created.key).await?;
    assert!(loaded.outbox.is_empty(), "out_of_order: nothing applied");
    assert_eq!(loaded.record.progress.next_seq, 1, "out_of_order: next_seq unchanged");
    Ok(())
}

/// A claim raises the generation and rotates the tokens; the old lease is fenced; a claim
/// checked against a token that changed is refused.
pub async fn claim_fences(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let old = store.create(&created).await?;
    let stale = store.claim(&claim_by_b(created.key, token(9)), NOW).await;
    let stale = stale.map_err(|error| error.refusal().cloned());
    assert_eq!(stale, Err(Some(Refusal::TokenChanged)), "claim_fences: checked token");
    let new = store.claim(&claim_by_b(created.key, token(1)), NOW).await?;
    assert_eq!((new.generation, new.node.0.as_str()), (2, "b"), "claim_fences: taken over");
    let fenced = write(store, &old, Changes { append: entries(1..=1), ..Changes::default() });
    assert_eq!(fenced.await?, Err(Refusal::Fenced { held: 1, current: 2 }), "claim_fences");
    let owned = write(store, &new, Changes { append: entries(1..=1), ..Changes::default() });
    assert_eq!(owned.await?, Ok(()), "claim_fences: the new owner writes");
    assert_eq!(found(store, &created.key).await?.record.tokens.current, token(2));
    Ok(())
}

/// Past its expiry a session is expired to loads and claims, and a sweep removes it.
pub async fn expiry(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    store.create(&created).await?;
    let at = created.expires_at;
    assert_eq!(store.load(&created.key, at).await?, Lookup::Expired, "expiry: load");
    let claimed = store.claim(&claim_by_b(created.key, token(1)), at).await;
    let claimed = claimed.map_err(|error| error.refusal().cloned());
    assert_eq!(claimed, Err(Some(Refusal::Expired)), "expiry: claim");
    store.sweep(at).await?;
    let after = store.load(&created.key, at).await?;
    assert!(matches!(after, Lookup::Missing | Lookup::Expired), "expiry: swept, {after:?}");
    Ok(())
}

/// Received progress only rises; confirmed tokens and deadlines are kept.
pub async fn progress(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let lease = store.create(&created).await?;
    let tokens = Tokens { current: token(3), pending: None, used: vec![token(1)] };
    let deadlines = Deadlines { lease_until: NOW, expires_at: NOW.after(ms(2 * WINDOW_MS)) };
    let changes = Changes {
        received_through: Some(5),
        tokens: Some(tokens.clone()),
        deadlines: Some(deadlines),
        ..Changes::default()
    };
    assert_eq!(write(store, &lease, changes).await?, Ok(()), "progress: write");
    let lower = Changes { received_through: Some(3), ..Changes::default() };
    assert_eq!(write(store, &lease, lower).await?, Ok(()), "progress: lower");
    let record = found(store, &created.key).await?.record;
    assert_eq!((record.progress.received_through, record.tokens), (5, tokens), "progress: kept");
    assert_eq!((record.owner.lease_until, record.expires_at), (NOW, deadlines.expires_at));
    Ok(())
}

/// One commit writes many sessions; a refused one does not stop the others.
pub async fn many_at_once(store: &dyn SessionStore) -> Result<(), StoreError> {
    let fenced_record = record(store).await?;
    let stale = store.create(&fenced_record).await?;
    store.claim(&claim_by_b(fenced_record.key, token(1)), NOW).await?;
    let healthy_record = record(store).await?;
    let healthy = store.create(&healthy_record).await?;
    let append = Changes { append: entries(1..=2), ..Changes::default() };
    let writes = [stale, healthy].map(|lease| SessionWrite { lease, changes: append.clone() });
    let outcomes = store.commit(&writes).await?;
    assert_eq!(outcomes, vec![Err(Refusal::Fenced { held: 1, current: 2 }), Ok(())]);
    assert_eq!(found(store, &healthy_record.key).await?.outbox, entries(1..=2));
    assert!(found(store, &fenced_record.key).await?.outbox.is_empty(), "many: fenced");
    Ok(())
}

/// A record from another epoch is damaged, never resumed.
pub async fn damage(store: &dyn SessionStore) -> Result<(), StoreError> {
    let mut foreign = record(store).await?;
    foreign.epoch = ws_store::Epoch(foreign.epoch.0.wrapping_add(1));
    store.create(&foreign).await?;
    let lookup = store.load(&foreign.key, NOW).await?;
    assert_eq!(lookup, Lookup::Damaged(Damage::Epoch), "damage: another epoch");
    Ok(())
}

/// A removed session is gone; a fenced lease cannot remove it.
pub async fn removal(store: &dyn SessionStore) -> Result<(), StoreError> {
    let created = record(store).await?;
    let old = store.create(&created).await?;
    let new = store.claim(&claim_by_b(created.key, token(1)), NOW).await?;
    let refused = store.remove(&old).await.map_err(|error| error.refusal().cloned());
    assert_eq!(refused, Err(Some(Refusal::Fenced { held: 1, current: 2 })), "removal");
    store.remove(&new).await?;
    assert_eq!(store.load(&created.key, NOW).await?, Lookup::Missing, "removal: gone");
    Ok(())
}
