//! Clients in other processes: the fan-out and connections axes hold more sockets than one
//! process may open (20 000 files here, server and client ends both count), so their
//! clients run in `ws-bench clients` child processes ([`child`]), at most
//! [`CLIENTS_PER_PROCESS`] each, and report what they received as lines on stdout
//! ([`record`]). A [`Crowd`] is the parent's handle on them; they are killed when it
//! drops.

pub mod child;
pub mod record;

use crate::args::ServerKind;
use crate::BenchError;
use child::CrowdArgs;
use record::PhaseLine;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The most clients one child process opens.
pub const CLIENTS_PER_PROCESS: usize = 10_000;

/// The client processes of one run.
#[derive(Debug)]
pub struct Crowd {
    processes: Vec<Process>,
}

/// One client process and its pipes.
#[derive(Debug)]
struct Process {
    child: Child,
    _stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Crowd {
    /// Starts `clients` clients of `kind` to `addr` (`exe`: the `ws-bench` binary).
    pub fn spawn(
        exe: &Path,
        kind: ServerKind,
        addr: SocketAddr,
        clients: usize,
    ) -> Result<Crowd, BenchError> {
        let shares = shares(clients).into_iter();
        let args =
            shares.map(|share| CrowdArgs { kind, addr, count: share.count, first: share.first });
        let processes = args.map(|args| Process::spawn(exe, &args)).collect::<Result<_, _>>()?;
        Ok(Crowd { processes })
    }

    /// Waits until every process has connected its clients; how many they are.
    pub async fn connected(&mut self) -> Result<usize, BenchError> {
        let mut connected = 0;
        for process in &mut self.processes {
            let line = process.line("connected ").await?;
            connected += line.parse::<usize>().map_err(|_| unreadable(&line))?;
        }
        Ok(connected)
    }

    /// The next phase as every process saw it, merged.
    pub async fn phase(&mut self, limit: Duration) -> Result<PhaseLine, BenchError> {
        let mut merged = PhaseLine::default();
        for process in &mut self.processes {
            let line = tokio::time::timeout(limit, process.line("phase ")).await??;
            merged.merge(serde_json::from_str(&line)?);
        }
        Ok(merged)
    }

    /// CPU time the client processes used so far.
    pub fn cpu(&self) -> Duration {
        let pids = self.processes.iter().filter_map(|process| process.child.id());
        pids.map(crate::cpu::of_process).sum()
    }

    /// How many processes run the clients.
    pub fn processes(&self) -> usize {
        self.processes.len()
    }
}

impl Process {
    fn spawn(exe: &Path, args: &CrowdArgs) -> Result<Process, BenchError> {
        let mut command = Command::new(exe);
        command.args(args.command_line()).kill_on_drop(true);
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let pipes = child.stdin.take().zip(child.stdout.take());
        let (stdin, stdout) = pipes.ok_or_else(|| BenchError::Probe("no pipes".into()))?;
        Ok(Process { child, _stdin: stdin, lines: BufReader::new(stdout).lines() })
    }

    /// The rest of the next line, which must start with `prefix`.
    async fn line(&mut self, prefix: &str) -> Result<String, BenchError> {
        let line = self.lines.next_line().await?;
        let line = line.ok_or_else(|| BenchError::Probe("a client process ended".into()))?;
        let rest = line.strip_prefix(prefix).map(str::to_owned);
        rest.ok_or_else(|| unreadable(&line))
    }
}

fn unreadable(line: &str) -> BenchError {
    BenchError::Probe(format!("unreadable line from a client process: `{line}`"))
}

/// The clients one process opens: `count` from index `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// The first client's index.
    pub first: usize,
    /// How many.
    pub count: usize,
}

/// `clients` split into as few processes as [`CLIENTS_PER_PROCESS`] allows, evenly.
pub fn shares(clients: usize) -> Vec<Share> {
    let processes = clients.div_ceil(CLIENTS_PER_PROCESS).max(1);
    let share = |at: usize| {
        let first = clients * at / processes;
        Share { first, count: clients * (at + 1) / processes - first }
    };
    (0..processes).map(share).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_split_evenly_under_the_process_limit() {
        assert_eq!(shares(10), [Share { first: 0, count: 10 }]);
        assert_eq!(shares(CLIENTS_PER_PROCESS).len(), 1);
        let split = shares(19_000);
        assert_eq!(split, [Share { first: 0, count: 9500 }, Share { first: 9500, count: 9500 }]);
        let odd = shares(25_001);
        assert_eq!(odd.iter().map(|share| share.count).sum::<usize>(), 25_001);
        assert!(odd.iter().all(|share| share.count <= CLIENTS_PER_PROCESS));
    }
}
