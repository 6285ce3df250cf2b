//! The client's session state: its configuration ([`ClientConfig`]), its events
//! ([`ClientEvent`]), what it keeps across connections ([`ClientState`]: the outbox, the
//! inbound order, the session and its token, the sync) and [`ClientSink`].
//! `ws-reliability`'s `ReliableClient` drives it with ws-reconnect: each attempt dials,
//! greets with [`ClientState::hello`], and runs a link over the state's outbox.

mod race;
mod sink;
mod state;
mod tls;

pub use sink::ClientSink;
#[doc(hidden)] // driven by `ws-reliability`'s connector, the reconnect loop
pub use state::ClientState;
pub use tls::ClientTls;

use crate::protocol::{SessionId, SessionLostReason, DEFAULT_HELLO_TIMEOUT};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Bytes;
use ws_batch::OutboxConfig;
use ws_reconnect::{CloseHint, ClosePolicy, ReconnectConfig};

/// Default silence after which a client drops its connection and resumes: 45 s, three of
/// the server's keepalive intervals ([`KEEPALIVE_DEAD_AFTER`](crate::protocol::KEEPALIVE_DEAD_AFTER),
/// `docs/protocol.md` § 7).
pub const DEFAULT_IDLE_TIMEOUT: Duration = crate::protocol::KEEPALIVE_DEAD_AFTER;

/// How a `ReliableClient` (`ws-reliability`) connects, retries and buffers. Start from the
/// default; the settings are grouped by concern, each group with its own `Default`.
///
/// | setting | default | why |
/// |---|---|---|
/// | `reconnect` | ws-reconnect defaults; every close code reconnects but 1000 (the session ended), 1008 (credentials refused) and 4003 (another connection took the session) | a resume must follow any lost connection (`docs/protocol.md` § 8) |
/// | `timeouts.hello` | 10 s | a server that never answers HELLO is a failed attempt |
/// | `timeouts.idle` | 45 s | three missed server keepalives (a frame every 15 s at most): the link is half-open |
/// | `timeouts.first_connect` | 3 failed attempts within 10 s | `ReliableClient::connect` returns an error rather than wait out the reconnect limits |
/// | `queues.outbox` | ws-batch defaults but batches of 256 messages, no ack timeout, capacity = `limits.max_unacked` of the client's config; send window = the `max_unacked` of each WELCOME | outgoing messages wait while disconnected, bounded; never more in flight than the server accepts; nothing is sent twice on one connection (`docs/protocol.md` [M6.8]): a server that acks late (its application is slow, or it keeps sessions in a store) is waited for, a dead one is found by the idle timeout, and unacked messages go again after the resume |
/// | `queues.incoming` | 1024 | a slow application backpressures the reader |
/// | `server.auth` | empty | the HELLO credentials for the server's hook |
/// | `server.tls` | the platform's roots (feature `tls`) | a `wss://` server's certificate must lead to a root the machine trusts; `SSL_CERT_FILE` replaces them |
/// | `server.fallback_urls` | none | more nodes of one service: a failed attempt moves on to the next URL |
///
/// The connection reads with a 32 KiB buffer
/// ([`DEFAULT_CLIENT_READ_BUFFER_SIZE`](crate::protocol::DEFAULT_CLIENT_READ_BUFFER_SIZE)),
/// so one `recv` takes a whole BATCH message from the server.
///
/// ```
/// use std::time::Duration;
/// use ws_session::client::ClientConfig;
///
/// let mut config = ClientConfig::default();
/// config.server.auth = "secret".into();
/// config.timeouts.idle = Some(Duration::from_secs(20));
/// config.queues.incoming = 64;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Backoff, limits and callbacks of the reconnector.
    pub reconnect: ReconnectConfig,
    /// How long to wait for WELCOME, for any sign of life from the server, and for the
    /// first session.
    pub timeouts: Timeouts,
    /// The outgoing messages kept until acked, and the delivered ones waiting for the
    /// application.
    pub queues: ClientQueues,
    /// Where the server is besides the URL, the roots its certificate must lead to, and
    /// the credentials the client shows it.
    pub server: ServerAccess,
    /// The application's callbacks (state sync after every WELCOME).
    pub hooks: crate::Hooks,
    /// The runtime switches this client follows (`reconnect`, decided when a connection is
    /// lost; `sync`; `monitor`): keep a clone to change them while it runs.
    pub rollout: crate::rollout::Rollout,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            reconnect: default_reconnect(),
            timeouts: Timeouts::default(),
            queues: ClientQueues::default(),
            server: ServerAccess::default(),
            hooks: crate::Hooks::default(),
            rollout: crate::rollout::Rollout::new(),
        }
    }
}

/// A client's two queues: its outbox, where outgoing messages wait (while disconnected
/// too) until the server acks them, and the delivered messages waiting for the application.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientQueues {
    /// The outbox of outgoing messages.
    pub outbox: OutboxConfig,
    /// How many delivered messages wait for the application before the reader pauses.
    pub incoming: usize,
}

impl Default for ClientQueues {
    fn default() -> Self {
        let outbox = crate::session_link::session_outbox_config().with_ack_timeout(None);
        ClientQueues { outbox, incoming: 1024 }
    }
}

