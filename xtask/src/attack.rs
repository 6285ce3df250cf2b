//! `cargo xtask attack`: builds the hostile-client harness `ws-attack` in release and runs
//! it with the flags given (its defaults otherwise: every attack for 60 s against a default
//! `ReliableServer` child). The exit status is the harness's: 0 when every check passed.

use crate::cmd::{self, Outcome};
use std::path::PathBuf;
use std::process::Command;

/// The flags of `cargo xtask attack`, passed on to `ws-attack` when given.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Options {
    /// How long the attacks run: plain seconds or 20s, 2m (default 60s); shorter runs
    /// scale every minimum intensity down in proportion.
    #[arg(long)]
    pub duration: Option<String>,
    /// The short variant of `cargo xtask ci`: 20 s, minimums a third of the full run's.
    #[arg(long)]
    pub short: bool,
    /// Print one JSON object (snake_case keys) on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl Options {
    /// The short variant `cargo xtask ci` runs.
    pub fn short() -> Self {
        Options { short: true, ..Options::default() }
    }

    /// The `ws-attack` arguments for these options.
    pub fn attack_args(&self) -> Vec<String> {
        let duration = self.duration.iter().flat_map(|value| ["--duration".into(), value.clone()]);
        let mut args: Vec<String> = duration.collect();
        args.extend(self.short.then(|| "--short".to_owned()));
        args.extend(self.json.then(|| "--json".to_owned()));
        args
    }
}

/// Builds `ws-attack` in release and runs it with `options`.
pub fn run(options: &Options) -> Outcome {
    if !cmd::status(cmd::cargo(&["build", "--release", "-p", "ws-attack"]))? {
        return Err("building ws-attack failed".into());
    }
    let mut attack = Command::new(binary());
    attack.args(options.attack_args()).current_dir(cmd::workspace_root());
    eprintln!("$ ws-attack {}", options.attack_args().join(" "));
    let status = attack.status().map_err(|error| format!("cannot run ws-attack: {error}"))?;
    verdict(status.code())
}

/// The release binary, in `CARGO_TARGET_DIR` or the workspace's `target/`.
fn binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from);
    let target = target.unwrap_or_else(|| cmd::workspace_root().join("target"));
    target.join("release").join("ws-attack")
}

/// 0 passed, 1 a check missed, anything else: the harness could not run.
fn verdict(code: Option<i32>) -> Outcome {
    match code {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        other => Err(format!("ws-attack could not run (exit status {other:?})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_given_flags_are_passed_on() {
        assert!(Options::default().attack_args().is_empty());
        let options = Options { duration: Some("30s".into()), json: true, ..Options::default() };
        assert_eq!(options.attack_args(), ["--duration", "30s", "--json"]);
        assert_eq!(Options::short().attack_args(), ["--short"]);
    }

    #[test]
    fn exit_statuses_map_to_outcomes() {
        assert_eq!(verdict(Some(0)), Ok(true));
        assert_eq!(verdict(Some(1)), Ok(false));
        assert!(verdict(Some(2)).is_err_and(|error| error.contains("could not run")));
        assert!(verdict(None).is_err());
        assert!(binary().ends_with("release/ws-attack"));
    }
}
