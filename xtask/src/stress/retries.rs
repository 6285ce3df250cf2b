//! No retries anywhere: a retried test that passes on its second try hides a flake.
//!
//! `.config/nextest.toml` must set `retries = 0` in its default profile and no other
//! `retries` anywhere (profiles and overrides alike); no runner may pass `--retries`; and
//! `NEXTEST_RETRIES` is removed from the environment of every stressed command.

use crate::cmd;
use crate::runners::TestRunner;

/// The nextest configuration, relative to the workspace root.
pub const NEXTEST_CONFIG: &str = ".config/nextest.toml";

/// Checks the workspace's nextest configuration and the runners.
pub fn check_workspace(runners: &[TestRunner]) -> Result<(), String> {
    let path = cmd::workspace_root().join(NEXTEST_CONFIG);
    let config =
        std::fs::read_to_string(path).map_err(|error| format!("{NEXTEST_CONFIG}: {error}"))?;
    check(&config, runners)
}

/// Checks a nextest configuration and the runners; `Err` names the first retry found.
pub fn check(config: &str, runners: &[TestRunner]) -> Result<(), String> {
    let settings = RetrySettings::read(config);
    settings.nonzero.first().map_or(Ok(()), |line| Err(format!("{NEXTEST_CONFIG}: `{line}`")))?;
    if !settings.default_is_zero {
        return Err(format!("{NEXTEST_CONFIG}: [profile.default] must set `retries = 0`"));
    }
    let flagged = runners.iter().find(|runner| passes_retries(runner));
    flagged.map_or(Ok(()), |runner| Err(format!("runner `{}` passes --retries", runner.name)))
}

fn passes_retries(runner: &TestRunner) -> bool {
    let args = runner.command.iter().chain(runner.stress_args);
    args.into_iter().any(|arg| arg.starts_with("--retries"))
}

/// The `retries` lines of a configuration.
#[derive(Debug, Default)]
struct RetrySettings {
    /// Whether `[profile.default]` says `retries = 0`.
    default_is_zero: bool,
    /// Every `retries` line whose value is not 0.
    nonzero: Vec<String>,
}

impl RetrySettings {
    fn read(config: &str) -> Self {
        let mut settings = RetrySettings::default();
        let mut section = "";
        for line in config.lines().map(str::trim) {
            section = if line.starts_with('[') { line } else { section };
            settings.note(section, line);
        }
        settings
    }

    fn note(&mut self, section: &str, line: &str) {
        let Some(value) = retries_value(line) else { return };
        let zero = value == "0";
        self.default_is_zero |= zero && section == "[profile.default]";
        if !zero {
            self.nonzero.push(line.to_owned());
        }
    }
}

/// The value of a `retries = ...` line (comments stripped), or `None` for other lines.
fn retries_value(line: &str) -> Option<&str> {
    let (key, value) = line.split_once('=')?;
    let value = value.split('#').next().unwrap_or_default().trim();
    (key.trim() == "retries").then_some(value)
}
