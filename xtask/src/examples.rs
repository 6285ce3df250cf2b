//! The examples CI runs: `echo_server` as a child process, `echo_client` against it (both
//! built with every feature, as the tests step built the workspace).

use crate::cmd::{self, Outcome};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

/// `cargo run` of an example with every feature, without `-p` (see `ci::AXUM_SMOKE`).
fn example(name: &str) -> std::process::Command {
    cmd::cargo(&["run", "--quiet", "--example", name, "--all-features"])
}

/// The echo server, killed when dropped.
struct EchoServer {
    child: Child,
}

impl EchoServer {
    /// Starts it on an ephemeral port; its URL, from the line it prints first.
    fn start() -> Result<(EchoServer, String), String> {
        let mut command = example("echo_server");
        command.env("WSR_ADDR", "127.0.0.1:0").stdout(Stdio::piped());
        let mut child = command.spawn().map_err(|error| format!("echo_server: {error}"))?;
        let url = child.stdout.take().and_then(first_url);
        let server = EchoServer { child };
        Ok((server, url.ok_or("echo_server printed no address")?))
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        let _already_gone = self.child.kill();
        let _reaped = self.child.wait();
    }
}

/// The URL in the first line a server prints (`listening on ws://ADDR/`).
fn first_url(stdout: std::process::ChildStdout) -> Option<String> {
    let line = BufReader::new(stdout).lines().next()?.ok()?;
    line.strip_prefix("listening on ").map(str::to_owned)
}

/// `echo_client` against a running `echo_server`: every echo back exactly once, in order.
pub fn echo_smoke() -> Outcome {
    let (_server, url) = EchoServer::start()?;
    let mut client = example("echo_client");
    client.env("WSR_URL", url).env("WSR_COUNT", "20");
    cmd::status(client)
}
