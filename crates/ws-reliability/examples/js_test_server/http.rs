//! A tiny HTTP/1.1 responder for the examples that serve the browser client: GET only, one
//! request per connection, static files from a folder and routes the example answers.

use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest request head read.
const MAX_HEAD: usize = 8192;

/// One response.
pub struct Reply {
    status: &'static str,
    kind: &'static str,
    body: Vec<u8>,
}

impl Reply {
    /// A 200 with `body` of content type `kind`.
    pub fn ok(kind: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Reply { status: "200 OK", kind, body: body.into() }
    }

    /// A 404.
    pub fn not_found() -> Self {
        Reply { status: "404 Not Found", kind: "text/plain", body: b"not found\n".to_vec() }
    }

    fn bytes(&self) -> Vec<u8> {
        let head = format!(
            "HTTP/1.1 {}\r\ncontent-type: {}\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
            self.status,
            self.kind,
            self.body.len()
        );
        [head.into_bytes(), self.body.clone()].concat()
    }
}

/// A file under `root` for the request path `path` (`/` is `index.html`; no `..`).
pub fn file(root: &Path, path: &str) -> Reply {
    let name = path.trim_start_matches('/');
    let name = if name.is_empty() { "index.html" } else { name };
    if name.split('/').any(|part| part == ".." || part.is_empty()) {
        return Reply::not_found();
    }
    std::fs::read(root.join(name))
        .map_or_else(|_| Reply::not_found(), |body| Reply::ok(kind_of(name), body))
}

fn kind_of(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    }
}

/// Answers every request on `listener` with `route(path)`, each connection on its own task.
pub async fn serve<F>(listener: TcpListener, route: F)
where
    F: Fn(&str) -> Reply + Send + Sync + 'static,
{
    let route = Arc::new(route);
    accept_each(listener, |stream| {
        let route = Arc::clone(&route);
        drop(tokio::spawn(async move { answer(stream, route.as_ref()).await }));
    })
    .await;
}

async fn answer<F: Fn(&str) -> Reply>(mut stream: TcpStream, route: &F) {
    let Some(path) = read_path(&mut stream).await else { return };
    let _peer_gone = stream.write_all(&route(&path).bytes()).await;
    let _closing = stream.shutdown().await;
}

/// The path of the request line `GET /path HTTP/1.1`, once the whole head arrived.
async fn read_path(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let mut chunk = [0u8; 1024];
        let read = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        head.extend_from_slice(&chunk[..read]);
    }
    let line = String::from_utf8_lossy(&head).lines().next()?.to_owned();
    line.split(' ').nth(1).map(str::to_owned)
}

/// A server config that admits the pages this responder serves from `web`: they open their
/// WebSocket on another port, which the default origin policy (the request's own host and
/// port) would refuse with 403.
pub fn admitting_pages_of(web: std::net::SocketAddr) -> ws_reliability::server::ServerConfig {
    let mut config = ws_reliability::server::ServerConfig::default();
    let origins = [format!("http://{web}"), format!("http://localhost:{}", web.port())];
    config.conn.limits.origins = ws_reliability::conn::OriginPolicy::allow_only(origins);
    // a hub: one stream of every session's messages, sends by session id
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    config
}

/// Accepts on `listener` for good, handing each stream to `serve`; after a listener error
/// (EMFILE, ENFILE) it pauses, 1 ms doubling to 1 s, instead of stopping or spinning.
pub async fn accept_each(listener: TcpListener, mut serve: impl FnMut(TcpStream)) {
    let mut backoff = ws_reliability::conn::AcceptBackoff::default();
    loop {
        if let Some((stream, _peer)) = backoff.settle(listener.accept().await).await {
            serve(stream);
        }
    }
}
