//! [`SoakError`]: why a soak run could not be carried out (a run that ran and missed a
//! success metric is not an error: its report says so).

/// A soak run that could not start or finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoakError {
    /// The open-file limit is too low for the connections asked for, even raised.
    #[error(
        "{connections} connections need {needed} open files but the limit is {limit}: raise it \
         with `ulimit -n {needed}` (as root, or raise the hard limit in \
         /etc/security/limits.conf), or run with fewer --connections"
    )]
    OpenFiles {
        /// Connections asked for.
        connections: usize,
        /// Open files needed.
        needed: u64,
        /// The limit after raising the soft limit to the hard one.
        limit: u64,
    },
    /// The fault rate is not a probability.
    #[error("fault rate: {0}")]
    FaultRate(#[from] ws_reliability::fault::FaultError),
    /// The chaos synchronizer could not be built.
    #[error("state sync: {0}")]
    Sync(#[from] ws_reliability::sync::SyncError),
    /// The monitor or its listener could not start.
    #[error("monitor: {0}")]
    Monitor(#[from] ws_reliability::monitor::MonitorError),
    /// The server could not listen, or a socket failed.
    #[error("server: {0}")]
    Server(#[from] ws_reliability::Error),
    /// A client could not be created.
    #[error("client {index}: {message}")]
    Client {
        /// Its index.
        index: usize,
        /// Why.
        message: String,
    },
    /// Not every client connected in time.
    #[error("only {connected} of {connections} clients connected within {seconds} s")]
    Connect {
        /// Connected.
        connected: u64,
        /// Asked for.
        connections: usize,
        /// The wait.
        seconds: u64,
    },
    /// The simulation failed (a host's software returned an error, or it ran out of time).
    #[error("simulation: {0}")]
    Simulation(String),
    /// The server process of the memory probe failed.
    #[error("memory probe: {0}")]
    Probe(String),
    /// Writing the report failed.
    #[error("writing the report to {path}: {source}")]
    Report {
        /// Where.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}
