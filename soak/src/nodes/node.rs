//! One server node, a child process of the harness: a [`ReliableServer`] keeping its
//! sessions in the store, whose handler runs a producer per accepted session (numbered
//! messages, each a durable send, each reported on stdout once the store committed it)
//! and records every client message it takes. A line on stdin (`stop`) stops the
//! producers; `post <session>` has its [`Poster`] send to that session.
//!
//! A producer's first number is the store's next sequence number for the session: 1 for a
//! fresh session, and for a session restored from the store (written before this process
//! was killed, or by another node) the number after the last message the store has. Every
//! message of the session comes from a producer, so a message's number is its sequence
//! number, and a restored producer continues exactly where the store stands.

use super::args::{NodeArgs, StoreArgs, StoreKind};
use super::line::{node_payload, parse_client_payload, Line, Opened, Taken};
use super::poster::Poster;
use futures::{SinkExt, StreamExt};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::server::Listen;
use ws_reliability::server::SessionSink;
use ws_reliability::server::{ReliableServer, ServerConfig, Session, SessionEvent, StoreConfig};
use ws_reliability::store::{Lookup, SessionKey, SessionStore, UnixMillis};

/// Where a task's failure goes: the node stops with it.
type Failures = mpsc::UnboundedSender<String>;

/// What every session's handler shares.
#[derive(Clone)]
struct Handler {
    store: Arc<dyn SessionStore>,
    every: Duration,
    stop: watch::Receiver<bool>,
    failures: Failures,
}

/// Runs the node until its stdout fails (the harness is gone) or it is killed.
pub async fn serve(args: &NodeArgs) -> Result<(), String> {
    let store = open(&args.store).await?;
    let server = ReliableServer::new(config(&store, &args.node));
    let _listener = server.listen(args.listen).await.map_err(text)?;
    let (failures, failed) = mpsc::unbounded_channel();
    let stop = read_stdin(start_poster(&server, &failures));
    let handler = Handler { store, every: every(args), stop, failures };
    report(&Line::Listening)?;
    until_failure(&server, handler, failed).await
}

/// Starts the node's poster; where its orders go.
fn start_poster(server: &ReliableServer, failures: &Failures) -> mpsc::UnboundedSender<String> {
    let (orders, ordered) = mpsc::unbounded_channel();
    spawn_reported(failures, Poster::new(server.clone()).run(ordered));
    orders
}

/// Serves until a task fails.
async fn until_failure(
    server: &ReliableServer,
    handler: Handler,
    mut failed: mpsc::UnboundedReceiver<String>,
) -> Result<(), String> {
    tokio::select! {
        () = accept(server, handler) => Err("the server stopped accepting".into()),
        failure = failed.recv() => Err(failure.unwrap_or_default()),
    }
}

fn every(args: &NodeArgs) -> Duration {
    Duration::from_millis(args.every_ms)
}

/// Opens the store `args` names.
pub async fn open(args: &StoreArgs) -> Result<Arc<dyn SessionStore>, String> {
    use ws_reliability::store::{MemoryStore, RedbConfig, RedbStore};
    match args.store {
        StoreKind::Memory => Ok(Arc::new(MemoryStore::new().map_err(text)?)),
        StoreKind::Redb => {
            Ok(Arc::new(RedbStore::open(&args.path, RedbConfig::default()).map_err(text)?))
        }
        StoreKind::Redis => redis(args).await,
    }
}

async fn redis(args: &StoreArgs) -> Result<Arc<dyn SessionStore>, String> {
    use ws_reliability::store::{RedisConfig, RedisStore};
    let url = args.redis_url.as_deref().ok_or("--store redis needs --redis-url")?;
    Ok(Arc::new(RedisStore::connect(url, RedisConfig::default()).await.map_err(text)?))
}

fn config(store: &Arc<dyn SessionStore>, node: &str) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sessions.store = Some(StoreConfig::new(Arc::clone(store), node));
    // every client connects from 127.0.0.1: no per-address limit, as in the soak
    config.conn.limits.per_address = crate::harness::address_limits();
    config
}

/// Runs `task`; its failure stops the node.
fn spawn_reported<F>(failures: &Failures, task: F)
where
    F: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let failures = failures.clone();
    tokio::spawn(async move {
        if let Err(failure) = task.await {
            let _ = failures.send(failure);
        }
    });
}

