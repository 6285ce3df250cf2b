//! The durable push: the push axis's workload over a ReliableServer keeping its sessions in
//! a store (or none). One sender task per session `feed`s its [`SessionSink`] and
//! **flushes every [`FLUSH_EVERY`] messages** (raw's pattern), then `send`s the end
//! marker: with a store, a flush resolves once the store committed every message fed
//! before it (a durable send, `docs/durability.md`), so a sender's count is only messages
//! whose durable send completed. Each client checks order up to the end marker and its
//! count must equal its sender's ([`crate::push::verify`]): a lost, duplicated or
//! reordered message fails the run.

use super::backend::{Backend, Places};
use crate::args::Workload;
use crate::push::reliable::{self, Connected};
use crate::push::{Pace, Start, Throughput, FLUSH_EVERY, SETUP_LIMIT};
use crate::{payload, BenchError};
use futures::SinkExt;
use std::sync::Arc;
use ws_reliability::protocol::SessionId;
use ws_reliability::server::Listen;
use ws_reliability::server::{ReliableServer, ServerConfig, SessionSink, StoreConfig};
use ws_reliability::store::SessionStore;

/// The node name the benchmark's server writes under.
pub const NODE: &str = "bench";

/// [`crate::limits::server_config`] keeping its sessions in `store`, if any.
pub fn config(store: Option<Arc<dyn SessionStore>>) -> ServerConfig {
    let mut config = crate::limits::server_config();
    config.sessions.store = store.map(|store| StoreConfig::new(store, NODE));
    config
}

/// Connects `clients` clients to a server keeping its sessions in `store`, then times the
/// durable push of `workload` to each.
pub async fn run(
    clients: usize,
    workload: Workload,
    store: Option<Arc<dyn SessionStore>>,
) -> Result<Throughput, BenchError> {
    let server = ReliableServer::new(config(store));
    let listener = server.listen("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr());
    let connected = tokio::time::timeout(SETUP_LIMIT, reliable::connect(&url, clients)).await??;
    let throughput = measure(&server, &connected, workload).await;
    reliable::close(&server, connected).await;
    throughput
}

async fn measure(
    server: &ReliableServer,
    connected: &[Connected],
    workload: Workload,
) -> Result<Throughput, BenchError> {
    let started = Start::now();
    let receivers = connected.iter().map(reliable::spawn_receiver).collect::<Result<_, _>>()?;
    let pace = Pace::new(workload, started.at);
    let push = |one: &Connected| tokio::spawn(push(server.clone(), one.session, pace));
    let senders = connected.iter().map(push).collect();
    crate::push::finish(started, receivers, senders, workload).await
}

/// Feeds messages while `pace` says so, flushing every [`FLUSH_EVERY`], then sends the end
/// marker (a last flush); how many were sent, every one durably.
async fn push(server: ReliableServer, session: SessionId, pace: Pace) -> Result<u64, BenchError> {
    let mut sink = server.sink(session)?;
    let mut sent = 0;
    while pace.more(sent) {
        feed(&mut sink, sent).await?;
        sent += 1;
    }
    sink.send(payload::end()).await?;
    Ok(sent)
}

/// Feeds message `index`, flushing (a durable send with a store) after every
/// [`FLUSH_EVERY`].
async fn feed(sink: &mut SessionSink, index: u64) -> Result<(), BenchError> {
    sink.feed(payload::data(index)).await?;
    if (index + 1) % FLUSH_EVERY == 0 {
        sink.flush().await?;
    }
    Ok(())
}

/// `ws-bench store-push --backend B`: the durable push of `args`'s workload with `backend`
/// alone, its rate printed (a side to profile on its own).
pub async fn one_side(args: &crate::args::Args, backend: Backend) -> Result<(), BenchError> {
    crate::limits::raise(args.clients, 0)?;
    let mut places = Places::new().await?;
    let store = places.open(backend).await?;
    let durable = run(args.clients, args.workload(), store).await?;
    println!("{}: {:.0} durable msgs/s", backend.label(), durable.per_second());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backend::{Backend, Places};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_store_delivers_every_message_durably() {
        let mut places = Places::new().await.unwrap();
        let count = FLUSH_EVERY * 2 + 9;
        for backend in Backend::ALL {
            let store = places.open(backend).await.unwrap();
            let durable = run(3, Workload::Messages(count), store).await.unwrap();
            assert_eq!(durable.delivered, 3 * count, "{backend:?}");
        }
    }

    #[tokio::test]
    async fn with_a_store_the_server_keeps_it() {
        let store = ws_reliability::store::MemoryStore::new().unwrap();
        let config = config(Some(Arc::new(store)));
        assert_eq!(config.sessions.store.unwrap().node.0, NODE);
        assert!(super::config(None).sessions.store.is_none());
    }
}
