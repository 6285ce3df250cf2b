//! A chat room on a ReliableServer, used from a browser through the wsr.v1 client of
//! `clients/js`: `cargo run -p ws-reliability --example chat --features full`, then open the
//! printed address in two tabs. Every message reaches every session exactly once and in
//! order, across reconnects and page reloads. `CHAT_KILL_RATE` (default 0) kills connections
//! abruptly at that rate per read or write, to watch them resume; `CHAT_PORT` (default 8080)
//! is the HTTP port, the WebSocket port is the next one.
//!
//! The page and the client bundle are compiled in (`index.html`, `wsr-client.min.js`, built
//! from `clients/js` and checked against its sources by `clients/js/ci.sh`).

#[path = "../js_test_server/http.rs"]
#[allow(dead_code)] // the chat serves compiled-in files, not a folder
mod http;

use futures::StreamExt;
use http::Reply;
use std::error::Error;
use std::sync::Arc;
use tokio::net::TcpListener;
use ws_reliability::fault::{FaultConfig, FaultInjector, FaultKind};
use ws_reliability::server::{BroadcastReport, ReliableServer, Target};

type Failure = Box<dyn Error + Send + Sync>;

const PAGE: &str = include_str!("index.html");
const BUNDLE: &str = include_str!("wsr-client.min.js");

/// The chat server: the reliable server and the fault injector under its connections.
struct Chat {
    server: ReliableServer,
    injector: FaultInjector,
    ws_port: u16,
}

impl Chat {
    fn new(web: std::net::SocketAddr, ws_port: u16) -> Result<Self, Failure> {
        let rate = env_or("CHAT_KILL_RATE", "0").parse()?;
        let injector = FaultInjector::new(FaultConfig::seeded(1).with_rate(FaultKind::Kill, rate))?;
        let server = ReliableServer::new(http::admitting_pages_of(web));
        Ok(Chat { server, injector, ws_port })
    }

    /// Accepts WebSocket connections on `ws` and relays messages, on background tasks.
    fn start(self: &Arc<Self>, ws: TcpListener) {
        drop(tokio::spawn(Arc::clone(self).accept(ws)));
        drop(tokio::spawn(Arc::clone(self).relay()));
    }

    async fn accept(self: Arc<Self>, listener: TcpListener) {
        http::accept_each(listener, |stream| {
            let server = self.server.clone();
            let stream = self.injector.wrap(stream);
            drop(tokio::spawn(async move { server.serve_stream(stream).await }));
        })
        .await;
    }

    /// Every message any session delivers goes to every session.
    async fn relay(self: Arc<Self>) {
        let Some(mut incoming) = self.server.incoming() else { return };
        while let Some((_session, message)) = incoming.next().await {
            report(self.server.broadcast(Target::All, message));
        }
    }

    fn route(&self, path: &str) -> Reply {
        match path.split('?').next().unwrap_or(path) {
            "/" | "/index.html" => Reply::ok("text/html; charset=utf-8", self.page()),
            "/wsr-client.min.js" => Reply::ok("text/javascript; charset=utf-8", BUNDLE),
            _ => Reply::not_found(),
        }
    }

    fn page(&self) -> String {
        PAGE.replace("{{WS_PORT}}", &self.ws_port.to_string())
    }
}

/// Says when some sessions could not take a message (their outbox is full).
fn report(report: BroadcastReport) {
    if !report.refused.is_empty() {
        eprintln!("chat: {} sessions refused a message (outbox full)", report.refused.len());
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let port: u16 = env_or("CHAT_PORT", "8080").parse()?;
    let web = TcpListener::bind(("127.0.0.1", port)).await?;
    let ws = TcpListener::bind(("127.0.0.1", port.wrapping_add(1))).await?;
    println!("chat: open http://{} (WebSocket on {})", web.local_addr()?, ws.local_addr()?);
    let chat = Arc::new(Chat::new(web.local_addr()?, ws.local_addr()?.port())?);
    chat.start(ws);
    http::serve(web, move |path| chat.route(path)).await;
    Ok(())
}