/// Accepts sessions for good, each handled in its own task; reports resumes and losses.
async fn accept(server: &ReliableServer, handler: Handler) {
    spawn_reported(&handler.failures, watch_events(server.events()));
    while let Some(session) = server.accept().await {
        spawn_reported(&handler.failures, handle(session, handler.clone()));
    }
}

/// Reports `Resumed` and `Lost` events.
async fn watch_events(
    mut events: ws_reliability::events::Events<SessionEvent>,
) -> Result<(), String> {
    while let Ok(event) = events.recv().await {
        match event {
            SessionEvent::Resumed { .. } => report(&Line::Resumed)?,
            SessionEvent::Lost { .. } => report(&Line::Lost)?,
            _ => continue,
        }
    }
    Ok(())
}

/// One session: its producer in a task of its own, the client's messages taken here.
async fn handle(session: Session, handler: Handler) -> Result<(), String> {
    let opened = opened(&handler.store, &session).await?;
    report(&Line::Opened(opened.clone()))?;
    let failures = handler.failures.clone();
    let producer = Producer { sink: session.sink(), opened: opened.clone(), handler };
    spawn_reported(&failures, producer.run());
    take(session, &opened.session).await
}

/// What the store says of `session`: restored (claimed, generation above 1) or fresh, and
/// its next sequence number.
async fn opened(store: &Arc<dyn SessionStore>, session: &Session) -> Result<Opened, String> {
    let key = SessionKey(*session.id().as_bytes());
    let id = session.id().to_string();
    let fresh = Opened { session: id.clone(), restored: false, first: 1 };
    let Lookup::Found(loaded) = store.load(&key, UnixMillis::now()).await.map_err(text)? else {
        return Ok(fresh);
    };
    let restored = loaded.record.owner.generation > 1;
    Ok(Opened { session: id, restored, first: loaded.record.progress.next_seq })
}

/// Takes the client's messages until the session ends, reporting each.
async fn take(mut session: Session, id: &str) -> Result<(), String> {
    while let Some(received) = session.next().await {
        let text = received.message.to_text().unwrap_or_default();
        let Some((client, number)) = parse_client_payload(text) else { continue };
        let seq = received.seq;
        report(&Line::Received(Taken { session: id.to_owned(), seq, client, number }))?;
    }
    Ok(())
}

/// A session's producer.
struct Producer {
    sink: SessionSink,
    opened: Opened,
    handler: Handler,
}

impl Producer {
    /// Sends numbered messages, each durably, until stopped or the session is gone.
    async fn run(mut self) -> Result<(), String> {
        let mut ticks = tokio::time::interval(self.handler.every);
        for number in self.opened.first.. {
            ticks.tick().await;
            if !self.send(number).await? {
                break;
            }
        }
        Ok(())
    }

    /// One durable send unless stopped, reported once the store committed it: whether
    /// it was (else the session is gone here, or the producers were stopped).
    async fn send(&mut self, number: u64) -> Result<bool, String> {
        if *self.handler.stop.borrow() {
            return Ok(false);
        }
        let text = node_payload(&self.opened.session, number);
        if self.sink.send(Message::text(text)).await.is_err() {
            return Ok(false);
        }
        report(&Line::Sent { session: self.opened.session.clone(), number }).map(|()| true)
    }
}

/// Writes `line` on stdout at once (a write per line: a kill cannot take back a line
/// written, and the harness counts a send only once it read its line).
pub(super) fn report(line: &Line) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).map_err(text)
}

/// Reads stdin: turns true when it says `stop` (or closes: the harness is gone), and
/// hands each `post <session>` to `orders`.
fn read_stdin(orders: mpsc::UnboundedSender<String>) -> watch::Receiver<bool> {
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        await_stop(orders).await;
        let _ = stop.send(true);
    });
    stopped
}

/// Returns when stdin says `stop` or closes; hands on the posts ordered meanwhile.
async fn await_stop(orders: mpsc::UnboundedSender<String>) {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim() == "stop" {
            return;
        }
        hand_on(&orders, &line);
    }
}

/// Hands a `post <session>` order to the poster.
fn hand_on(orders: &mpsc::UnboundedSender<String>, line: &str) {
    let order = line.strip_prefix("post ").map(|session| session.trim().to_owned());
    order.into_iter().for_each(|session| drop(orders.send(session)));
}

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}
