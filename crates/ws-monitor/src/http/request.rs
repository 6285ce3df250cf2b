//! A minimal HTTP/1.x request reader: reads the head, parses the request line, nothing more.

use crate::error::RequestError;
use tokio::io::{AsyncRead, AsyncReadExt};

#[cfg(test)]
mod tests;

/// The longest request head accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;

/// The methods served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: status line, headers and body.
    Get,
    /// `HEAD`: status line and headers only.
    Head,
}

impl Method {
    /// Whether the answer carries its body (`GET`) or only its headers (`HEAD`).
    pub fn has_body(self) -> bool {
        self == Method::Get
    }
}

/// A parsed request line: the method and the path (query string removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    method: Method,
    path: String,
}

impl Request {
    /// Parses `METHOD TARGET HTTP/1.x` (without the line end).
    pub fn parse_line(line: &str) -> Result<Self, RequestError> {
        let malformed = || RequestError::Malformed { line: line.to_owned() };
        let [method, target, version] = split_line(line).ok_or_else(malformed)?;
        let method = parse_method(method)?;
        check_version(version)?;
        let path = path_of(target).ok_or_else(malformed)?;
        Ok(Self { method, path: path.to_owned() })
    }

    /// Reads a request head from `reader` and parses its first line.
    pub async fn read<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Self, RequestError> {
        let head = read_head(reader).await?;
        let line = head.split(|byte| *byte == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        Self::parse_line(line.trim_end_matches('\r'))
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path, without the query string.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// The three space-separated parts of a request line, or `None`.
fn split_line(line: &str) -> Option<[&str; 3]> {
    let mut parts = line.split(' ');
    let three = [parts.next()?, parts.next()?, parts.next()?];
    parts.next().is_none().then_some(three)
}

fn parse_method(method: &str) -> Result<Method, RequestError> {
    match method {
        "GET" => Ok(Method::Get),
        "HEAD" => Ok(Method::Head),
        other => Err(RequestError::MethodNotAllowed { method: other.to_owned() }),
    }
}

fn check_version(version: &str) -> Result<(), RequestError> {
    match version {
        "HTTP/1.1" | "HTTP/1.0" => Ok(()),
        other => Err(RequestError::UnsupportedVersion { version: other.to_owned() }),
    }
}

/// The path of an origin-form target (`/health?verbose` → `/health`); `None` if not one.
fn path_of(target: &str) -> Option<&str> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    path.starts_with('/').then_some(path)
}

/// Reads until the blank line that ends the head, at most [`MAX_HEAD_BYTES`].
async fn read_head<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Vec<u8>, RequestError> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0_u8; 512];
    while !head_complete(&head) {
        let read = reader.read(&mut chunk).await?;
        append(&mut head, &chunk[..read])?;
    }
    Ok(head)
}

fn append(head: &mut Vec<u8>, chunk: &[u8]) -> Result<(), RequestError> {
    if chunk.is_empty() {
        return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
    }
    head.extend_from_slice(chunk);
    if head.len() > MAX_HEAD_BYTES {
        return Err(RequestError::TooLarge { limit: MAX_HEAD_BYTES });
    }
    Ok(())
}

fn head_complete(head: &[u8]) -> bool {
    head.windows(4).any(|window| window == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n")
}
