//! Running external commands from the workspace root, and turning outcomes into exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// What a task returns: `Ok(true)` passed, `Ok(false)` found problems, `Err` could not run.
pub type Outcome = Result<bool, String>;

/// Clippy over every target and feature, warnings denied.
pub const CLIPPY_ARGS: &[&str] =
    &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"];

/// The workspace root: the parent of this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// `cargo` with the given arguments, run from the workspace root.
pub fn cargo(args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(workspace_root());
    command
}

/// Runs a command to completion, echoing it; `Ok(success)`, or `Err` if it could not start.
pub fn status(mut command: Command) -> Outcome {
    eprintln!("$ {}", describe(&command));
    let status =
        command.status().map_err(|error| format!("cannot run {}: {error}", describe(&command)))?;
    Ok(status.success())
}

/// Installs a cargo subcommand with `cargo install --locked` unless `cargo <probe> --version` works.
pub fn ensure_installed(probe: &str, install_args: &[&str]) -> Result<(), String> {
    let present = cargo(&[probe, "--version"]).output().is_ok_and(|out| out.status.success());
    if present {
        return Ok(());
    }
    let mut args = vec!["install", "--locked"];
    args.extend_from_slice(install_args);
    status(cargo(&args))?.then_some(()).ok_or(format!("cargo install {install_args:?} failed"))
}

/// The exit code of an outcome, printing the error of one that could not run.
pub fn exit_code(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn describe(command: &Command) -> String {
    let args: Vec<_> = command.get_args().map(|arg| arg.to_string_lossy()).collect();
    format!("{} {}", command.get_program().to_string_lossy(), args.join(" "))
}
