//! The command line of `ws-attack`, and the minimum intensities scaled to the run's length.

use clap::{Parser, Subcommand};
use std::time::Duration;

/// The length of a full run, the one whose minimums are those of issue #16.
pub const FULL_RUN: Duration = Duration::from_secs(60);

/// What to run.
#[derive(Debug, Clone, Parser)]
#[command(name = "ws-attack", about = "Hostile clients against a default ReliableServer")]
pub struct Args {
    /// How long the attacks run: plain seconds or 20s, 2m (at most 10m). Shorter than 60 s
    /// scales every minimum intensity down in proportion.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub duration: Duration,
    /// The short variant of `cargo xtask ci`: `--duration 20s`.
    #[arg(long)]
    pub short: bool,
    /// Print one JSON object (snake_case keys) on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Internal: run as the server child.
    #[command(subcommand)]
    pub command: Option<Internal>,
}

/// The child's command.
#[derive(Debug, Clone, Subcommand)]
pub enum Internal {
    /// Serve a default ReliableServer on 127.0.0.1, print its address, run until stdin closes.
    Serve {
        /// The soft RLIMIT_NOFILE the child sets on itself.
        #[arg(long, default_value_t = 1024)]
        nofile: u64,
    },
}

impl Args {
    /// The run's length: 20 s with `--short`, `--duration` otherwise.
    pub fn length(&self) -> Duration {
        if self.short {
            Duration::from_secs(20)
        } else {
            self.duration
        }
    }
}

/// Parses `90`, `90s` or `2m` into a duration between 5 s and 10 min.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits = text.trim_end_matches(['s', 'm']);
    let number: u64 = digits.parse().map_err(|_| format!("`{text}` is not a duration"))?;
    let seconds = if text.ends_with('m') { number * 60 } else { number };
    let fine = (5..=600).contains(&seconds);
    fine.then(|| Duration::from_secs(seconds)).ok_or_else(|| "between 5s and 10m".to_owned())
}

/// `full` scaled to a run of `length` (never above `full`, never 0), rounded up.
pub fn scaled(full: u64, length: Duration) -> u64 {
    let share = length.as_secs_f64().min(FULL_RUN.as_secs_f64()) / FULL_RUN.as_secs_f64();
    ((full as f64) * share).ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_are_bounded() {
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("1s").is_err());
        assert!(parse_duration("11m").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn minimums_scale_with_the_length() {
        assert_eq!(scaled(10_000, FULL_RUN), 10_000);
        assert_eq!(scaled(10_000, Duration::from_secs(120)), 10_000);
        assert_eq!(scaled(10_000, Duration::from_secs(20)), 3_334);
        assert_eq!(scaled(1, Duration::from_secs(5)), 1);
    }

    #[test]
    fn short_is_twenty_seconds() {
        let args = Args::parse_from(["ws-attack", "--short"]);
        assert_eq!(args.length(), Duration::from_secs(20));
        let args = Args::parse_from(["ws-attack", "--duration", "30s", "--json"]);
        assert_eq!(args.length(), Duration::from_secs(30));
        assert!(args.json && args.command.is_none());
    }
}
