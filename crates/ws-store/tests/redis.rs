//! The Redis backend against a real `redis-server` that each test starts itself: the
//! conformance suite, then what only a shared, external store shows (several store
//! instances, keys changed behind a store's back, expiry by Redis, `WAIT`).

#![cfg(feature = "redis")]

mod conformance;
mod redis_server;

use conformance::{claim_by_b, entries, found, record, token, write, NOW};
use redis::Commands;
use redis_server::RedisServer;
use std::time::Duration;
use ws_store::{Changes, Damage, Kind, Lookup, Refusal, SessionStore, StoreError, UnixMillis};
use ws_store::{NewPost, RedisConfig, RedisStore, Replication};

async fn store(server: &RedisServer) -> Result<RedisStore, StoreError> {
    RedisStore::connect(&server.url, RedisConfig::default()).await
}

#[tokio::test]
async fn redis_store_passes_the_conformance_suite() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    conformance::run_all(&store(&server).await?).await
}

#[tokio::test]
async fn a_claim_through_another_store_fences_the_first() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let (node_a, node_b) = (store(&server).await?, store(&server).await?);
    assert_eq!(node_a.epoch().await?, node_b.epoch().await?, "one epoch per Redis and prefix");
    let created = record(&node_a).await?;
    let old = node_a.create(&created).await?;
    let new = node_b.claim(&claim_by_b(created.key, token(1)), NOW).await?;
    let append = Changes { append: entries(1..=2), ..Changes::default() };
    let fenced = write(&node_a, &old, append.clone()).await?;
    assert_eq!(fenced, Err(Refusal::Fenced { held: 1, current: 2 }));
    assert_eq!(write(&node_b, &new, append).await?, Ok(()));
    assert_eq!(found(&node_a, &created.key).await?.outbox, entries(1..=2));
    Ok(())
}

#[tokio::test]
async fn a_lost_outbox_stream_is_a_gap() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let store = store(&server).await?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    let changes = Changes { append: entries(1..=3), acked_through: Some(1), ..Changes::default() };
    assert_eq!(write(&store, &lease, changes).await?, Ok(()));
    let names = store.config().keys(&created.key);
    let deleted: u64 = server.connection()?.del(&names.outbox).expect("DEL");
    assert_eq!(deleted, 1, "the outbox stream existed");
    let lookup = store.load(&created.key, NOW).await?;
    assert_eq!(lookup, Lookup::Damaged(Damage::Gap { missing: 2 }));
    Ok(())
}

#[tokio::test]
async fn a_replaced_epoch_damages_older_records() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let before = store(&server).await?;
    let created = record(&before).await?;
    before.create(&created).await?;
    let epoch_key = before.config().epoch_key();
    let _: () = server.connection()?.set(&epoch_key, created.epoch.0 ^ 1).expect("SET");
    let after = store(&server).await?;
    assert_ne!(after.epoch().await?, created.epoch, "the epoch key was replaced");
    let lookup = after.load(&created.key, NOW).await?;
    assert_eq!(lookup, Lookup::Damaged(Damage::Epoch), "a record of the older epoch");
    assert_ne!(before.epoch().await?, created.epoch, "the first store reads it again");
    let lookup = before.load(&created.key, NOW).await?;
    assert_eq!(lookup, Lookup::Damaged(Damage::Epoch), "and sees the record as damaged");
    Ok(())
}

#[tokio::test]
async fn keys_expire_by_themselves() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let config = RedisConfig { expiry_grace: Duration::from_millis(200), ..RedisConfig::default() };
    let store = RedisStore::connect(&server.url, config).await?;
    let mut created = record(&store).await?;
    created.expires_at = UnixMillis::now().after(Duration::from_millis(800));
    let lease = store.create(&created).await?;
    let changes = Changes { append: entries(1..=1), ..Changes::default() };
    assert_eq!(write(&store, &lease, changes).await?, Ok(()));
    store.post(&created.key, conformance::post(Kind::Text, "posted")).await?;
    let names = store.config().keys(&created.key);
    let notices = format!("{}{}", store.config().notices_prefix(), created.owner.node.0);
    let mut redis = server.connection()?;
    for key in [&names.record, &names.outbox, &names.inbox, &notices] {
        let ttl: i64 = redis.pttl(key).expect("PTTL");
        assert!((1..=1_000).contains(&ttl), "{key} expires in {ttl} ms (800 + 200 grace)");
    }
    assert_eq!(store.sweep(UnixMillis::now()).await?, 0, "nothing for sweep to do");
    let gone = (0..500).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        redis.exists::<_, u64>(&names.record).expect("EXISTS") == 0
    });
    assert!(gone, "Redis deleted the record within 5 s");
    let noticed: u64 = redis.exists(&notices).expect("EXISTS");
    assert_eq!(noticed, 0, "the owner's notice set expired with the session");
    assert_eq!(store.load(&created.key, UnixMillis::now()).await?, Lookup::Missing);
    Ok(())
}

