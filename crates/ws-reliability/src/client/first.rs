//! [`ReliableClient::connect`]: a client returned once its first session is established,
//! or a typed error after a limit of its own (attempts and time), separate from the
//! reconnect limits, which allow minutes.

use super::{ClientConfig, ClientEvent, ReliableClient};
use crate::protocol::SessionId;
use crate::Error;
use futures::StreamExt;
use ws_reconnect::{AttemptError, Event, EventStream};

impl ReliableClient {
    /// Connects to `url` ([`start`](Self::start)) and returns once the server welcomed a
    /// session; then reconnects and resumes on its own like any client. Gives up after
    /// `config.timeouts.first_connect` (3 failed attempts or 10 s by default) with
    /// [`Error::FirstConnect`] naming the last attempt's failure (a refusal of the
    /// authentication hook included: `refused with 1008: <reason>`), the client stopped.
    pub async fn connect(url: &str, config: ClientConfig) -> Result<Self, Error> {
        let limit = config.timeouts.first_connect;
        let client = Self::start(url, config)?;
        let mut failures = Failures::new(client.reconnect_events(), limit.attempts);
        let first = tokio::time::timeout(limit.within, client.first_session(&mut failures));
        match first.await.unwrap_or_else(|_elapsed| Err(failures.error())) {
            Ok(_session) => Ok(client),
            Err(error) => Err(client.given_up(error).await),
        }
    }

    /// The first session, or the error once the attempts allowed failed.
    async fn first_session(&self, failures: &mut Failures) -> Result<SessionId, Error> {
        let mut events = self.events();
        if let Some(session) = self.session() {
            return Ok(session); // welcomed before the subscriptions
        }
        tokio::select! {
            welcome = welcomed(&mut events) => welcome,
            failed = failures.exhausted() => Err(failed),
        }
    }

    /// Stops the client that gave up on its first session; the error to return.
    async fn given_up(self, error: Error) -> Error {
        let _stopped = self.shutdown().await;
        crate::metrics::first_connect_failed();
        error
    }
}

/// The session of the first WELCOME among `events`.
async fn welcomed(events: &mut crate::events::Events<ClientEvent>) -> Result<SessionId, Error> {
    loop {
        match events.recv().await {
            Ok(ClientEvent::Connected { session, .. }) => return Ok(session),
            Ok(_) => {}
            Err(_closed) => return Err(Error::Stopped),
        }
    }
}

/// The failed attempts seen so far, and the last one's cause.
struct Failures {
    events: EventStream,
    seen: u32,
    allowed: u32,
    last: Option<String>,
}

impl Failures {
    fn new(events: EventStream, allowed: u32) -> Self {
        Failures { events, seen: 0, allowed: allowed.max(1), last: None }
    }

    /// Waits until the attempts allowed failed (or the reconnector gave up): the error.
    async fn exhausted(&mut self) -> Error {
        while let Some(event) = self.events.next().await {
            self.note(event);
            if self.seen >= self.allowed {
                break;
            }
        }
        self.error()
    }

    /// Counts a failed attempt and keeps its cause.
    fn note(&mut self, event: Event) {
        if let Event::ConnectFailed { error, .. } = event {
            self.seen += 1;
            self.last = Some(cause(&error));
        }
    }

    fn error(&self) -> Error {
        Error::FirstConnect { attempts: self.seen, last: self.last.clone() }
    }
}

fn cause(error: &AttemptError) -> String {
    match error {
        AttemptError::Connect(cause) | AttemptError::Callback(cause) => cause.to_string(),
        _ => format!("{error:?}"),
    }
}
