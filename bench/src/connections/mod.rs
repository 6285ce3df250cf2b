//! Connections (`--connections N`): one server process (`ws-bench serve --capacity N`, see
//! [`crate::idle::serve`]) holds N concurrent connections from client processes
//! ([`crate::crowd`], at most 10 000 each, from source addresses across 127.0.0.0/8, see
//! [`crate::source`]): raw tokio-tungstenite, then ReliableServer with every client past
//! its WELCOME (admission limits of [`limits::many_config`], printed). Per side: the time
//! from starting the clients until the server holds all N, the server's RSS per
//! connection, and the CPU the server (and the clients) spend per second while every
//! connection is idle, over `--duration` (default 60 s: three heartbeats of 20 s, four
//! keepalives of 15 s, twelve sweeps of 5 s).

pub mod report;

use crate::args::{Args, ServerKind};
use crate::crowd::Crowd;
use crate::idle::{IdleMemory, Probe, Reading};
use crate::{cpu, limits, BenchError};
use report::{ConnectionsReport, ConnectionsSetup, HeldSide, IdleCpu};
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// The idle window when `--duration` is not given.
pub const IDLE_WINDOW: Duration = Duration::from_secs(60);

/// Raw, then reliable, each holding `count` connections.
pub async fn run(args: &Args, exe: &Path, count: usize) -> Result<ConnectionsReport, BenchError> {
    limits::enough_files(count)?;
    let admission = limits::admission(&limits::many_config(count));
    eprintln!("ws-bench: {count} connections; ReliableServer admission: {admission}");
    let window = args.duration.unwrap_or(IDLE_WINDOW);
    let raw = Side { exe, kind: ServerKind::Raw, count }.measure(window).await?;
    let reliable = Side { exe, kind: ServerKind::Reliable, count }.measure(window).await?;
    Ok(ConnectionsReport { setup: ConnectionsSetup::new(count, admission), raw, reliable })
}

/// One side's run.
struct Side<'a> {
    exe: &'a Path,
    kind: ServerKind,
    count: usize,
}

/// The connections open: their clients, and the server's figures.
struct Opened {
    crowd: Crowd,
    connect_secs: f64,
    baseline: Reading,
    loaded: Reading,
}

impl Side<'_> {
    async fn measure(&self, window: Duration) -> Result<HeldSide, BenchError> {
        let mut probe = Probe::spawn(self.exe, self.kind, Some(self.count))?;
        let opened = self.open(&mut probe).await?;
        let memory = IdleMemory::new(self.count, opened.baseline, opened.loaded);
        self.progress(&format!("connected in {:.2} s; idle for {window:?}", opened.connect_secs));
        let idle = idle(&mut probe, &opened.crowd, window).await?;
        let held = HeldSide { connect_secs: opened.connect_secs, memory, idle };
        self.progress(&format!("{held:?}"));
        Ok(held)
    }

    fn progress(&self, what: &str) {
        let kind = crate::idle::kind_arg(self.kind);
        eprintln!("ws-bench: {} connections, {kind}: {what}", self.count);
    }

    /// Starts the clients and waits until the server holds them all.
    async fn open(&self, probe: &mut Probe) -> Result<Opened, BenchError> {
        let addr = crate::idle::address(&probe.line().await?)?;
        let baseline = probe.reading().await?;
        let started = Instant::now();
        let mut crowd = Crowd::spawn(self.exe, self.kind, addr, self.count)?;
        crowd.connected().await?;
        probe.served(self.count).await?;
        let connect_secs = started.elapsed().as_secs_f64();
        Ok(Opened { crowd, connect_secs, baseline, loaded: probe.settled(self.count).await? })
    }
}

/// The CPU the server and the clients use over `window` with every connection idle, and
/// the connections the server still holds after it.
async fn idle(probe: &mut Probe, crowd: &Crowd, window: Duration) -> Result<IdleCpu, BenchError> {
    let pid = probe.pid().ok_or(BenchError::Probe("the server process ended".into()))?;
    let server = cpu::of_process(pid);
    let clients = crowd.cpu();
    tokio::time::sleep(window).await;
    let held = probe.reading().await?.connections;
    let server = cpu::of_process(pid).saturating_sub(server);
    Ok(IdleCpu::new(window, server, crowd.cpu().saturating_sub(clients), held))
}
