//! The report of a nodes run: its parameters, the ledger's figures, and the verdict.

use super::args::RunArgs;
use super::ledger::Counts;
use serde::Serialize;

/// What `ws-soak-nodes run` prints and writes (one flat JSON object).
#[derive(Debug, Clone, Serialize)]
pub struct NodesReport {
    /// The run's parameters.
    #[serde(flatten)]
    pub run: RunInfo,
    /// Kills and what was lost.
    #[serde(flatten)]
    pub ended: Ended,
    /// The ledger's figures.
    #[serde(flatten)]
    pub counts: Counts,
    /// Whether every required figure is 0: lost, duplicated, gaps, reused, client lost,
    /// client duplicated.
    pub passed: bool,
}

/// The run's parameters.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// The command that repeats the run.
    pub command: String,
    /// The seed.
    pub seed: u64,
    /// Nodes.
    pub nodes: usize,
    /// Clients.
    pub connections: usize,
}

impl RunInfo {
    /// The parameters of `args` with `seed`.
    pub fn of(args: &RunArgs, seed: u64) -> Self {
        let RunArgs { nodes, connections, .. } = *args;
        RunInfo { command: args.reproduce(seed), seed, nodes, connections }
    }
}

/// Kills and what was lost.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Ended {
    /// Server kills (SIGKILL).
    pub server_kills: u64,
    /// Seconds the nodes produced.
    pub duration_seconds: f64,
    /// Server→client messages reported sent (or posted) and never delivered (after the
    /// drain).
    pub lost: u64,
    /// Of those, posts (`ReliableServer::post`).
    pub posts_lost: u64,
    /// Client messages sent and never taken by a node (after the drain).
    pub client_lost: u64,
    /// Posts (`ReliableServer::post`) to a session another node ran, taken by the store:
    /// each must reach the client once, in order (counted with `lost`, `duplicated`,
    /// `gaps`).
    pub cross_node_sends: u64,
}

impl NodesReport {
    /// Whether every required figure is 0.
    pub fn verdict(&self) -> bool {
        let counts = &self.counts;
        let wrong = [self.ended.lost, self.ended.client_lost, counts.duplicated, counts.gaps];
        let wrong = wrong.into_iter().chain([counts.reused, counts.client_duplicated]);
        wrong.sum::<u64>() == 0
    }

    /// The report as a table.
    pub fn table(&self) -> String {
        let json = serde_json::to_value(self).unwrap_or_default();
        let rows = json.as_object().into_iter().flatten();
        let lines: Vec<String> = rows.map(|(key, value)| format!("{key:<22} {value}")).collect();
        lines.join("\n") + "\n"
    }
}
