//! The clients: each a [`ReliableClient`] whose every connection goes through its own
//! seeded [`FaultInjector`], with a second injector for the server's end of its
//! connections (the acceptor finds it by the client's local port), so faults on both ends
//! can be matched per client.

use super::acceptor::Ports;
use super::shared::Shared;
use super::watch;
use crate::SoakError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::core::Backoff;
use ws_reliability::fault::{
    stream_seed, FaultConfig, FaultInjector, FaultKind, FaultyStream, Pair,
};

/// Separates the server-side injectors' seeds from the clients'.
const SERVER_SIDE_SEED: u64 = 0x5E4F_E45D;

/// One client and the injectors under both ends of its connections.
#[derive(Debug)]
pub struct Faulty {
    /// The client.
    pub client: ReliableClient,
    /// Its injector (off until the run starts).
    pub injector: FaultInjector,
    /// The injector under the server's end of its connections (off until the run starts).
    pub server_side: FaultInjector,
}

impl Faulty {
    /// How many faults of `kind` were injected under both ends of its connections.
    pub fn count(&self, kind: FaultKind) -> u64 {
        self.injector.stats().count(kind) + self.server_side.stats().count(kind)
    }
}

/// What `--faults` and `--fault-rate` ask for: the kinds, the rate per read or write, and
/// the rate per close the server starts.
#[derive(Debug, Clone, Copy)]
pub struct Rates<'a> {
    /// The kinds injected.
    pub kinds: &'a [FaultKind],
    /// Per read or write operation.
    pub operation: f64,
    /// Per close the server starts.
    pub close: f64,
}

impl Rates<'_> {
    /// The rate of `kind` under the server's end (`server`) or the client's.
    fn of(&self, kind: FaultKind, server: bool) -> f64 {
        match (kind, server) {
            (FaultKind::FailedClose, true) => self.close,
            (FaultKind::FailedClose, false) => 0.0,
            _ => self.operation,
        }
    }
}

/// The fault configuration of client `index`'s end (`server` false) or the server's end of
/// its connections: each of the kinds at its rate, its own seed. Failed closes strike only
/// the server's end: the closes that ws-conn can report are the server's.
pub fn fault_config(seed: u64, index: usize, rates: Rates<'_>, server: bool) -> FaultConfig {
    let base = if server { seed ^ SERVER_SIDE_SEED } else { seed };
    let config = FaultConfig::seeded(stream_seed(base, index as u64));
    let rate = |kind: &FaultKind| (*kind, rates.of(*kind, server));
    rates.kinds.iter().map(rate).fold(config, |config, (kind, rate)| config.with_rate(kind, rate))
}

/// Client settings: reconnect fast (10 ms doubling to 500 ms, jittered) so a recovery is
/// measured in milliseconds, as an operator would configure a loopback-near deployment.
pub fn client_config() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.reconnect.backoff =
        Backoff::new(Duration::from_millis(10), 2.0, Duration::from_millis(500));
    config
}

/// Where the clients connect and how their connections are faulted.
pub struct Plan<'a> {
    /// The server's address.
    pub addr: SocketAddr,
    /// The run's seed.
    pub seed: u64,
    /// The fault rates.
    pub rates: Rates<'a>,
    /// Client ports, for the acceptor.
    pub ports: &'a Arc<Ports>,
    /// The injector under the server's end of each client's connections, by index
    /// ([`server_sides`]), handed to the acceptor before any client connects.
    pub server_sides: &'a [FaultInjector],
}

/// The injectors under the server's end of `count` clients' connections, off.
pub fn server_sides(
    seed: u64,
    count: usize,
    rates: Rates<'_>,
) -> Result<Vec<FaultInjector>, SoakError> {
    (0..count).map(|index| off(fault_config(seed, index, rates, true))).collect()
}

/// Starts `count` clients of the server (at most one per server-side injector), each
/// watched, injectors off.
pub fn start(
    plan: &Plan<'_>,
    count: usize,
    shared: &Arc<Shared>,
) -> Result<Vec<Faulty>, SoakError> {
    let sides = plan.server_sides.iter().take(count).enumerate();
    sides.map(|(index, server_side)| start_one(plan, index, server_side, shared)).collect()
}

/// Starts client `index`, watched, its injector off; `server_side` is its server end's.
fn start_one(
    plan: &Plan<'_>,
    index: usize,
    server_side: &FaultInjector,
    shared: &Arc<Shared>,
) -> Result<Faulty, SoakError> {
    let injector = off(fault_config(plan.seed, index, plan.rates, false))?;
    let url = format!("ws://{}/soak", plan.addr);
    let dial = Dial::of(plan, index, &injector);
    let client = ReliableClient::with_dialer(&url, client_config(), dial.dialer());
    watch::spawn(&client, index, shared);
    Ok(Faulty { client, injector, server_side: server_side.clone() })
}

/// An injector, off.
fn off(config: FaultConfig) -> Result<FaultInjector, SoakError> {
    let injector = FaultInjector::new(config)?;
    injector.set_enabled(false);
    Ok(injector)
}

/// How client `index` connects: to the server, through its injector, noting its local port.
#[derive(Clone)]
struct Dial {
    addr: SocketAddr,
    injector: FaultInjector,
    ports: Arc<Ports>,
    index: usize,
}

impl Dial {
    fn of(plan: &Plan<'_>, index: usize, injector: &FaultInjector) -> Dial {
        Dial { addr: plan.addr, injector: injector.clone(), ports: Arc::clone(plan.ports), index }
    }

    /// The dialer the client calls for each connection.
    fn dialer(
        self,
    ) -> impl Fn() -> futures::future::BoxFuture<'static, std::io::Result<FaultyStream<TcpStream>>>
           + Send
           + Sync
           + 'static {
        move || Box::pin(self.clone().connect())
    }

    /// Connects, notes the local port as this client's (before the upgrade request goes
    /// out, so the acceptor finds it) with a fresh [`Pair`], and wraps the socket in it.
    async fn connect(self) -> std::io::Result<FaultyStream<TcpStream>> {
        let stream = TcpStream::connect(self.addr).await?;
        let pair = Pair::new();
        self.ports.note(stream.local_addr()?, self.index, &pair);
        Ok(self.injector.wrap_paired(stream, &pair))
    }
}

/// Turns fault injection on or off under both ends of every client's connections.
pub fn inject(clients: &[Faulty], on: bool) {
    for faulty in clients {
        faulty.injector.set_enabled(on);
        faulty.server_side.set_enabled(on);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_closes_strike_only_the_server_end_at_the_close_rate() {
        let kinds = [FaultKind::Kill, FaultKind::FailedClose];
        let rates = Rates { kinds: &kinds, operation: 0.001, close: 0.2 };
        let client = fault_config(5, 3, rates, false);
        let server = fault_config(5, 3, rates, true);
        assert_eq!((client.kill_rate, client.failed_close_rate), (0.001, 0.0));
        assert_eq!((server.kill_rate, server.failed_close_rate), (0.001, 0.2));
        assert_eq!(server.write_error_rate, 0.0, "only the kinds asked for");
        assert_ne!(client.seed, server.seed);
        assert_ne!(server.seed, fault_config(5, 4, rates, true).seed);
    }
}
