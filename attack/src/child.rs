//! The server child process: spawned as `ws-attack serve`, its address read from its
//! stdout, its memory read from `/proc/<pid>/status`, its stderr kept for panics.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;

/// The child's soft RLIMIT_NOFILE.
pub const NOFILE: u64 = 1024;

/// A running server child.
#[derive(Debug)]
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: JoinHandle<String>,
    /// Where it listens.
    pub addr: SocketAddr,
}

/// How the child ended and what it printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Ending {
    /// Its exit status, as text (`exit status: 0`, `signal: 9`…).
    pub exit_status: String,
    /// Whether it exited 0 once asked to stop.
    pub clean_exit: bool,
    /// `panicked at` lines on its stderr.
    pub panics: u64,
    /// The end of its stderr (at most 2 000 characters).
    pub stderr_tail: String,
    /// The most bytes its outboxes held together (its own count, sampled every 10 ms).
    pub peak_outbox_bytes: u64,
    /// Its `sessions.budget.max_outbox_bytes`.
    pub outbox_budget_bytes: u64,
}

impl Server {
    /// Spawns `<this binary> serve --nofile <NOFILE>` and reads its address.
    pub async fn spawn() -> Result<Server, String> {
        let mut child = command()?.spawn().map_err(|e| format!("cannot spawn the server: {e}"))?;
        let stdout = child.stdout.take().ok_or("the server has no stdout")?;
        let mut stdout = BufReader::new(stdout).lines();
        let addr = address(&mut stdout).await?;
        let stderr = tokio::spawn(read_all(child.stderr.take()));
        Ok(Server { stdin: child.stdin.take(), child, stdout, stderr, addr })
    }

    /// The child's `/proc/<pid>/status` text, empty once it is gone.
    pub fn status(&self) -> String {
        status_of(self.child.id().unwrap_or(0))
    }

    /// Samples the child's VmRSS every second until `until`: MiB per second of the run.
    pub fn sample(&self, until: tokio::time::Instant) -> JoinHandle<Vec<u64>> {
        tokio::spawn(samples(self.child.id().unwrap_or(0), until))
    }

    /// Closes its stdin (asking it to exit), waits up to 10 s (then kills it).
    pub async fn stop(mut self) -> Ending {
        drop(self.stdin.take());
        let outbox = tokio::time::timeout(Duration::from_secs(10), self.stdout.next_line()).await;
        let waited = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        let exit_status = waited.ok().and_then(Result::ok);
        let stderr = self.stderr.await.unwrap_or_default();
        let outbox = outbox.ok().and_then(Result::ok).flatten().unwrap_or_default();
        with_outbox(ending(exit_status, &stderr), &outbox)
    }
}

/// `<this binary> serve --nofile <NOFILE>`, its three standard streams piped, killed when
/// dropped.
fn command() -> Result<Command, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command.args(["serve", "--nofile", &NOFILE.to_string()]).kill_on_drop(true);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    Ok(command)
}

/// VmRSS of `pid` each second until `until`, MiB.
async fn samples(pid: u32, until: tokio::time::Instant) -> Vec<u64> {
    let mut samples = Vec::new();
    while tokio::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(1)).await;
        samples.push(status_field(&status_of(pid), "VmRSS").unwrap_or(0) >> 20);
    }
    samples
}

/// The `/proc/<pid>/status` text of `pid`, empty when it is gone.
fn status_of(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default()
}

/// The ending with the outbox figures of the child's last line, `outbox_bytes PEAK BUDGET`
/// (both 0 when it printed none: the report fails a budget of 0).
fn with_outbox(ending: Ending, line: &str) -> Ending {
    let mut figures = line.strip_prefix("outbox_bytes ").unwrap_or_default().split(' ');
    let mut next = || figures.next().and_then(|figure| figure.parse().ok()).unwrap_or(0);
    let peak_outbox_bytes = next();
    Ending { peak_outbox_bytes, outbox_budget_bytes: next(), ..ending }
}

/// The first stdout line of the child: its address.
async fn address(lines: &mut Lines<BufReader<ChildStdout>>) -> Result<SocketAddr, String> {
    let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await;
    let line = first.ok().and_then(Result::ok).flatten().ok_or("the server printed no address")?;
    line.trim().parse().map_err(|_| format!("the server printed `{line}`, not an address"))
}

async fn read_all(stderr: Option<tokio::process::ChildStderr>) -> String {
    let mut text = String::new();
    if let Some(mut stderr) = stderr {
        let _partial = stderr.read_to_string(&mut text).await;
    }
    text
}

/// The ending of a child that exited with `status` (`None`: it had to be killed) and
/// printed `stderr`.
pub fn ending(status: Option<std::process::ExitStatus>, stderr: &str) -> Ending {
    let exit_status = status.map_or("killed after 10 s".to_owned(), |status| status.to_string());
    let clean_exit = status.is_some_and(|status| status.success());
    let panics = stderr.matches("panicked at").count() as u64;
    let tail_start = stderr.char_indices().rev().nth(1999).map_or(0, |(index, _)| index);
    let stderr_tail = stderr[tail_start..].to_owned();
    Ending { exit_status, clean_exit, panics, stderr_tail, ..Ending::default() }
}

/// The value of a `kB` field (`VmHWM`, `VmRSS`) of a `/proc/<pid>/status` text, in bytes.
pub fn status_field(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.split(':').next() == Some(field))?;
    let kilobytes = line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    Some(kilobytes * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_read_in_bytes() {
        let status = "Name:\tws-attack\nVmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(status_field(status, "VmHWM"), Some(20480 * 1024));
        assert_eq!(status_field(status, "VmRSS"), Some(10240 * 1024));
        assert_eq!(status_field(status, "VmSwap"), None);
    }

    #[test]
    fn panics_are_counted_and_the_tail_kept() {
        let stderr = format!(
            "{}thread 'x' panicked at a.rs:1\nthread 'y' panicked at b.rs:2\n",
            "z".repeat(5000)
        );
        let ended = ending(None, &stderr);
        assert_eq!(ended.panics, 2);
        assert!(!ended.clean_exit);
        assert_eq!(ended.stderr_tail.chars().count(), 2000);
        assert_eq!(ending(None, "").stderr_tail, "");
    }

    #[test]
    fn the_outbox_figures_come_from_the_last_line() {
        let ended = with_outbox(Ending::default(), "outbox_bytes 1234 268435456");
        assert_eq!((ended.peak_outbox_bytes, ended.outbox_budget_bytes), (1234, 268435456));
        let none = with_outbox(Ending::default(), "");
        assert_eq!((none.peak_outbox_bytes, none.outbox_budget_bytes), (0, 0));
    }
}
