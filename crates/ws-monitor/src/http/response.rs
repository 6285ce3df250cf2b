//! An HTTP/1.1 response with a fixed body, written whole and followed by a close.

use crate::error::RequestError;

/// The content type Prometheus expects for its text format.
pub(crate) const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The content type of the `/health` report.
pub(crate) const JSON: &str = "application/json";
const PLAIN: &str = "text/plain; charset=utf-8";

/// A status, a content type and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    pub(crate) fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self { status, content_type, body: body.into() }
    }

    pub(crate) fn text(status: u16, message: impl std::fmt::Display) -> Self {
        Self::new(status, PLAIN, format!("{message}\n"))
    }

    pub(crate) fn refusal(error: &RequestError) -> Self {
        Self::text(error.status_code(), error)
    }

    /// The bytes on the wire; a `HEAD` answer leaves the body out but keeps its length.
    pub(crate) fn to_bytes(&self, with_body: bool) -> Vec<u8> {
        let (status, reason, length) = (self.status, reason(self.status), self.body.len());
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: {}\r\ncontent-length: {length}\r\n\
             connection: close\r\ncache-control: no-store\r\n\r\n",
            self.content_type
        );
        let body = if with_body { self.body.as_slice() } else { &[] };
        [head.as_bytes(), body].concat()
    }
}

/// The reason phrase of every status this listener answers with.
const REASONS: &[(u16, &str)] = &[
    (200, "OK"),
    (400, "Bad Request"),
    (404, "Not Found"),
    (405, "Method Not Allowed"),
    (408, "Request Timeout"),
    (431, "Request Header Fields Too Large"),
    (500, "Internal Server Error"),
    (503, "Service Unavailable"),
    (505, "HTTP Version Not Supported"),
];

fn reason(status: u16) -> &'static str {
    REASONS.iter().find(|(code, _)| *code == status).map_or("Unknown", |(_, reason)| reason)
}
