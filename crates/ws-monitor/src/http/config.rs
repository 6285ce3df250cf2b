//! The listener's limits: timeouts, the connection cap, the request head size, accept pauses.

use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;
use std::time::Duration;
use ws_core::{capped_delay, Backoff, Jitter};

/// Default [`HttpConfig::header_read_timeout`]: how long a client has to send a request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Default [`HttpConfig::idle_timeout`]: how long a connection may move no byte either way.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`HttpConfig::max_connections`]: the most connections served at once.
pub const MAX_IN_FLIGHT: usize = 256;
/// Default [`HttpConfig::max_head_bytes`]: the longest request head accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
/// The first pause of the default [`HttpConfig::accept_backoff`], doubled per error in a row.
pub const ACCEPT_BACKOFF_INITIAL: Duration = Duration::from_millis(1);
/// The longest pause of the default [`HttpConfig::accept_backoff`].
pub const ACCEPT_BACKOFF_CAP: Duration = Duration::from_secs(1);
/// hyper's smallest read buffer; a smaller one makes its builder panic.
const MIN_READ_BUFFER: usize = 8 * 1024;

/// The health listener's limits, each with a documented default (see the README's table).
///
/// ```
/// use std::time::Duration;
/// use ws_monitor::HttpConfig;
///
/// let mut config = HttpConfig::default();
/// config.max_connections = 16;
/// config.header_read_timeout = Duration::from_secs(2);
/// assert_eq!(config.idle_timeout, ws_monitor::IDLE_TIMEOUT);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// How long a client has to send a whole request head, from the moment the listener
    /// waits for one: after the connection opens, and after each answer on a kept-alive
    /// connection (hyper's `header_read_timeout`, so it also bounds the wait between
    /// requests). Past it the connection is closed without an answer and counted in
    /// `ws_monitor_http_timeouts_total{kind="header"}`. Default [`READ_TIMEOUT`] (5 s).
    pub header_read_timeout: Duration,
    /// How long a connection may go without a byte read or written: bounds a client that
    /// stops reading its answer. Counted in `ws_monitor_http_timeouts_total{kind="idle"}`.
    /// Keep it above the longest check timeout: the first `/health` before any run waits for
    /// one. Default [`IDLE_TIMEOUT`] (30 s).
    pub idle_timeout: Duration,
    /// The most connections open at once; the next one is closed as soon as it is accepted
    /// and counted in `ws_monitor_http_connections_refused_total`. Default [`MAX_IN_FLIGHT`]
    /// (256).
    pub max_connections: usize,
    /// The longest request head accepted (answered `431` past it). Default
    /// [`MAX_HEAD_BYTES`] (8 KiB).
    pub max_head_bytes: usize,
    /// Whether a connection stays open for the next request (HTTP/1.1 keep-alive), which
    /// spares a scraper a TCP handshake per scrape. Default `true`.
    pub keep_alive: bool,
    /// The accept loop's pauses after errors of the listener itself (EMFILE, ENFILE) in a
    /// row: the `n`th waits `min(cap, initial * multiplier^n)`, spread by its jitter; an
    /// accepted connection starts over. Default [`ACCEPT_BACKOFF_INITIAL`] (1 ms) doubled up
    /// to [`ACCEPT_BACKOFF_CAP`] (1 s), no jitter.
    pub accept_backoff: Backoff,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: READ_TIMEOUT,
            idle_timeout: IDLE_TIMEOUT,
            max_connections: MAX_IN_FLIGHT,
            max_head_bytes: MAX_HEAD_BYTES,
            keep_alive: true,
            accept_backoff: default_accept_backoff(),
        }
    }
}

fn default_accept_backoff() -> Backoff {
    Backoff::new(ACCEPT_BACKOFF_INITIAL, 2.0, ACCEPT_BACKOFF_CAP).with_jitter(Jitter::None)
}

impl HttpConfig {
    /// hyper's HTTP/1 connection builder with these limits, on tokio's clock.
    pub(crate) fn builder(&self) -> http1::Builder {
        let mut builder = http1::Builder::new();
        builder.timer(TokioTimer::new()).keep_alive(self.keep_alive);
        builder.header_read_timeout(capped_delay(self.header_read_timeout));
        builder.max_header_size(self.max_head_bytes);
        builder.max_buf_size(self.max_head_bytes.max(MIN_READ_BUFFER));
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_head_limit_does_not_reach_hypers_buffer_minimum() {
        let config = HttpConfig { max_head_bytes: 10, ..HttpConfig::default() };
        drop(config.builder());
        let never = HttpConfig { header_read_timeout: Duration::MAX, ..HttpConfig::default() };
        drop(never.builder());
    }
}
