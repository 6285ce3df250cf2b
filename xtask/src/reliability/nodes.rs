//! `cargo xtask reliability --store memory|redb|redis --nodes N --kill-server-every D`:
//! builds the soak crate in release and runs `ws-soak-nodes run` (server nodes as child
//! processes, killed with SIGKILL and restarted, sessions in the store). For `--store
//! redis` it starts a real `redis-server` on a unix socket in a temporary directory
//! (`--port 0 --save "" --appendonly no`), killed at the end.

use super::Options;
use crate::cmd::{self, Outcome};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The flags that run the nodes soak instead of the in-process one.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Cluster {
    /// Keep sessions in a store and run server nodes as child processes: memory, redb or
    /// redis.
    #[arg(long)]
    pub store: Option<String>,
    /// Server nodes (child processes; more than 1 needs --store redis).
    #[arg(long)]
    pub nodes: Option<usize>,
    /// Kill a node with SIGKILL and restart it this often (e.g. 10s; not with --store memory);
    /// with --simulate, how often the simulated server host crashes (default 5m, 0 for never).
    #[arg(long)]
    pub kill_server_every: Option<String>,
}

/// Why `--store memory` cannot be killed.
const MEMORY_KILLED: &str = "--store memory keeps sessions in the node's memory, which a \
     SIGKILL takes with it: use --store redb or --store redis with --kill-server-every";

impl Cluster {
    /// Whether any of these flags was given.
    pub fn wanted(&self) -> bool {
        self.store.is_some() || self.nodes.is_some() || self.kill_server_every.is_some()
    }

    fn store(&self) -> &str {
        self.store.as_deref().unwrap_or("memory")
    }

    /// Refuses `--store memory` with `--kill-server-every`.
    fn check(&self) -> Result<(), String> {
        if self.store() == "memory" && self.kill_server_every.is_some() {
            return Err(MEMORY_KILLED.to_owned());
        }
        Ok(())
    }
}

impl Options {
    /// The nodes variant `cargo xtask ci` runs: 2 nodes on a real redis-server, 100
    /// connections for 20 s, a node killed every 5 s, seed 1.
    pub fn nodes_short() -> Self {
        let store = Some("redis".to_owned());
        let kill_server_every = Some("5s".to_owned());
        let cluster = Cluster { store, nodes: Some(2), kill_server_every };
        let duration = Some("20s".to_owned());
        Options { connections: Some(100), duration, seed: Some(1), cluster, ..Self::default() }
    }
}

/// Runs the nodes soak with `options`.
pub fn run(options: &Options) -> Outcome {
    options.cluster.check()?;
    if !cmd::status(cmd::cargo(&["build", "--release", "-p", "ws-soak"]))? {
        return Err("building ws-soak failed".into());
    }
    let redis = (options.cluster.store() == "redis").then(Redis::start).transpose()?;
    let mut soak = Command::new(super::binary(&super::target()).with_file_name("ws-soak-nodes"));
    soak.arg("run").args(nodes_args(options, redis.as_ref())).current_dir(cmd::workspace_root());
    super::verdict(super::exit_code(soak)?)
}

/// The `ws-soak-nodes run` arguments: the soak's flags, the cluster's, the Redis URL.
fn nodes_args(options: &Options, redis: Option<&Redis>) -> Vec<String> {
    let given = cluster_flags(options, redis).into_iter();
    let given = given.filter_map(|(flag, value)| Some([flag.to_owned(), value?]));
    given.flatten().chain(options.soak_args()).collect()
}

/// Each cluster flag with its value, if given.
fn cluster_flags(options: &Options, redis: Option<&Redis>) -> [(&'static str, Option<String>); 4] {
    let cluster = &options.cluster;
    [
        ("--store", Some(cluster.store().to_owned())),
        ("--nodes", cluster.nodes.map(|nodes| nodes.to_string())),
        ("--kill-server-every", cluster.kill_server_every.clone()),
        ("--redis-url", redis.map(|redis| redis.url.clone())),
    ]
}

/// A `redis-server` of this run, killed (and its directory removed) on drop.
struct Redis {
    child: Child,
    dir: PathBuf,
    url: String,
}

/// How long redis-server may take to create its socket.
const REDIS_START: Duration = Duration::from_secs(10);

impl Redis {
    fn start() -> Result<Redis, String> {
        require_redis()?;
        let dir = std::env::temp_dir().join(format!("ws-soak-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        let socket = dir.join("redis.sock");
        let child = spawn_redis(&dir, &socket)?;
        let redis = Redis { child, url: format!("redis+unix://{}", socket.display()), dir };
        redis.await_socket(&socket).map(|()| redis)
    }

    /// Waits until the socket exists (redis-server creates it once it accepts).
    fn await_socket(&self, socket: &std::path::Path) -> Result<(), String> {
        let deadline = std::time::Instant::now() + REDIS_START;
        while !socket.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let started = socket.exists();
        started
            .then_some(())
            .ok_or(format!("redis-server did not start: see {}", self.dir.display()))
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn require_redis() -> Result<(), String> {
    let version = Command::new("redis-server").arg("--version").output();
    if version.is_ok_and(|output| output.status.success()) {
        return Ok(());
    }
    Err("--store redis needs a real redis-server (Redis >= 7), not installed: \
         apt-get install redis-server"
        .into())
}

fn spawn_redis(dir: &std::path::Path, socket: &std::path::Path) -> Result<Child, String> {
    let log = std::fs::File::create(dir.join("redis.log")).map_err(|error| error.to_string())?;
    let mut command = Command::new("redis-server");
    command.args(["--port", "0", "--unixsocket"]).arg(socket);
    command.args(["--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir"]);
    command.arg(dir).stdout(log).stderr(Stdio::inherit());
    command.spawn().map_err(|error| format!("starting redis-server: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_store_with_kills_is_refused_before_anything_runs() {
        let cluster = Cluster {
            store: Some("memory".into()),
            kill_server_every: Some("10s".into()),
            ..Cluster::default()
        };
        let options = Options { cluster, ..Options::default() };
        let refused = run(&options).unwrap_err();
        assert!(refused.contains("--store memory"), "{refused}");
    }

    #[test]
    fn the_cluster_flags_come_first_then_the_soak_flags() {
        let args = nodes_args(&Options::nodes_short(), None);
        let expected = "--store redis --nodes 2 --kill-server-every 5s --connections 100 \
                        --duration 20s --seed 1";
        assert_eq!(args.join(" "), expected);
    }
}
