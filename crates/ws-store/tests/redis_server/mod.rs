//! A real `redis-server` for one test: started on a unix socket in a temporary directory
//! (no TCP port: `--port 0`), without persistence, and killed when dropped. A machine
//! without `redis-server` fails the test with the command that installs it: these tests
//! never skip.

#![allow(dead_code)] // each test file uses what it needs

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use ws_store::StoreError;

/// How many times the server is asked for PING before the start counts as failed.
const PING_ATTEMPTS: u32 = 400;
/// The pause between two attempts (the outcome is decided by the PING, not the pause).
const PING_PAUSE: Duration = Duration::from_millis(10);

/// A running `redis-server`, killed on drop.
pub struct RedisServer {
    child: Child,
    dir: tempfile::TempDir,
    /// Where clients connect: `redis+unix://<dir>/redis.sock`.
    pub url: String,
}

/// A failure of the test's server, as the error the tests return.
fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::backend("redis-server", error)
}

impl RedisServer {
    /// Starts a server and waits until it answers PING.
    pub fn start() -> Result<RedisServer, StoreError> {
        require_installed()?;
        let dir = tempfile::tempdir().map_err(failed)?;
        let socket = dir.path().join("redis.sock");
        let child = spawn(dir.path(), &socket)?;
        let url = format!("redis+unix://{}", socket.display());
        let server = RedisServer { child, dir, url };
        server.await_ping()?;
        Ok(server)
    }

    /// A plain connection, to look at or change keys behind a store's back.
    pub fn connection(&self) -> Result<redis::Connection, StoreError> {
        let client = redis::Client::open(self.url.as_str()).map_err(failed)?;
        client.get_connection().map_err(failed)
    }

    fn await_ping(&self) -> Result<(), StoreError> {
        for _ in 0..PING_ATTEMPTS {
            if self.answers_ping() {
                return Ok(());
            }
            std::thread::sleep(PING_PAUSE);
        }
        let log = std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default();
        Err(failed(format!("no answer to PING on {}; its log:\n{log}", self.url)))
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut connection) = self.connection() else { return false };
        redis::cmd("PING").query::<String>(&mut connection).is_ok_and(|pong| pong == "PONG")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require_installed() -> Result<(), StoreError> {
    let version = Command::new("redis-server").arg("--version").output();
    if version.is_ok_and(|output| output.status.success()) {
        return Ok(());
    }
    Err(failed(
        "redis-server is not installed: these tests need a real Redis >= 7 \
         (apt-get install redis-server)",
    ))
}

fn spawn(dir: &Path, socket: &Path) -> Result<Child, StoreError> {
    let log = std::fs::File::create(dir.join("redis.log")).map_err(failed)?;
    Command::new("redis-server")
        .args(["--port", "0", "--unixsocket"])
        .arg(socket)
        .args(["--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir"])
        .arg(dir)
        .stdout(log)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(failed)
}
