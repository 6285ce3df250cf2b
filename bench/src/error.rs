//! [`BenchError`]: why a benchmark run could not measure (a run that measured and missed a
//! target is not an error: its report says MISS).

/// A benchmark run that could not start or finish, or whose messages did not all arrive.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// The open-file limit is too low for the push clients, even raised.
    #[error(
        "{clients} clients need {needed} open files but the limit is {limit}: raise it with \
         `ulimit -n {needed}` or run with fewer --clients"
    )]
    OpenFiles {
        /// Clients asked for.
        clients: usize,
        /// Open files needed.
        needed: u64,
        /// The soft limit after raising it as far as the hard limit allows.
        limit: u64,
    },
    /// A socket, the runtime or the child process failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// A raw tokio-tungstenite connection failed.
    #[error("websocket: {0}")]
    WebSocket(String),
    /// The reliable server or client refused or failed.
    #[error("ws-reliability: {0}")]
    Reliable(String),
    /// A client's stream ended before the end marker.
    #[error("a client's stream ended after {received} messages, before the end marker")]
    Ended {
        /// Messages received before it ended.
        received: u64,
    },
    /// A message arrived out of order, or twice, or one was lost.
    #[error("message {got} arrived where {expected} was expected")]
    OutOfOrder {
        /// The index expected next.
        expected: u64,
        /// The index that came.
        got: u64,
    },
    /// A message was not one of the benchmark's 64-byte binary messages.
    #[error("unexpected message: {0}")]
    Malformed(String),
    /// A client received a different number of messages than its server sent.
    #[error("the server sent {sent} messages but the client received {received}")]
    Lost {
        /// Messages sent to the client.
        sent: u64,
        /// Messages the client received.
        received: u64,
    },
    /// A phase did not finish in time.
    #[error("timed out: {0}")]
    TimedOut(&'static str),
    /// A session store, its redis-server or a store node could not start or failed.
    #[error("store: {0}")]
    Store(String),
    /// The memory probe's server process misbehaved.
    #[error("probe server: {0}")]
    Probe(String),
    /// The JSON report could not be written.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A latency run's client failed while it held the run's histograms
    /// ([`crate::latency::recorder::Gathered`]): what they hold is unknown.
    #[error("a client's recorder failed while it held the run's histograms")]
    Recorder,
    /// A task panicked or was cancelled.
    #[error("task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<tokio_tungstenite::tungstenite::Error> for BenchError {
    fn from(error: tokio_tungstenite::tungstenite::Error) -> Self {
        BenchError::WebSocket(error.to_string())
    }
}

impl From<ws_reliability::Error> for BenchError {
    fn from(error: ws_reliability::Error) -> Self {
        BenchError::Reliable(error.to_string())
    }
}

impl From<tokio::time::error::Elapsed> for BenchError {
    fn from(_: tokio::time::error::Elapsed) -> Self {
        BenchError::TimedOut("a benchmark phase")
    }
}

impl From<ws_reliability::store::StoreError> for BenchError {
    fn from(error: ws_reliability::store::StoreError) -> Self {
        BenchError::Store(error.to_string())
    }
}
