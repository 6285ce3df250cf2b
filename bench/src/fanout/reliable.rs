//! The reliable fan-out server: a ReliableServer with room for every session
//! ([`crate::limits::many_config`]), one task calling [`ReliableServer::broadcast`](ws_reliability::server::ReliableServer::broadcast) to
//! every session as the broadcasts fall due; a refusal (a full outbox, the server's
//! budget) is counted, and the end marker then goes to each session with `send_wait`.

use super::Paced;
use crate::{payload, BenchError};
use futures::{StreamExt, TryStreamExt};
use std::time::Duration;
use ws_reliability::protocol::SessionId;
use ws_reliability::server::Listen;
use ws_reliability::server::{BroadcastReport, Listener, ReliableServer, Target};

/// End markers sent at once.
const ENDS_AT_ONCE: usize = 256;
/// How long the sessions may take to open.
const OPEN_LIMIT: Duration = Duration::from_secs(300);

/// The server and its accept loop.
#[derive(Debug)]
pub struct ReliableFanout {
    server: ReliableServer,
    listener: Listener,
}

/// What the broadcasts of a phase did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Broadcasts {
    /// Messages queued (one per session that took a broadcast).
    pub queued: u64,
    /// Messages refused.
    pub refused: u64,
}

impl Broadcasts {
    /// Broadcasts `message` to every session of `server`, counting what it did.
    fn send(&mut self, server: &ReliableServer, message: ws_reliability::Message) {
        self.add(&server.broadcast(Target::All, message));
    }

    fn add(&mut self, report: &BroadcastReport) {
        self.queued += report.queued as u64;
        self.refused += report.refused.len() as u64;
    }
}

impl ReliableFanout {
    /// A server for `sessions` sessions on 127.0.0.1.
    pub async fn start(sessions: usize) -> Result<ReliableFanout, BenchError> {
        let server = ReliableServer::new(crate::limits::many_config(sessions));
        let listener = server.listen("127.0.0.1:0").await?;
        Ok(ReliableFanout { server, listener })
    }

    /// Where it listens.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.listener.local_addr()
    }

    /// Waits until it holds `count` sessions.
    pub async fn holding(&self, count: usize) -> Result<(), BenchError> {
        let wait = async {
            while self.server.sessions().len() < count {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        Ok(tokio::time::timeout(OPEN_LIMIT, wait).await?)
    }

    /// Broadcasts as `paced` makes them due, then the end markers.
    pub async fn phase(&self, paced: Paced) -> Result<Broadcasts, BenchError> {
        let mut broadcasts = Broadcasts::default();
        let mut sent = 0;
        while let Some(due) = paced.schedule.next(sent).await {
            let messages = paced.messages(sent..due).into_iter();
            messages.for_each(|message| broadcasts.send(&self.server, message));
            sent = due;
        }
        self.end_markers().await.map(|()| broadcasts)
    }

    async fn end_markers(&self) -> Result<(), BenchError> {
        let sessions = futures::stream::iter(self.server.sessions());
        let ends = sessions.map(|session| end_marker(&self.server, session));
        ends.buffer_unordered(ENDS_AT_ONCE).try_collect::<()>().await
    }

    /// Stops the server.
    pub async fn shutdown(self) {
        self.server.shutdown(Duration::from_millis(200)).await;
    }
}

/// The end marker to `session`, waiting for room in its outbox and in the budget.
async fn end_marker(server: &ReliableServer, session: SessionId) -> Result<(), BenchError> {
    loop {
        match server.send_wait(session, payload::end()).await {
            Err(ws_reliability::Error::BudgetExceeded { .. }) => {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            sent => return sent.map(drop).map_err(BenchError::from),
        }
    }
}
