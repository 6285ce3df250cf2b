//! [`Limits`]: the bounds a server announces in its WELCOME, with their defaults.

use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Default largest DATA payload in bytes: 1 MiB.
pub const DEFAULT_MAX_PAYLOAD: u64 = 1024 * 1024;
/// Default most DATA frames a sender may have unacknowledged: 1024.
pub const DEFAULT_MAX_UNACKED: u64 = 1024;
/// Default time a lost connection's session stays resumable: 2 minutes.
pub const DEFAULT_RESUME_WINDOW: Duration = Duration::from_secs(120);
/// Default time a server waits for HELLO after the upgrade before closing with 4002.
pub const DEFAULT_HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a server stays silent: with nothing else to send it repeats its last ACK, so a
/// browser (which cannot see pings) notices a dead link.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(15);
/// Silence after which a client treats its connection as dead: three keepalive intervals.
pub const KEEPALIVE_DEAD_AFTER: Duration = Duration::from_secs(45);
/// Read and write buffer size per connection: 4 KiB instead of tungstenite's 128 KiB read
/// buffer, so an idle connection costs a few KiB.
pub const DEFAULT_BUFFER_SIZE: usize = 4096;
/// A server connection's read buffer ([`Limits::server_websocket_config`]): 256 bytes.
/// The server mostly reads ACKs (a few bytes) and the buffer stays allocated for as long
/// as the connection is open, busy or idle; a larger message still arrives whole
/// (tungstenite grows the buffer for its frame). A busy connection does not pay for the
/// small buffer in system calls: the server reads its sockets through
/// [`ReadAhead`](crate::read_ahead::ReadAhead), which reads 32 KiB at a time while the
/// peer keeps sending and serves tungstenite from memory (1 KiB until
/// `docs/learnings.md` § 35 measured 256 bytes no slower).
pub const DEFAULT_SERVER_READ_BUFFER_SIZE: usize = 256;
/// A client connection's read buffer ([`Limits::client_websocket_config`]): 32 KiB, a
/// quarter of tungstenite's default. A client holds one connection, and the server pushes
/// BATCH messages of up to 32 KiB: one read each, where 4 KiB reads took several `recv`
/// calls per message (64 KiB measured no faster).
pub const DEFAULT_CLIENT_READ_BUFFER_SIZE: usize = 32 * 1024;

/// The bounds of a session, announced by the server in WELCOME and binding on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest DATA payload, in bytes; a larger message is closed with 1009.
    pub max_payload: u64,
    /// Most DATA frames a sender may have sent beyond the last ack it received; a peer that
    /// exceeds it (or a slow consumer the server gives up on) is closed with 4001.
    pub max_unacked: u64,
    /// How long the server keeps a disconnected session resumable (millisecond precision).
    pub resume_window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_payload: DEFAULT_MAX_PAYLOAD,
            max_unacked: DEFAULT_MAX_UNACKED,
            resume_window: DEFAULT_RESUME_WINDOW,
        }
    }
}

impl Limits {
    /// The largest whole WebSocket message: a maximal payload plus the DATA framing.
    /// Use it as tungstenite's `max_message_size`.
    pub fn max_message_size(&self) -> usize {
        let total = self.max_payload.saturating_add(super::MAX_DATA_OVERHEAD as u64);
        usize::try_from(total).unwrap_or(usize::MAX)
    }

    /// A tungstenite configuration enforcing these limits: messages and frames above
    /// [`max_message_size`](Self::max_message_size) are refused (`Error::Capacity`, answer
    /// with 1009), buffers of [`DEFAULT_BUFFER_SIZE`], and a write buffer bounded to one
    /// maximal message plus two buffers, so a slow peer meets backpressure.
    pub fn websocket_config(&self) -> WebSocketConfig {
        let largest = self.max_message_size();
        let buffers = WebSocketConfig::default().read_buffer_size(DEFAULT_BUFFER_SIZE);
        let buffers = buffers.write_buffer_size(DEFAULT_BUFFER_SIZE);
        let bounded =
            buffers.max_write_buffer_size(largest.saturating_add(2 * DEFAULT_BUFFER_SIZE));
        bounded.max_message_size(Some(largest)).max_frame_size(Some(largest))
    }

    /// [`websocket_config`](Self::websocket_config) with the server's smaller read buffer,
    /// [`DEFAULT_SERVER_READ_BUFFER_SIZE`]: what `ReliableServer` uses for the sockets it
    /// upgrades itself.
    pub fn server_websocket_config(&self) -> WebSocketConfig {
        self.websocket_config().read_buffer_size(DEFAULT_SERVER_READ_BUFFER_SIZE)
    }

    /// [`websocket_config`](Self::websocket_config) with the client's larger read buffer,
    /// [`DEFAULT_CLIENT_READ_BUFFER_SIZE`]: what `ReliableClient` connects with.
    pub fn client_websocket_config(&self) -> WebSocketConfig {
        self.websocket_config().read_buffer_size(DEFAULT_CLIENT_READ_BUFFER_SIZE)
    }

    /// The resume window in whole milliseconds, as sent on the wire.
    pub fn resume_window_ms(&self) -> u64 {
        u64::try_from(self.resume_window.as_millis()).unwrap_or(u64::MAX)
    }
}
