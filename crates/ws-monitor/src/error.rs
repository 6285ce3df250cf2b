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

/// Why a request to the health listener was refused, or its connection ended in error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request head exceeded the limit (answered `431`).
    #[error("the request head is longer than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The request could not be parsed as HTTP/1.x (answered `400`; an HTTP version other
    /// than 1.0 and 1.1 is one of these).
    #[error("the request is malformed: {detail}")]
    Malformed {
        /// hyper's description of the parse error.
        detail: String,
    },
    /// Only `GET` and `HEAD` are served (answered `405`).
    #[error("method {method} is not allowed")]
    MethodNotAllowed {
        /// The method received.
        method: String,
    },
    /// No complete request head arrived in time: the connection is closed unanswered.
    #[error("no complete request head within {0:?}")]
    Timeout(Duration),
    /// No byte was read or written for this long: the connection is closed.
    #[error("no byte read or written for {0:?}")]
    IdleTimeout(Duration),
    /// Reading or writing the socket failed, or the peer closed it mid-request.
    #[error("the connection failed: {0}")]
    Io(#[from] std::io::Error),
}

impl RequestError {
    /// A short label: the `reason` of `ws_monitor_http_errors_total`, or the `kind` of
    /// `ws_monitor_http_timeouts_total` for the two timeouts (`header`, `idle`).
    pub fn reason(&self) -> &'static str {
        match self {
            RequestError::TooLarge { .. } => "too_large",
            RequestError::Malformed { .. } => "malformed",
            RequestError::MethodNotAllowed { .. } => "method_not_allowed",
            RequestError::Timeout(_) => "header",
            RequestError::IdleTimeout(_) => "idle",
            RequestError::Io(_) => "io",
        }
    }

    /// Whether it is one of the two timeouts (counted apart from the errors).
    pub fn is_timeout(&self) -> bool {
        matches!(self, RequestError::Timeout(_) | RequestError::IdleTimeout(_))
    }

    /// The HTTP status it stands for (a timed-out connection is closed without one).
    pub fn status_code(&self) -> u16 {
        match self {
            RequestError::TooLarge { .. } => 431,
            RequestError::MethodNotAllowed { .. } => 405,
            RequestError::Timeout(_) | RequestError::IdleTimeout(_) => 408,
            _ => 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_label_and_status() {
        let cases = [
            (RequestError::TooLarge { limit: 8 }, "too_large", 431, false),
            (RequestError::Malformed { detail: "x".into() }, "malformed", 400, false),
            (
                RequestError::MethodNotAllowed { method: "POST".into() },
                "method_not_allowed",
                405,
                false,
            ),
            (RequestError::Timeout(Duration::from_secs(5)), "header", 408, true),
            (RequestError::IdleTimeout(Duration::from_secs(30)), "idle", 408, true),
            (std::io::Error::other("reset").into(), "io", 400, false),
        ];
        for (error, reason, status, timeout) in cases {
            assert_eq!(error.reason(), reason, "{error}");
            assert_eq!(error.status_code(), status, "{error}");
            assert_eq!(error.is_timeout(), timeout, "{error}");
        }
    }
}
