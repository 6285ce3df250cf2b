//! The live progress bar on stderr (indicatif): elapsed, sent, delivered, faults injected,
//! reconnects and ghosts now, refreshed four times a second.

use super::clients::Faulty;
use super::shared::{Shared, Tallies};
use crate::report::Traffic;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;
use std::time::Duration;
use ws_reliability::server::ReliableServer;

/// How often the bar's figures are refreshed.
const REFRESH: Duration = Duration::from_millis(250);

/// What the bar reads.
pub struct Watched {
    /// The server (its registry: ghosts now).
    pub server: ReliableServer,
    /// The counters.
    pub shared: Arc<Shared>,
    /// The injectors' counters.
    pub faults: Vec<ws_reliability::fault::FaultStats>,
}

/// A bar over `seconds`, updated until it is dropped (the task ends with it).
pub fn start(watched: Watched, seconds: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(seconds), ProgressDrawTarget::stderr());
    let template = "{elapsed_precise} [{bar:30}] {pos}/{len}s {msg}";
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    tokio::spawn(refresh(bar.clone(), watched));
    bar
}

async fn refresh(bar: ProgressBar, watched: Watched) {
    let mut every = tokio::time::interval(REFRESH);
    while !bar.is_finished() {
        every.tick().await;
        bar.set_position(bar.elapsed().as_secs().min(bar.length().unwrap_or(0)));
        bar.set_message(line(&watched));
    }
}

/// The figures shown.
fn line(watched: &Watched) -> String {
    let tallies = &watched.shared.tallies;
    let Traffic { sent, delivered, .. } = tallies.traffic();
    let faults: u64 = watched.faults.iter().map(|stats| stats.total()).sum();
    let ghosts = watched.server.registry().len().saturating_sub(watched.shared.connected());
    let reconnects = Tallies::get(&tallies.reconnects);
    format!(
        "sent {sent} delivered {delivered} faults {faults} reconnects {reconnects} ghosts {ghosts}"
    )
}

/// The injectors' counters of `clients`, both ends of their connections.
pub fn fault_stats(clients: &[Faulty]) -> Vec<ws_reliability::fault::FaultStats> {
    let both = clients.iter().flat_map(|faulty| [&faulty.injector, &faulty.server_side]);
    both.map(|injector| injector.stats().clone()).collect()
}
