//! Sessions kept in a [`SessionStore`] (`ServerConfig::sessions.store`), so they survive the
//! server process and move between nodes: see `docs/durability.md`.
//!
//! Write-ahead: a session's outbox holds every message until the store committed it
//! ([`ws_batch::OutboxConfig::held_until_released`]), so a client never holds a message a
//! crash could take back; and the server acknowledges a client's message only once the
//! application took it and the store committed that (the [`Journal`] sends the ACK), so a
//! client never drops a message a crash could lose. The journal writes every session's
//! changes in one commit per round, whatever the number of messages.

mod convert;
mod journal;
mod posts;
mod restore;
mod state;

pub(crate) use convert::tokens_of;
pub(crate) use journal::Journal;
pub use posts::Delivery;
pub(crate) use state::{DurableSession, Notes};

use std::sync::Arc;
use std::time::Duration;
use ws_store::{Deadlines, NodeId, Owner, SessionStore, UnixMillis};

/// How long a node owns an attached session without renewing its lease, by default.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);
/// How often a node looks for messages other nodes posted to its sessions, by default.
pub const DEFAULT_NOTICE_POLL: Duration = Duration::from_millis(20);
/// How often a node removes the store's expired sessions, by default.
pub const DEFAULT_SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How long an expired session stays in the store before a sweep removes it, by default.
pub const DEFAULT_KEEP_EXPIRED: Duration = Duration::from_secs(3600);
/// How many posted messages a session's inbox may hold in the store, by default.
pub const DEFAULT_MAX_INBOX: usize = 4096;

/// Where a [`SessionServer`](super::SessionServer) keeps its sessions besides its memory:
/// a store, the name of this node, and its lease.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreConfig {
    /// The store (ws-store: `MemoryStore`, redb, Redis).
    pub store: Arc<dyn SessionStore>,
    /// This node's name, unique among the nodes sharing the store.
    pub node: NodeId,
    /// How long this node owns an attached session without renewing (renewed every third
    /// of it): a node killed with SIGKILL owns its sessions this long at most.
    pub lease: Duration,
    /// How often this node takes its notices: the sessions it runs that other nodes
    /// posted to ([`SessionServer::post`](super::SessionServer::post)). A post reaches
    /// the client within about this much plus one commit.
    pub notice_poll: Duration,
    /// How often this node removes the sessions whose resume window passed from the store
    /// ([`SessionStore::sweep`]): those no node holds any more, such as the sessions of a
    /// node that died whose clients never came back, which nothing else removes from a
    /// redb file or a `MemoryStore` (Redis expires its keys by itself: its sweep is a
    /// no-op). Every node sweeps; a sweep removes only what expired at least
    /// [`keep_expired`](Self::keep_expired) ago.
    pub sweep_every: Duration,
    /// How long a session whose resume window passed stays in the store before a sweep
    /// removes it: a client that comes back within it is told its session expired
    /// (`SESSION_LOST 02`), after it that it is unknown (`01`).
    pub keep_expired: Duration,
    /// How many messages posted from other nodes a session's inbox may hold while its
    /// owner has not moved them into the outbox (its client is slow, or gone until the
    /// session expires): a post past it is refused ([`Error::Store`](crate::Error::Store),
    /// the message handed back), so the store's memory stays bounded.
    pub max_inbox: usize,
}

impl StoreConfig {
    /// `store`, written by the node named `node`, with the default lease.
    pub fn new(store: Arc<dyn SessionStore>, node: impl Into<String>) -> Self {
        let node = NodeId(node.into());
        let lease = DEFAULT_LEASE;
        let notice_poll = DEFAULT_NOTICE_POLL;
        let max_inbox = DEFAULT_MAX_INBOX;
        let sweep_every = DEFAULT_SWEEP_EVERY;
        let keep_expired = DEFAULT_KEEP_EXPIRED;
        StoreConfig { store, node, lease, notice_poll, max_inbox, sweep_every, keep_expired }
    }

    /// The same with another lease.
    pub fn with_lease(self, lease: Duration) -> Self {
        StoreConfig { lease, ..self }
    }

    /// The same with another interval between looks at the notices.
    pub fn with_notice_poll(self, notice_poll: Duration) -> Self {
        StoreConfig { notice_poll, ..self }
    }

    /// The same with another interval between sweeps of the store's expired sessions.
    pub fn with_sweep_every(self, sweep_every: Duration) -> Self {
        StoreConfig { sweep_every, ..self }
    }

    /// The same with expired sessions kept this long before a sweep removes them.
    pub fn with_keep_expired(self, keep_expired: Duration) -> Self {
        StoreConfig { keep_expired, ..self }
    }

    /// The same with another bound on each session's inbox.
    pub fn with_max_inbox(self, max_inbox: usize) -> Self {
        StoreConfig { max_inbox, ..self }
    }

