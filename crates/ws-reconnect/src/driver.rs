//! The reconnect loop: attempts with backoff, sessions, and how the reconnector stops.

mod attempt;
mod session;

use crate::callback::HookContext;
use crate::client::Reconnector;
use crate::close_policy::CloseHint;
use crate::config::ReconnectConfig;
use crate::connector::Connector;
use crate::event::{DisconnectReason, Event, EventBus, GiveUpReason};
use crate::hooks::Hooks;
use crate::metrics;
use crate::schedule::Schedule;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// How the reconnector ended, with the messages it could not send.
#[derive(Debug)]
#[non_exhaustive]
pub struct Stopped {
    /// Why it stopped.
    pub reason: StopReason,
    /// Buffered messages that never reached a connection, in send order.
    pub unsent: Vec<Message>,
}

/// Why the reconnector stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// A handle asked it to.
    Shutdown,
    /// Every handle (and the [`Client`](crate::Client)) was dropped.
    HandlesDropped,
    /// A limit or a "do not reconnect" close ended the retries.
    GaveUp(GiveUpReason),
    /// Its task panicked or was cancelled (a bug: please report it).
    TaskFailed(String),
}

/// The channels between the driver and the application.
pub(crate) struct Channels {
    pub(crate) outbox: mpsc::Receiver<Message>,
    /// Messages written since the last successful flush: sent again on the next connection.
    pub(crate) pending: Vec<Message>,
    pub(crate) incoming: Option<mpsc::Sender<Message>>,
}

impl Channels {
    /// Closes the buffer and takes what is left in it, the unflushed messages first.
    fn drain(&mut self) -> Vec<Message> {
        self.outbox.close();
        let mut unsent = std::mem::take(&mut self.pending);
        while let Ok(message) = self.outbox.try_recv() {
            unsent.push(message);
        }
        unsent
    }
}

/// What the driver remembers about earlier connections.
#[derive(Debug, Default)]
struct History {
    ever_connected: bool,
    down_since: Option<Instant>,
}

/// The task behind a [`Client`](crate::Client).
pub(crate) struct Driver<C: Connector> {
    connector: C,
    hooks: Hooks<C::Connection>,
    schedule: Schedule,
    config: ReconnectConfig,
    events: EventBus,
    io: Channels,
    shutdown: CancellationToken,
    history: History,
}

impl<C: Connector> Driver<C> {
    pub(crate) fn new(parts: Reconnector<C>, io: Channels, shutdown: CancellationToken) -> Self {
        let Reconnector { connector, config, rng, hooks, events, .. } = parts;
        let schedule = Schedule::new(&config, rng);
        let history = History::default();
        Driver { connector, hooks, schedule, config, events, io, shutdown, history }
    }

    pub(crate) async fn run(mut self) -> Stopped {
        let reason = loop {
            if let Err(reason) = self.cycle().await {
                break reason;
            }
        };
        self.stopped(reason)
    }

    async fn cycle(&mut self) -> Result<(), StopReason> {
        let connection = self.establish().await?;
        let reason = self.session(connection).await?;
        self.disconnected(reason).await
    }

    async fn establish(&mut self) -> Result<C::Connection, StopReason> {
        loop {
            self.pause().await?;
            match self.attempt().await? {
                Ok(connection) => return Ok(connection),
                Err(error) => self.attempt_failed(error)?,
            }
        }
    }

    async fn disconnected(&mut self, reason: DisconnectReason) -> Result<(), StopReason> {
        self.history.down_since = Some(Instant::now());
        metrics::disconnect(reason.as_str());
        self.events.emit(Event::Disconnected { reason: reason.clone() });
        let context = HookContext::disconnected(self.schedule.attempts(), reason.clone());
        let _reported_as_events = self.hooks.run(context).await;
        self.retry_or_give_up(reason.close_code())
    }

    fn retry_or_give_up(&mut self, code: Option<u16>) -> Result<(), StopReason> {
        let hint =
            code.map_or(CloseHint::Reconnect, |code| self.config.close_policy.classify(code));
        if let (CloseHint::DoNotReconnect, Some(code)) = (hint, code) {
            return Err(self.give_up(GiveUpReason::DoNotReconnect { code }));
        }
        let planned = self.schedule.plan_retry(Instant::now(), hint);
        planned.map(drop).map_err(|reason| self.give_up(reason))
    }

    fn give_up(&self, reason: GiveUpReason) -> StopReason {
        metrics::give_up(reason.as_str());
        self.events.emit(Event::GaveUp { attempts: self.schedule.attempts(), reason });
        StopReason::GaveUp(reason)
    }

    fn stopped(mut self, reason: StopReason) -> Stopped {
        if matches!(reason, StopReason::Shutdown | StopReason::HandlesDropped) {
            self.events.emit(Event::ShutDown);
        }
        let unsent = self.io.drain();
        metrics::unsent(unsent.len());
        Stopped { reason, unsent }
    }
}

impl Stopped {
    pub(crate) fn new(reason: StopReason) -> Self {
        Stopped { reason, unsent: Vec::new() }
    }
}
