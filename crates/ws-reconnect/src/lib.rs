//! Client reconnection: backoff with jitter, callback criticality, circuit breakers and fallbacks.
//!
//! Part of [ws-reliability](https://github.com/ws-reliability/ws-reliability): one crate per
//! WebSocket failure mode, each usable alone.
#![doc = include_str!("../docs/overview.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod breaker;
mod callback;
mod client;
mod close_policy;
mod config;
mod connector;
mod driver;
mod error;
mod event;
mod handle;
mod hooks;
pub mod metrics;
mod schedule;

pub use breaker::{
    next_state, BreakerConfig, BreakerInput, BreakerState, CircuitBreaker, Transition, TRANSITIONS,
};
pub use callback::{Callback, Hook, HookContext};
pub use client::{Client, Reconnector};
pub use close_policy::{CloseHint, ClosePolicy};
pub use config::{Buffers, CallbackDefaults, ReconnectConfig, RetryLimits};
pub use connector::{
    connector_fn, Connection, Connector, FnConnector, TungsteniteConnection, TungsteniteConnector,
};
pub use driver::{StopReason, Stopped};
pub use error::{CallbackError, ConnectError, ReconnectError};
pub use event::{
    AttemptError, CallbackFailure, DisconnectReason, Event, EventStream, GiveUpReason,
};
pub use handle::{ClientHandle, ClientSink, Incoming};
pub use tokio_tungstenite::tungstenite::Message;
pub use ws_core::{Backoff, Criticality, Jitter, JitterRng};