#[tokio::test]
async fn a_post_through_another_store_reaches_the_owners_load() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let (owner, other) = (store(&server).await?, store(&server).await?);
    let created = record(&owner).await?;
    let lease = owner.create(&created).await?;
    let first = other.post(&created.key, conformance::post(Kind::Text, "from b")).await?;
    let second = other
        .post(
            &created.key,
            NewPost { payload: vec![0, 255].into(), ..conformance::post(Kind::Binary, "") },
        )
        .await?;
    assert_eq!((first.id, second.id), (1, 2), "post ids count from 1");
    assert_eq!(found(&owner, &created.key).await?.inbox, vec![first.clone(), second.clone()]);
    let moved =
        Changes { append: entries(1..=1), inbox_through: Some(first.id), ..Changes::default() };
    assert_eq!(write(&owner, &lease, moved).await?, Ok(()));
    assert_eq!(found(&other, &created.key).await?.inbox, vec![second]);
    let missing = other.post(&conformance::fresh_key()?, conformance::post(Kind::Text, "x")).await;
    assert_eq!(
        missing.map_err(|error| error.refusal().cloned()).err(),
        Some(Some(Refusal::Missing))
    );
    Ok(())
}

#[tokio::test]
async fn commits_survive_a_flushed_script_cache() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let store = store(&server).await?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    let _: () = redis::cmd("SCRIPT").arg("FLUSH").query(&mut server.connection()?).expect("FLUSH");
    let changes = Changes { append: entries(1..=1), ..Changes::default() };
    assert_eq!(write(&store, &lease, changes).await?, Ok(()), "the commit reloads its script");
    assert_eq!(found(&store, &created.key).await?.outbox, entries(1..=1));
    Ok(())
}

#[tokio::test]
async fn waiting_for_missing_replicas_fails_the_commit() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let replication = Replication { replicas: 1, timeout: Duration::from_millis(50) };
    let config = RedisConfig { wait_replicas: Some(replication), ..RedisConfig::default() };
    let store = RedisStore::connect(&server.url, config).await?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    let changes = Changes { append: entries(1..=1), ..Changes::default() };
    let waited = write(&store, &lease, changes).await;
    assert!(matches!(waited, Err(StoreError::Backend { .. })), "no replica: {waited:?}");
    let none = Replication { replicas: 0, ..replication };
    let config = RedisConfig { wait_replicas: Some(none), ..RedisConfig::default() };
    let unreplicated = RedisStore::connect(&server.url, config).await?;
    let next = Changes { append: entries(2..=2), ..Changes::default() };
    assert_eq!(write(&unreplicated, &lease, next).await?, Ok(()), "zero replicas: applied");
    Ok(())
}

#[tokio::test]
async fn a_dead_server_is_a_backend_error() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let store = store(&server).await?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    drop(server);
    let changes = Changes { append: entries(1..=1), ..Changes::default() };
    let outcome = write(&store, &lease, changes).await;
    assert!(matches!(outcome, Err(StoreError::Backend { .. })), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn one_stream_entry_per_batch_trimmed_by_acks() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let store = store(&server).await?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    let outbox = store.config().keys(&created.key).outbox;
    let length = |redis: &mut redis::Connection| {
        redis::cmd("XLEN").arg(&outbox).query::<u64>(redis).expect("XLEN")
    };
    for batch in [entries(1..=3), entries(4..=6)] {
        assert_eq!(
            write(&store, &lease, Changes { append: batch, ..Changes::default() }).await?,
            Ok(())
        );
    }
    assert_eq!(length(&mut server.connection()?), 2, "one entry per committed batch");
    let ack = |through| Changes { acked_through: Some(through), ..Changes::default() };
    assert_eq!(write(&store, &lease, ack(4)).await?, Ok(()));
    assert_eq!(length(&mut server.connection()?), 1, "the batch holding 5 stays");
    assert_eq!(found(&store, &created.key).await?.outbox, entries(5..=6), "partly acked");
    assert_eq!(write(&store, &lease, ack(6)).await?, Ok(()));
    assert_eq!(length(&mut server.connection()?), 0, "all acked: trimmed");
    assert!(found(&store, &created.key).await?.outbox.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_batch_that_breaks_its_own_order_is_refused_whole() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let store = store(&server).await?;
    let created = record(&store).await?;
    let lease = store.create(&created).await?;
    let mut broken = entries(1..=2);
    broken.extend(entries(4..=4));
    let outcome = write(&store, &lease, Changes { append: broken, ..Changes::default() }).await?;
    assert_eq!(outcome, Err(Refusal::OutOfOrder { expected: 3, got: 4 }));
    let loaded = found(&store, &created.key).await?;
    assert!(loaded.outbox.is_empty() && loaded.record.progress.next_seq == 1, "nothing applied");
    Ok(())
}

#[tokio::test]
async fn stores_agree_on_the_epoch_after_redis_lost_it() -> Result<(), StoreError> {
    let server = RedisServer::start()?;
    let before = store(&server).await?;
    let _: () = redis::cmd("FLUSHALL").query(&mut server.connection()?).expect("FLUSHALL");
    let after = store(&server).await?;
    let created = record(&after).await?;
    after.create(&created).await?;
    assert!(matches!(before.load(&created.key, NOW).await?, Lookup::Found(_)), "adopted");
    assert_eq!(before.epoch().await?, after.epoch().await?, "one epoch again");
    Ok(())
}
