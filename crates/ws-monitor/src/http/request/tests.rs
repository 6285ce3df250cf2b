//! Unit tests of the request reader: good lines, every refusal, head limits.

use super::*;

#[test]
fn parses_get_and_head_and_drops_the_query() {
    let request = Request::parse_line("GET /health?verbose=1 HTTP/1.1").unwrap();
    assert_eq!((request.method(), request.path()), (Method::Get, "/health"));
    let request = Request::parse_line("HEAD /metrics HTTP/1.0").unwrap();
    assert_eq!((request.method(), request.path()), (Method::Head, "/metrics"));
    assert!(Method::Get.has_body() && !Method::Head.has_body());
}

#[test]
fn refusals_are_typed() {
    let cases = [
        ("", "malformed", 400),
        ("GET /health", "malformed", 400),
        ("GET  /health HTTP/1.1", "malformed", 400),
        ("GET /health HTTP/1.1 extra", "malformed", 400),
        ("GET health HTTP/1.1", "malformed", 400),
        ("POST /health HTTP/1.1", "method_not_allowed", 405),
        ("GET /health HTTP/2", "unsupported_version", 505),
    ];
    for (line, reason, status) in cases {
        let error = Request::parse_line(line).unwrap_err();
        assert_eq!((error.reason(), error.status_code()), (reason, status), "{line:?}: {error}");
    }
}

#[tokio::test]
async fn reads_a_head_sent_in_pieces() {
    let (mut client, mut server) = tokio::io::duplex(64);
    let writer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        for piece in ["GET /hea", "lth HTTP/1.1\r\nHost: x\r\n", "\r\n"] {
            client.write_all(piece.as_bytes()).await.unwrap();
        }
        client
    });
    let request = Request::read(&mut server).await.unwrap();
    assert_eq!(request.path(), "/health");
    drop(writer.await.unwrap());
}

#[tokio::test]
async fn accepts_bare_newlines() {
    let mut input: &[u8] = b"GET /metrics HTTP/1.0\n\n";
    assert_eq!(Request::read(&mut input).await.unwrap().path(), "/metrics");
}

#[tokio::test]
async fn an_early_close_is_an_unexpected_eof() {
    let mut input: &[u8] = b"GET /health HTTP/1.1\r\n";
    let error = Request::read(&mut input).await.unwrap_err();
    assert!(
        matches!(&error, RequestError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof)
    );
    assert_eq!((error.reason(), error.status_code()), ("io", 400));
}

#[tokio::test]
async fn an_endless_head_is_too_large() {
    let head = format!("GET /health HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD_BYTES));
    let error = Request::read(&mut head.as_bytes()).await.unwrap_err();
    assert!(matches!(error, RequestError::TooLarge { limit: MAX_HEAD_BYTES }));
    assert_eq!((error.reason(), error.status_code()), ("too_large", 431));
}

#[test]
fn timeouts_have_their_own_status() {
    let error = RequestError::Timeout(std::time::Duration::from_secs(5));
    assert_eq!((error.reason(), error.status_code()), ("timeout", 408));
}
