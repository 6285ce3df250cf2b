//! The server the browser client's tests run against (clients/js): a ReliableServer whose
//! connections run over the fault injector (abrupt kills, no close frame), echoing every
//! message back to its session, beside a plain HTTP server for the test pages, the bundle
//! and a few control routes. Prints `http=ADDR ws=ADDR` on stdout once both listen.
//!
//! Environment: `WSR_ROOT` (the folder served over HTTP, default `.`), `WSR_KILL_RATE` (the
//! chance of a kill per read or write while faults are on, default 0.002), `WSR_SEED`
//! (default 1), `WSR_KEEPALIVE_MS` (the server's keepalive interval, `docs/protocol.md` § 7,
//! default 15 000), `WSR_WS_PORT` and `WSR_HTTP_PORT` (default: any free port). Routes:
//! `/faults/on`, `/faults/off` (also disarms a kill-next), `/faults/kill-next` (exactly one
//! kill, of the next read or write), `/stats` (JSON), anything else a file.

mod http;

use futures::StreamExt;
use http::Reply;
use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use ws_reliability::fault::{FaultConfig, FaultInjector, FaultKind, FaultyStream};
use ws_reliability::protocol::SessionId;
use ws_reliability::server::{ReliableServer, ServerConfig};
use ws_reliability::Message;

type Failure = Box<dyn Error + Send + Sync>;

/// What the echo saw: the checks a test reads from `/stats`.
#[derive(Default)]
struct Stats {
    echoed: AtomicU64,
    echo_failed: AtomicU64,
    out_of_order: AtomicU64,
    last: Mutex<HashMap<SessionId, u64>>,
}

impl Stats {
    /// Counts an out-of-order message: a numeric text message must be the previous + 1.
    fn check(&self, session: SessionId, message: &Message) {
        let Some(number) = message.to_text().ok().and_then(|text| text.parse::<u64>().ok()) else {
            return;
        };
        let Ok(mut last) = self.last.lock() else { return };
        let previous = last.insert(session, number).unwrap_or(0);
        if number != previous + 1 {
            self.out_of_order.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counters as JSON members.
    fn json(&self) -> String {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let echoed = format!(
            "\"echoed\":{},\"echo_failed\":{}",
            read(&self.echoed),
            read(&self.echo_failed)
        );
        format!("{echoed},\"out_of_order\":{}", read(&self.out_of_order))
    }

    fn count(&self, echoed: bool) {
        let counter = if echoed { &self.echoed } else { &self.echo_failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The faults under every connection: kills at random while switched on (`/faults/on`),
/// and exactly one kill of the next read or write once armed (`/faults/kill-next`).
struct Injectors {
    random: FaultInjector,
    next: FaultInjector,
}

impl Injectors {
    fn new() -> Result<Self, Failure> {
        let kill_rate = env_or("WSR_KILL_RATE", 0.002)?;
        let seed = env_or("WSR_SEED", 1)?;
        let random = switched_off(FaultConfig::seeded(seed).with_rate(FaultKind::Kill, kill_rate))?;
        let next = switched_off(FaultConfig::seeded(seed).with_rate(FaultKind::Kill, 1.0))?;
        Ok(Injectors { random, next })
    }

    fn wrap(&self, stream: TcpStream) -> FaultyStream<FaultyStream<TcpStream>> {
        self.next.wrap(self.random.wrap(stream))
    }

    fn kills(&self) -> u64 {
        self.random.stats().count(FaultKind::Kill) + self.next.stats().count(FaultKind::Kill)
    }
}

/// An injector with `config`, switched off until told.
fn switched_off(config: FaultConfig) -> Result<FaultInjector, Failure> {
    let injector = FaultInjector::new(config)?;
    injector.set_enabled(false);
    Ok(injector)
}

/// The running test server.
struct App {
    server: ReliableServer,
    injectors: Injectors,
    stats: Stats,
    root: PathBuf,
}

impl App {
    fn new(web: std::net::SocketAddr) -> Result<Self, Failure> {
        let injectors = Injectors::new()?;
        let root = PathBuf::from(std::env::var("WSR_ROOT").unwrap_or_else(|_| ".".into()));
        let server = ReliableServer::new(server_config(web)?);
        Ok(App { server, injectors, stats: Stats::default(), root })
    }

    /// Accepts WebSocket connections, each over the fault injector.
    async fn accept(self: Arc<Self>, listener: TcpListener) {
        http::accept_each(listener, |stream| {
            let _nodelay_is_an_optimisation = stream.set_nodelay(true);
            let server = self.server.clone();
            let stream = self.injectors.wrap(stream);
            drop(tokio::spawn(async move { server.serve_stream(stream).await }));
        })
        .await;
    }

    /// Sends every delivered message back to its session, in order.
    async fn echo(self: Arc<Self>) {
        let Some(mut incoming) = self.server.incoming() else { return };
        while let Some((session, message)) = incoming.next().await {
            self.stats.check(session, &message);
            let sent = self.server.send_wait(session, message).await;
            self.stats.count(sent.is_ok());
        }
    }

    fn route(&self, path: &str) -> Reply {
        match path {
            "/faults/on" | "/faults/off" => self.faults(path == "/faults/on"),
            "/faults/kill-next" => self.kill_next(),
            "/stats" => Reply::ok("application/json", self.stats_json()),
            _ => http::file(&self.root, path.split('?').next().unwrap_or(path)),
        }
    }

    /// Random kills on or off; off also disarms a `/faults/kill-next` not yet spent.
    fn faults(&self, on: bool) -> Reply {
        self.injectors.random.set_enabled(on);
        if !on {
            self.injectors.next.set_enabled(false);
        }
        Reply::ok("application/json", format!("{{\"faults\":{on}}}"))
    }

    /// Arms exactly one kill: the next read or write of any connection.
    fn kill_next(&self) -> Reply {
        self.injectors.next.arm(1);
        Reply::ok("application/json", "{\"armed\":1}".to_owned())
    }

    fn stats_json(&self) -> String {
        let kills = self.injectors.kills();
        let sessions = self.server.sessions().len();
        let counters = self.stats.json();
        format!("{{\"kills\":{kills},\"sessions\":{sessions},{counters}}}")
    }
}

/// The server's configuration: the defaults, with the keepalive of `WSR_KEEPALIVE_MS`.
fn server_config(web: std::net::SocketAddr) -> Result<ServerConfig, Failure> {
    let mut config = http::admitting_pages_of(web);
    config.timeouts.keepalive = Duration::from_millis(env_or("WSR_KEEPALIVE_MS", 15_000)?);
    Ok(config)
}

/// The environment variable `name` parsed, or `default` when it is not set.
fn env_or<T: FromStr>(name: &str, default: T) -> Result<T, Failure>
where
    T::Err: Error + Send + Sync + 'static,
{
    std::env::var(name).map_or(Ok(default), |text| Ok(text.parse()?))
}

/// A listener on 127.0.0.1 at the port the environment variable `name` gives (any if unset).
async fn bind(name: &str) -> Result<TcpListener, Failure> {
    let port: u16 = env_or(name, 0)?;
    Ok(TcpListener::bind(("127.0.0.1", port)).await?)
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let ws = bind("WSR_WS_PORT").await?;
    let web = bind("WSR_HTTP_PORT").await?;
    let app = Arc::new(App::new(web.local_addr()?)?);
    println!("http={} ws={}", web.local_addr()?, ws.local_addr()?);
    tokio::spawn(Arc::clone(&app).accept(ws));
    tokio::spawn(Arc::clone(&app).echo());
    http::serve(web, move |path| app.route(path)).await;
    Ok(())
}
