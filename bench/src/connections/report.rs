//! [`ConnectionsReport`]: the connections axis, raw and reliable side by side, as JSON or
//! as a table.

use crate::idle::IdleMemory;
use serde::Serialize;
use std::time::Duration;

/// The server's CPU over an idle window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IdleCpu {
    /// The window, seconds.
    pub idle_window_secs: f64,
    /// CPU seconds the server process used in it.
    pub server_cpu_secs: f64,
    /// The same per second of the window (cores kept busy).
    pub server_cpu_per_sec: f64,
    /// CPU per second of the client processes meanwhile.
    pub clients_cpu_per_sec: f64,
    /// Connections the server held at the end of the window.
    pub held_after_idle: usize,
}

impl IdleCpu {
    /// `server` and `clients` CPU used over `window`, `held` connections after it.
    pub fn new(window: Duration, server: Duration, clients: Duration, held: usize) -> Self {
        let secs = window.as_secs_f64().max(f64::MIN_POSITIVE);
        IdleCpu {
            idle_window_secs: window.as_secs_f64(),
            server_cpu_secs: server.as_secs_f64(),
            server_cpu_per_sec: server.as_secs_f64() / secs,
            clients_cpu_per_sec: clients.as_secs_f64() / secs,
            held_after_idle: held,
        }
    }
}

/// One side holding its connections.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeldSide {
    /// Seconds from starting the clients until the server held them all.
    pub connect_secs: f64,
    /// The server's memory holding them.
    #[serde(flatten)]
    pub memory: IdleMemory,
    /// The idle window.
    #[serde(flatten)]
    pub idle: IdleCpu,
}

impl HeldSide {
    /// Connections opened per second.
    pub fn connects_per_sec(&self) -> f64 {
        self.memory.connections as f64 / self.connect_secs.max(f64::MIN_POSITIVE)
    }
}

/// What the connections run asked for, and how its clients were spread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionsSetup {
    /// Connections asked for.
    pub connections: usize,
    /// Client processes.
    pub client_processes: usize,
    /// Client source addresses.
    pub source_addresses: usize,
    /// The reliable server's admission limits.
    pub admission: String,
}

impl ConnectionsSetup {
    /// `count` connections; the admission limits printed.
    pub fn new(count: usize, admission: String) -> Self {
        let client_processes = crate::crowd::shares(count).len();
        let source_addresses = crate::source::addresses(count);
        ConnectionsSetup { connections: count, client_processes, source_addresses, admission }
    }
}

/// The connections run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionsReport {
    /// What was asked.
    #[serde(flatten)]
    pub setup: ConnectionsSetup,
    /// Raw tokio-tungstenite.
    pub raw: HeldSide,
    /// ReliableServer, every session past WELCOME.
    pub reliable: HeldSide,
}

/// The table's header.
const HEADER: &str = "| measure | raw | reliable | ratio |\n|---|---|---|---|\n";

/// The report as a table, one row per measure.
pub fn table(report: &ConnectionsReport) -> String {
    let setup = &report.setup;
    let held = format!("connections: {} held by one server process", setup.connections);
    let from =
        format!("{} processes from {} addresses", setup.client_processes, setup.source_addresses);
    let mut out = format!("{held}; clients in {from}\nadmission: {}\n{HEADER}", setup.admission);
    ROWS.iter().for_each(|measure| out.push_str(&row(measure, &report.raw, &report.reliable)));
    out
}

/// A row: its name and how to read it from a side.
struct Measure {
    name: &'static str,
    value: fn(&HeldSide) -> f64,
}

const ROWS: [Measure; 7] = [
    Measure { name: "connections held", value: |side| side.memory.connections as f64 },
    Measure { name: "time to connect them all, s", value: |side| side.connect_secs },
    Measure { name: "connections per second", value: HeldSide::connects_per_sec },
    Measure {
        name: "server RSS per connection, B",
        value: |side| side.memory.bytes_per_connection as f64,
    },
    Measure {
        name: "server CPU per second idle, cores",
        value: |side| side.idle.server_cpu_per_sec,
    },
    Measure {
        name: "clients' CPU per second idle, cores",
        value: |side| side.idle.clients_cpu_per_sec,
    },
    Measure {
        name: "connections held after the idle window",
        value: |side| side.idle.held_after_idle as f64,
    },
];

fn row(measure: &Measure, raw: &HeldSide, reliable: &HeldSide) -> String {
    let raw = (measure.value)(raw);
    let reliable = (measure.value)(reliable);
    let ratio = if raw > 0.0 { format!("{:.2}x", reliable / raw) } else { String::new() };
    format!("| {} | {} | {} | {ratio} |\n", measure.name, shown(raw), shown(reliable))
}

/// Whole numbers as such, small ones with four decimals.
fn shown(value: f64) -> String {
    if value.fract() == 0.0 || value >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.4}")
    }
}

#[cfg(test)]
mod tests;
