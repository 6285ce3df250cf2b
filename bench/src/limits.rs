//! The open-file limit: raised towards the hard limit to cover the run, the push clients
//! required (both ends of each live in this process), the idle connections reduced to what
//! fits, with a message saying so (their server ends live in the child process).

use crate::BenchError;

/// Files the run opens besides its connections: listeners, the runtime, pipes, `/proc`.
pub const SPARE_FILES: u64 = 256;

/// What the limit allows: the idle connections to measure at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The soft limit after raising it.
    pub limit: u64,
    /// Idle connections that fit (at most the ones asked for).
    pub idle: usize,
}

/// Open files for `clients` push clients in one process (two sockets each).
pub fn push_files(clients: usize) -> u64 {
    2 * clients as u64 + SPARE_FILES
}

/// Open files for `idle` connections in one process (one end each).
pub fn idle_files(idle: usize) -> u64 {
    idle as u64 + SPARE_FILES
}

/// Raises the soft `RLIMIT_NOFILE` (inherited by the probe's server process) for the run.
pub fn raise(clients: usize, idle: usize) -> Result<Budget, BenchError> {
    let wanted = push_files(clients).max(idle_files(idle));
    let limit = rlimit::increase_nofile_limit(wanted).unwrap_or(0);
    budget(clients, idle, limit)
}

/// Raises the limit for `sockets` sockets in one process (inherited by its children);
/// an error when they do not fit.
pub fn enough_files(sockets: usize) -> Result<u64, BenchError> {
    let Budget { limit, idle } = raise(0, sockets)?;
    let needed = idle_files(sockets);
    let error = BenchError::OpenFiles { clients: sockets, needed, limit };
    (idle >= sockets).then_some(limit).ok_or(error)
}

/// The budget `limit` leaves, or the error when the push clients do not fit.
pub fn budget(clients: usize, idle: usize, limit: u64) -> Result<Budget, BenchError> {
    let needed = push_files(clients);
    if limit < needed {
        return Err(BenchError::OpenFiles { clients, needed, limit });
    }
    let fits = usize::try_from(limit - SPARE_FILES).unwrap_or(usize::MAX);
    Ok(Budget { limit, idle: idle.min(fits) })
}

/// The message printed when fewer idle connections than asked are measured.
pub fn fallback_message(asked: usize, budget: Budget) -> Option<String> {
    let Budget { limit, idle } = budget;
    let needed = idle_files(asked);
    let instead = format!("measuring memory at {idle} idle connections instead of {asked}");
    let raise = format!("raise it with `ulimit -n {needed}` to measure {asked}");
    let message = format!("ws-bench: the open-file limit is {limit}: {instead}; {raise}");
    (idle < asked).then_some(message)
}

/// ReliableServer's defaults with the per-address limits lifted: every client of the bench
/// connects from 127.0.0.1, and the defaults (64 connections, 20/s per address) would
/// refuse all but a few. The run prints them. A hub (`IncomingMode::Shared`): it sends by
/// session id and reads every session from one stream, rather than an accept loop.
pub fn server_config() -> ws_reliability::server::ServerConfig {
    let mut config = ws_reliability::server::ServerConfig::default();
    config.conn.limits.per_address = ws_reliability::conn::AddressLimits::unlimited();
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    config
}

/// Admissions per second and in a burst of [`many_config`]: lifted, so the time to connect
/// measures the server's handshakes rather than ws-conn's 500/s reconnect-storm guard.
pub const MANY_ACCEPT_RATE: u32 = 1_000_000;

/// The fan-out and connections axes' server: ReliableServer's defaults with room for
/// `capacity` sessions (connections and the session budget), the global accept rate
/// lifted, and the **default per-address limits** (64 connections, a burst of 40, 20/s):
/// the clients come from [`crate::source`]'s addresses, at most 32 each.
pub fn many_config(capacity: usize) -> ws_reliability::server::ServerConfig {
    let mut config = ws_reliability::server::ServerConfig::default();
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    let limits = &mut config.conn.limits;
    limits.max_connections = capacity.max(limits.max_connections);
    limits.accept_burst = MANY_ACCEPT_RATE;
    limits.accept_per_second = MANY_ACCEPT_RATE;
    config.sessions.budget.max_sessions = capacity.max(config.sessions.budget.max_sessions);
    config
}

/// The admission limits of `config`, as the run prints them.
pub fn admission(config: &ws_reliability::server::ServerConfig) -> String {
    let limits = &config.conn.limits;
    let sessions = format!("budget max_sessions {}", config.sessions.budget.max_sessions);
    let rate = format!("accept {}/s burst {}", limits.accept_per_second, limits.accept_burst);
    let handshakes = format!("handshakes at once {}", limits.handshake.max_in_progress);
    let global =
        format!("max_connections {}, {sessions}, {rate}, {handshakes}", limits.max_connections);
    format!("{global}; per address: {}", limits.per_address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_clients_must_fit() {
        assert_eq!(push_files(100), 456);
        let error = budget(1000, 10, 1024).unwrap_err().to_string();
        assert!(error.contains("ulimit -n 2256") && error.contains("fewer --clients"));
    }

    #[test]
    fn idle_connections_shrink_to_the_limit() {
        assert_eq!(budget(100, 10_000, 20_000).unwrap(), Budget { limit: 20_000, idle: 10_000 });
        let short = budget(100, 10_000, 4096).unwrap();
        assert_eq!(short.idle, 4096 - 256);
        let message = fallback_message(10_000, short).unwrap();
        assert!(message.contains("3840 idle connections instead of 10000"));
        assert!(message.contains("ulimit -n 10256"));
        assert_eq!(fallback_message(10, budget(1, 10, 4096).unwrap()), None);
    }

    #[test]
    fn many_sessions_fit_and_addresses_keep_their_defaults() {
        let config = many_config(19_000);
        assert_eq!(config.conn.limits.max_connections, 19_000);
        assert_eq!(config.sessions.budget.max_sessions, 19_000);
        let per_address = config.conn.limits.per_address.clone();
        assert_eq!(per_address, ws_reliability::conn::AddressLimits::default());
        assert!(crate::source::PER_ADDRESS <= per_address.accept_burst as usize);
        let printed = admission(&config);
        assert!(printed.contains("max_connections 19000") && printed.contains("per address: 64"));
        assert_eq!(
            many_config(10).sessions.budget.max_sessions,
            10_000,
            "never below the defaults"
        );
    }

    #[test]
    fn the_limit_here_covers_a_small_run() {
        assert!(raise(10, 100).unwrap().limit >= idle_files(100));
    }
}