/// What a client knows of its server besides the URL it connects to: other URLs of the
/// same service, the roots its certificate must lead to, and the credentials to show.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ServerAccess {
    /// Credentials sent in every HELLO.
    pub auth: Bytes,
    /// The roots `wss://` connections trust (feature `tls`; without it a `wss://` URL is
    /// refused by `ReliableClient::connect`).
    pub tls: ClientTls,
    /// Other URLs of the same service (nodes sharing a session store,
    /// `ServerConfig::sessions.store`): after a failed attempt the client moves on to the
    /// next URL, in turn, and resumes its session on whichever node it reaches.
    pub fallback_urls: Vec<String>,
}

/// The close code a client reports to its own reconnector when the `reconnect` switch is
/// off for its session: it never goes on the wire, and the default close policy gives up
/// on it (a custom `close_policy` must keep that rule).
pub const RECONNECT_SWITCHED_OFF: u16 = 4100;

/// The close codes after which a client does not resume (`docs/protocol.md` § 8): 1000
/// (the session ended), 1008 (the server refused the credentials), 4003 (another connection
/// resumed the session: resuming again would take it back and forth), and
/// [`RECONNECT_SWITCHED_OFF`]. 4000 follows a SESSION_LOST, which the handshake handles.
const FINAL_CLOSES: [u16; 4] = [1000, 1008, 4003, RECONNECT_SWITCHED_OFF];

/// Every close code reconnects but [`FINAL_CLOSES`].
fn default_reconnect() -> ReconnectConfig {
    let mut reconnect = ReconnectConfig::default();
    let always = ClosePolicy::reconnect_always();
    let final_close = |policy: ClosePolicy, code: &u16| {
        policy.with_rule(*code..=*code, CloseHint::DoNotReconnect)
    };
    reconnect.close_policy = FINAL_CLOSES.iter().fold(always, final_close);
    reconnect
}

/// How long a client waits for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// How long to wait for WELCOME after HELLO. Default 10 s.
    pub hello: Duration,
    /// A connection that receives nothing (the server sends a frame every 15 s at most,
    /// and pings every 20 s by default) for this long is dead: a silent half-open link.
    /// `None` never gives up. Default 45 s.
    pub idle: Option<Duration>,
    /// How long `ReliableClient::connect` waits for its first session.
    pub first_connect: FirstConnect,
}

/// How long `ReliableClient::connect` waits for a first session: at most `attempts`
/// failed attempts and at most `within` in all. Default 3 attempts within 10 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FirstConnect {
    /// Failed attempts after which `connect` gives up (at least 1).
    pub attempts: u32,
    /// Time after which `connect` gives up.
    pub within: Duration,
}

impl Default for FirstConnect {
    fn default() -> Self {
        FirstConnect { attempts: 3, within: Duration::from_secs(10) }
    }
}

impl FirstConnect {
    /// At most `attempts` failed attempts within `within`.
    pub fn new(attempts: u32, within: Duration) -> Self {
        FirstConnect { attempts: attempts.max(1), within }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        let first_connect = FirstConnect::default();
        Timeouts { hello: DEFAULT_HELLO_TIMEOUT, idle: Some(DEFAULT_IDLE_TIMEOUT), first_connect }
    }
}

/// What happened to the client: its session, and (as `Reconnect`) its connections.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// A WELCOME arrived: a fresh session or a resumed one.
    Connected {
        /// The session.
        session: SessionId,
        /// Whether it was resumed.
        resumed: bool,
    },
    /// The server answered SESSION_LOST: resynchronise the application's state. The next
    /// connection starts a fresh session.
    SessionLost {
        /// The session that was lost.
        session: Option<SessionId>,
        /// Why.
        reason: SessionLostReason,
        /// Outgoing messages never confirmed by the server: they count as failed.
        unconfirmed: usize,
    },
    /// The application's state callbacks failed after a WELCOME (feature `sync`).
    #[cfg(feature = "sync")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
    SyncFailed(crate::SyncFailure),
    /// An attempt's TLS handshake failed (feature `tls`), e.g. the server's certificate has
    /// an unknown issuer. The reconnector retries with backoff as after any failed attempt.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    TlsFailed(ws_conn::tls::TlsError),
    /// What the reconnector did: a connection made, lost, or failed, a backoff, a callback
    /// that failed or whose circuit opened (the same events as
    /// `ReliableClient::reconnect_events`, in their order among themselves).
    Reconnect(ws_reconnect::Event),
    /// This subscriber fell behind and missed `missed` events (counted in
    /// `ws_reliability_events_lagged_total{source="client"}`).
    Lagged {
        /// How many events it missed.
        missed: u64,
    },
}

#[cfg(feature = "sync")]
impl crate::state_sync::SyncEvent for ClientEvent {
    fn sync_failed(failure: crate::SyncFailure) -> Self {
        ClientEvent::SyncFailed(failure)
    }
}

impl crate::events::Lagging for ClientEvent {
    fn lagged(missed: u64) -> Self {
        ClientEvent::Lagged { missed }
    }

    /// A client's events are all its own.
    fn session(&self) -> Option<SessionId> {
        None
    }
    const SOURCE: &'static str = "client";
}
