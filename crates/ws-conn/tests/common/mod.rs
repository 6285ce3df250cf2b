//! Shared test fixtures: a mockall-scripted connection whose close fails, hangs or succeeds.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod sockets;

use futures::future::BoxFuture;
use std::time::Duration;
use ws_conn::{CloseFrame, ConnConfig, ConnEvent, ConnId, Connection, Registry, TransportError};

/// What the scripted connection does; mocked with mockall so tests set expectations.
#[mockall::automock]
pub trait Script: Send + Sync + 'static {
    /// The close handshake.
    fn close(&self, frame: CloseFrame) -> BoxFuture<'static, Result<(), TransportError>>;
    /// A heartbeat ping.
    fn ping(&self) -> BoxFuture<'static, Result<(), TransportError>>;
    /// Releasing the socket.
    fn force_close(&self);
}

/// A [`Connection`] that does what its [`MockScript`] says.
pub struct Scripted(pub MockScript);

#[async_trait::async_trait]
impl Connection for Scripted {
    async fn close(&self, frame: CloseFrame) -> Result<(), TransportError> {
        self.0.close(frame).await
    }

    async fn ping(&self) -> Result<(), TransportError> {
        self.0.ping().await
    }

    fn force_close(&self) {
        self.0.force_close();
    }
}

/// How a scripted close behaves.
#[derive(Clone, Copy, Debug)]
pub enum Close {
    Succeeds,
    Fails,
    Hangs,
    /// Answers after this long.
    AnswersAfter(Duration),
}

/// A connection whose close behaves as told, whose pings succeed, and whose socket must be
/// released exactly `releases` times.
pub fn scripted(close: Close, releases: usize) -> Scripted {
    let mut script = MockScript::new();
    script.expect_close().returning(move |_| match close {
        Close::Succeeds => Box::pin(async { Ok(()) }),
        Close::Fails => Box::pin(async { Err(TransportError::new("broken pipe")) }),
        Close::Hangs => Box::pin(std::future::pending()),
        Close::AnswersAfter(delay) => Box::pin(async move {
            tokio::time::sleep(delay).await;
            Ok(())
        }),
    });
    script.expect_ping().returning(|| Box::pin(async { Ok(()) }));
    script.expect_force_close().times(releases).return_const(());
    Scripted(script)
}

/// A connection that is released exactly once (by a close or a force-close).
pub fn conn(close: Close) -> Scripted {
    scripted(close, 1)
}

/// The default configuration without the accept-rate guard getting in the way.
pub fn config() -> ConnConfig {
    let mut config = ConnConfig::default();
    config.limits.accept_burst = 1_000_000;
    config
}

pub fn registry() -> Registry {
    Registry::new(config())
}

/// The events received so far.
pub fn drain(events: &mut tokio::sync::broadcast::Receiver<ConnEvent>) -> Vec<ConnEvent> {
    std::iter::from_fn(|| events.try_recv().ok()).collect()
}

/// The events about `id`.
pub fn about(events: &[ConnEvent], id: ConnId) -> Vec<ConnEvent> {
    events.iter().filter(|event| event.id() == id).cloned().collect()
}

pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