    /// This node as the owner of a session it creates, under `deadlines`.
    pub(crate) fn owner(&self, deadlines: &Deadlines) -> Owner {
        Owner { node: self.node.clone(), generation: 1, lease_until: deadlines.lease_until }
    }

    /// The deadlines of an attached session: the lease, then the resume window.
    pub(crate) fn attached(&self, window: Duration) -> Deadlines {
        let lease_until = UnixMillis::now().after(self.lease);
        Deadlines { lease_until, expires_at: lease_until.after(window) }
    }
}

/// The deadlines of a session whose connection just ended: no lease, the resume window.
pub(crate) fn detached(window: Duration) -> Deadlines {
    let now = UnixMillis::now();
    Deadlines { lease_until: now, expires_at: now.after(window) }
}

/// Runs `operation` on the current runtime, counting its failure under `op`; without a
/// runtime (a server dropped outside one) the failure is counted at once.
pub(crate) fn spawn_counted<F>(op: &'static str, operation: F)
where
    F: std::future::Future<Output = Result<(), ws_store::StoreError>> + Send + 'static,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return crate::metrics::store_failed(op);
    };
    runtime.spawn(async move {
        if operation.await.is_err() {
            crate::metrics::store_failed(op);
        }
    });
}

/// Renews the lease of every attached stored session of `server` every `every`, until
/// the server is gone.
async fn renew_leases(server: std::sync::Weak<super::Inner>, every: Duration) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
    ticks.tick().await; // the first tick is at once: the sessions were just written
    loop {
        ticks.tick().await;
        let Some(inner) = server.upgrade() else { return };
        inner.renew_attached();
    }
}

/// Removes the store's sessions expired `kept` ago or longer every `every` (the first
/// sweep at once: a node that restarts clears what expired while it was down), until the
/// server is gone; a failed sweep is counted.
async fn sweep_expired(server: std::sync::Weak<super::Inner>, every: Duration, kept: Duration) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
    loop {
        ticks.tick().await;
        let Some(store) = server.upgrade().and_then(|inner| inner.store()) else { return };
        let swept = store.sweep(UnixMillis::now().before(kept)).await;
        swept.map_or_else(|_| crate::metrics::store_failed("sweep"), crate::metrics::swept);
    }
}

impl super::Inner {
    /// The store, when the server keeps one.
    fn store(&self) -> Option<Arc<dyn SessionStore>> {
        self.sessions.journal().map(|journal| Arc::clone(&journal.config().store))
    }

    /// Notes a renewed lease for every stored session with a connection attached.
    fn renew_attached(&self) {
        let Some(journal) = self.sessions.journal() else { return };
        let deadlines = journal.config().attached(self.config.limits.resume_window);
        let attached = self.sessions.all().into_iter().filter(|session| session.is_attached());
        attached
            .filter_map(|session| session.durable().cloned())
            .for_each(|durable| durable.deadlines(deadlines));
    }
}

impl super::SessionServer {
    /// Starts the journal, the lease renewal, the sweeps and the notices, when the server
    /// keeps a store.
    pub(crate) fn start_journal(&self) {
        let Some(journal) = self.inner.sessions.journal() else { return };
        journal.start();
        let config = journal.config();
        let server = Arc::downgrade(&self.inner);
        tokio::spawn(renew_leases(server.clone(), config.lease / 3));
        tokio::spawn(sweep_expired(server.clone(), config.sweep_every, config.keep_expired));
        tokio::spawn(posts::take_notices(server, config.notice_poll));
    }
}

impl super::SessionServer {
    /// A resume of a stored session: the client's ack, the rotated token and the renewed
    /// lease are noted, and the WELCOME waits until the store has the new token (else a
    /// crash now would leave the client a token the store never knew).
    pub(crate) async fn store_resume(&self, session: &super::session::SessionState, acked: u64) {
        let Some(durable) = session.durable() else { return };
        durable.acked(acked);
        self.renew(durable);
        if let Some(version) = session.store_tokens() {
            let _lost_is_closed_by_its_link = durable.tokens_written(version).await;
        }
    }

    /// Notes a renewed lease for `durable`, which a connection just attached.
    fn renew(&self, durable: &Arc<DurableSession>) {
        let window = self.inner.config.limits.resume_window;
        let journal = self.inner.sessions.journal();
        journal.iter().for_each(|journal| durable.deadlines(journal.config().attached(window)));
    }

    /// A stored session's connection ended: the store gets the end of its lease and its
    /// resume window.
    pub(crate) fn store_detach(&self, session: &super::session::SessionState) {
        let window = self.inner.config.limits.resume_window;
        session.durable().iter().for_each(|durable| durable.deadlines(detached(window)));
    }
}
