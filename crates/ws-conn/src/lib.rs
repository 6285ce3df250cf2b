//! Connection lifecycle: atomic states, force-close and a sweeper that leaves no ghost connections.
//!
#![doc = include_str!("../docs/crate.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod accept;

/// The hasher of the registry's and the address table's maps: std's randomly keyed one; under the `simulation` feature a
/// fixed one, so that a simulated run visits connections and addresses in the same order every time.
#[cfg(not(feature = "simulation"))]
pub(crate) type MapHasher = std::collections::hash_map::RandomState;
/// The hasher of the registry's and the address table's maps: fixed under the `simulation` feature.
#[cfg(feature = "simulation")]
pub(crate) type MapHasher =
    std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;

mod activity;
mod address;
mod clock;
mod config;
mod connection;
mod entry;
mod error;
mod event;
mod handshake;
pub mod metrics;
mod origin;
mod rate;
mod registry;
mod state;
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub mod tls;
#[cfg(feature = "tungstenite")]
#[cfg_attr(docsrs, doc(cfg(feature = "tungstenite")))]
pub mod tungstenite;

pub use accept::AcceptBackoff;
pub use activity::Activity;
pub use address::{AddressLimits, ForwardedHeader, IpNetwork, ProxyConfigError, TrustedProxies};
pub use clock::{TokioClock, TokioInstant};
pub use config::{ConnConfig, Limits};
pub use connection::{CloseCode, CloseFrame, Connection};
pub use entry::ConnId;
pub use error::{ConnError, Refusal, TransportError};
pub use event::{ConnEvent, FailCause, ForceCause};
pub use handshake::{HandshakeError, HandshakeLimits, HandshakePermit, Handshakes};
pub use origin::{OriginPolicy, OriginRefused};
pub use registry::{Admission, ConnHandle, HeartbeatReport, Maintenance, Registry};
pub use registry::{ShutdownReport, SweepReport};
pub use state::{AtomicState, ConnState, TRANSITIONS};
