//! The answers: a status, a content type and a fixed body (`http_body_util::Full`).

use crate::error::RequestError;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Response, StatusCode};

/// The body of every answer: whole, known length.
pub(crate) type Body = Full<Bytes>;

/// The content type Prometheus expects for its text format.
pub(crate) const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The content type of the `/health` report.
pub(crate) const JSON: &str = "application/json";
const PLAIN: &str = "text/plain; charset=utf-8";

/// An answer with `status`, `content_type` and `body`, never cached. hyper leaves the body
/// out of an answer to `HEAD` and keeps its `content-length`.
pub(crate) fn answer(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A plain-text answer: `message` and a line end.
pub(crate) fn text(status: StatusCode, message: impl std::fmt::Display) -> Response<Body> {
    answer(status, PLAIN, format!("{message}\n"))
}

/// `405` for any method but `GET` and `HEAD`, saying which are allowed.
pub(crate) fn method_not_allowed(method: &Method) -> Response<Body> {
    let error = RequestError::MethodNotAllowed { method: method.to_string() };
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, error);
    response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}
