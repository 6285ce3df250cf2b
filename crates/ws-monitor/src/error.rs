//! The crate's errors: registration and exporter setup, a check's own failure, bad HTTP requests.

use std::net::SocketAddr;
use std::time::Duration;

/// What can go wrong while setting a monitor up or serving its endpoints.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// A check with this name is already registered; names are the report's keys.
    #[error("a check named `{name}` is already registered")]
    DuplicateCheck {
        /// The rejected name.
        name: String,
    },
    /// This process already has a global metrics recorder: build a handle without
    /// installing one ([`crate::prometheus_builder`]) and pass it to [`crate::HealthServer::bind`].
    #[error("a global metrics recorder is already installed")]
    RecorderAlreadyInstalled,
    /// The Prometheus recorder could not be built.
    #[error("the prometheus recorder could not be built: {0}")]
    Recorder(#[source] metrics_exporter_prometheus::BuildError),
    /// The HTTP listener could not be bound.
    #[error("the health listener could not bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's answer.
        #[source]
        source: std::io::Error,
    },
}

/// The failure a check reports: a message saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CheckError {
    message: String,
}

impl CheckError {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<String> for CheckError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for CheckError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

/// Why an HTTP request to the health listener was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request head exceeded the limit.
    #[error("the request head is longer than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The request line is not `METHOD TARGET HTTP/1.x`.
    #[error("the request line is malformed: {line:?}")]
    Malformed {
        /// The offending line (lossily decoded).
        line: String,
    },
    /// Only `GET` and `HEAD` are served.
    #[error("method {method} is not allowed")]
    MethodNotAllowed {
        /// The method received.
        method: String,
    },
    /// Only HTTP/1.0 and HTTP/1.1 are spoken.
    #[error("http version {version} is not supported")]
    UnsupportedVersion {
        /// The version received.
        version: String,
    },
    /// No complete request head arrived in time.
    #[error("no complete request head within {0:?}")]
    Timeout(Duration),
    /// Reading from the socket failed, or the peer closed it before a complete request head
    /// (`UnexpectedEof`).
    #[error("reading the request failed: {0}")]
    Io(#[from] std::io::Error),
}

impl RequestError {
    /// A short label for the `reason` of `ws_monitor_http_errors_total`.
    pub fn reason(&self) -> &'static str {
        match self {
            RequestError::TooLarge { .. } => "too_large",
            RequestError::Malformed { .. } => "malformed",
            RequestError::MethodNotAllowed { .. } => "method_not_allowed",
            RequestError::UnsupportedVersion { .. } => "unsupported_version",
            RequestError::Timeout(_) => "timeout",
            RequestError::Io(_) => "io",
        }
    }

    /// The HTTP status answered for it.
    pub fn status_code(&self) -> u16 {
        match self {
            RequestError::TooLarge { .. } => 431,
            RequestError::MethodNotAllowed { .. } => 405,
            RequestError::UnsupportedVersion { .. } => 505,
            RequestError::Timeout(_) => 408,
            _ => 400,
        }
    }
}
