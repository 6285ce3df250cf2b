//! The clients: each a [`ReliableClient`] whose every connection goes through its own
//! seeded [`FaultInjector`], so faults can be matched per client.

use super::shared::Shared;
use super::watch;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use ws_reliability::client::{ClientConfig, ReliableClient};
use ws_reliability::core::Backoff;
use ws_reliability::fault::{stream_seed, FaultConfig, FaultInjector, FaultKind};

/// One client and the injector under its connections.
#[derive(Debug)]
pub struct Faulty {
    /// The client.
    pub client: ReliableClient,
    /// Its injector (off until the run starts).
    pub injector: FaultInjector,
}

/// The fault configuration of client `index`: each of `kinds` at `rate`, its own seed.
pub fn fault_config(seed: u64, index: usize, (kinds, rate): (&[FaultKind], f64)) -> FaultConfig {
    let config = FaultConfig::seeded(stream_seed(seed, index as u64));
    kinds.iter().fold(config, |config, kind| config.with_rate(*kind, rate))
}

/// Client settings: reconnect fast (10 ms doubling to 500 ms, jittered) so a recovery is
/// measured in milliseconds, as an operator would configure a loopback-near deployment.
pub fn client_config() -> ClientConfig {
    let mut config = ClientConfig::default();
    config.reconnect.backoff =
        Backoff::new(Duration::from_millis(10), 2.0, Duration::from_millis(500));
    config
}

/// Starts `count` clients of the server at `addr`, each watched, injectors off.
pub fn start(
    addr: SocketAddr,
    args: &crate::args::Args,
    seed: u64,
    shared: &Arc<Shared>,
) -> Result<Vec<Faulty>, crate::SoakError> {
    let faults = (args.faults.0.as_slice(), args.fault_rate);
    let config = |index| fault_config(seed, index, faults);
    (0..args.connections).map(|index| start_one(addr, index, config(index), shared)).collect()
}

fn start_one(
    addr: SocketAddr,
    index: usize,
    config: FaultConfig,
    shared: &Arc<Shared>,
) -> Result<Faulty, crate::SoakError> {
    let injector = FaultInjector::new(config)?;
    injector.set_enabled(false);
    let (url, dial) = (format!("ws://{addr}/soak"), dialer(addr, &injector));
    let client = ReliableClient::with_dialer(&url, client_config(), dial);
    watch::spawn(&client, index, shared);
    Ok(Faulty { client, injector })
}

fn dialer(
    addr: SocketAddr,
    injector: &FaultInjector,
) -> impl Fn() -> futures::future::BoxFuture<
    'static,
    std::io::Result<ws_reliability::fault::FaultyStream<TcpStream>>,
> + Send
       + Sync
       + 'static {
    let injector = injector.clone();
    move || {
        let injector = injector.clone();
        Box::pin(async move { Ok(injector.wrap(TcpStream::connect(addr).await?)) })
    }
}

/// Turns every client's fault injection on or off.
pub fn inject(clients: &[Faulty], on: bool) {
    clients.iter().for_each(|faulty| faulty.injector.set_enabled(on));
}
