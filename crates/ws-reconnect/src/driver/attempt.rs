//! One attempt: wait the planned delay, connect, run the connect hooks over the connection.

use super::{Driver, StopReason};
use crate::callback::{Hook, HookContext};
use crate::close_policy::CloseHint;
use crate::connector::Connector;
use crate::event::{AttemptError, Event};
use crate::metrics;
use futures::SinkExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::Instrument;

/// How long closing a rejected or finished connection may take.
pub(super) const CLOSE_GRACE: Duration = Duration::from_secs(1);

type Shared<T> = Arc<Mutex<Option<T>>>;

impl<C: Connector> Driver<C> {
    /// Waits the delay planned for the next attempt, if any; a shutdown cuts it short.
    pub(super) async fn pause(&mut self) -> Result<(), StopReason> {
        self.still_wanted()?;
        let Some(delay) = self.schedule.take_delay() else { return Ok(()) };
        let attempt = self.schedule.attempts() + 1;
        self.events.emit(Event::Reconnecting { attempt, delay });
        tokio::select! {
            () = tokio::time::sleep(delay) => Ok(()),
            () = self.shutdown.cancelled() => Err(StopReason::Shutdown),
        }
    }

    /// Stops retrying once every handle (and the `Client`) is gone: nobody can use a connection.
    fn still_wanted(&self) -> Result<(), StopReason> {
        let abandoned = self.io.outbox.is_closed() && self.io.outbox.is_empty();
        (!abandoned).then_some(()).ok_or(StopReason::HandlesDropped)
    }

    /// Connects and runs the connect hooks; the inner `Err` is a failed attempt.
    pub(super) async fn attempt(
        &mut self,
    ) -> Result<Result<C::Connection, AttemptError>, StopReason> {
        let attempt = self.schedule.begin_attempt();
        self.events.emit(Event::Connecting { attempt });
        metrics::attempt();
        match self.connect().instrument(tracing::debug_span!("connect", attempt)).await? {
            Ok(connection) => Ok(self.prepare(connection, attempt).await),
            Err(error) => Ok(Err(error)),
        }
    }

    async fn connect(&self) -> Result<Result<C::Connection, AttemptError>, StopReason> {
        tokio::select! {
            connected = self.connector.connect() => {
                Ok(connected.map_err(|error| AttemptError::Connect(error.to_string().into())))
            }
            () = self.shutdown.cancelled() => Err(StopReason::Shutdown),
        }
    }

    /// Runs the on-connected (and on-reconnected) callbacks over the fresh connection.
    async fn prepare(
        &mut self,
        connection: C::Connection,
        attempt: u32,
    ) -> Result<C::Connection, AttemptError> {
        let shared = Arc::new(Mutex::new(Some(connection)));
        let verdict = self.run_connect_hooks(&shared, attempt).await;
        let connection = shared.lock().await.take();
        accept(verdict, connection).await
    }

    async fn run_connect_hooks(
        &mut self,
        shared: &Shared<C::Connection>,
        attempt: u32,
    ) -> Result<(), Arc<str>> {
        let connected = HookContext::new(Hook::Connected, attempt, Arc::clone(shared));
        self.hooks.run(connected).await?;
        if !self.history.ever_connected {
            return Ok(());
        }
        self.hooks.run(HookContext::new(Hook::Reconnected, attempt, Arc::clone(shared))).await
    }

    /// Reports a failed attempt and plans the next one, or gives up.
    pub(super) fn attempt_failed(&mut self, error: AttemptError) -> Result<(), StopReason> {
        let attempt = self.schedule.attempts();
        self.events.emit(Event::ConnectFailed { attempt, error });
        let planned = self.schedule.plan_retry(Instant::now(), CloseHint::Reconnect);
        planned.map(drop).map_err(|reason| self.give_up(reason))
    }
}

/// The connection if every critical callback passed; otherwise it is closed.
async fn accept<S>(verdict: Result<(), Arc<str>>, connection: Option<S>) -> Result<S, AttemptError>
where
    S: futures::Sink<tokio_tungstenite::tungstenite::Message> + Unpin,
{
    match (verdict, connection) {
        (Ok(()), Some(connection)) => Ok(connection),
        (verdict, connection) => {
            close_quietly(connection).await;
            Err(AttemptError::Callback(verdict.err().unwrap_or_else(|| "connection".into())))
        }
    }
}

/// Closes a connection the reconnector will not use; it is being discarded, so a failure to
/// close it cleanly changes nothing.
async fn close_quietly<S: futures::Sink<tokio_tungstenite::tungstenite::Message> + Unpin>(
    connection: Option<S>,
) {
    if let Some(mut connection) = connection {
        let _discarded_anyway = tokio::time::timeout(CLOSE_GRACE, connection.close()).await;
    }
}
