//! A real `redis-server` for the store axis: started by the benchmark itself on a free
//! loopback port, its files in a temporary directory, without persistence (`--save ""
//! --appendonly no`, as `cargo xtask reliability --store redis` runs it), killed when
//! dropped. A machine without `redis-server` fails the run with the command that installs
//! it.

use crate::BenchError;
use std::net::{SocketAddr, TcpListener};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// The flags after `--port <port> --bind 127.0.0.1`, as the report prints them.
pub const FLAGS: [&str; 4] = ["--save", "", "--appendonly", "no"];
/// How long the server may take to answer PING.
const START_LIMIT: Duration = Duration::from_secs(10);
/// The pause between two PINGs while it starts (the PING decides, not the pause).
const PING_PAUSE: Duration = Duration::from_millis(20);

/// A running `redis-server`, killed on drop.
#[derive(Debug)]
pub struct RedisServer {
    _child: Child,
    dir: tempfile::TempDir,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl RedisServer {
    /// Starts a server on a free loopback port and waits until it answers PING.
    pub async fn start() -> Result<RedisServer, BenchError> {
        require_installed().await?;
        let dir = tempfile::tempdir()?;
        let addr = free_port()?;
        let child = spawn(dir.path(), addr)?;
        let server = RedisServer { _child: child, dir, addr };
        tokio::time::timeout(START_LIMIT, server.await_ping()).await.map_err(|_| server.late())?;
        Ok(server)
    }

    /// Its URL for `RedisStore::connect`.
    pub fn url(&self) -> String {
        format!("redis://{}/", self.addr)
    }

    async fn await_ping(&self) {
        while !answers_ping(self.addr).await {
            tokio::time::sleep(PING_PAUSE).await;
        }
    }

    /// The error of a server that did not answer, with its log.
    fn late(&self) -> BenchError {
        let log = std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default();
        BenchError::Store(format!(
            "redis-server on {} did not answer PING; its log:\n{log}",
            self.addr
        ))
    }
}

/// Whether a server on `addr` answers `PING` with `+PONG`.
async fn answers_ping(addr: SocketAddr) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { return false };
    let mut reply = [0; 7];
    let asked = stream.write_all(b"PING\r\n").await;
    asked.is_ok() && stream.read_exact(&mut reply).await.is_ok() && &reply == b"+PONG\r\n"
}

/// Why the axis cannot run without `redis-server`.
pub const MISSING: &str =
    "the store axis needs a real redis-server (Redis >= 7), not installed: apt-get install redis-server";

async fn require_installed() -> Result<(), BenchError> {
    let version = Command::new("redis-server").arg("--version").output().await;
    let installed = version.is_ok_and(|output| output.status.success());
    installed.then_some(()).ok_or_else(|| BenchError::Store(MISSING.into()))
}

/// A loopback port free a moment ago (the kernel picks it; the server binds it next).
fn free_port() -> Result<SocketAddr, BenchError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

fn spawn(dir: &std::path::Path, addr: SocketAddr) -> Result<Child, BenchError> {
    let log = std::fs::File::create(dir.join("redis.log"))?;
    let mut command = Command::new("redis-server");
    command.args(["--port", &addr.port().to_string(), "--bind", "127.0.0.1"]);
    command.args(FLAGS).arg("--dir").arg(dir);
    command.stdout(log).stderr(Stdio::inherit()).kill_on_drop(true);
    Ok(command.spawn()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_started_server_answers_and_is_gone_once_dropped() {
        let server = RedisServer::start().await.unwrap();
        let addr = server.addr;
        assert!(answers_ping(addr).await);
        assert!(server.url().starts_with("redis://127.0.0.1:"));
        drop(server);
        let mut gone = false;
        for _ in 0..200 {
            gone = !answers_ping(addr).await;
            if gone {
                break;
            }
            tokio::time::sleep(PING_PAUSE).await;
        }
        assert!(gone, "the server outlived its handle");
    }
}
