//! [`Fix`], the five reliability fixes a switch controls, and [`Setting`], where a switch is.

use super::RolloutError;
use std::fmt;
use std::str::FromStr;

/// One reliability fix, as the runtime switches name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fix {
    /// The transactional outbox: messages kept until the peer acks them (ws-batch).
    Batch,
    /// The application's state callbacks on open and resume (ws-sync).
    Sync,
    /// Heartbeats and the ghost sweeper (ws-conn).
    Conn,
    /// The client's reconnect and resume (ws-reconnect).
    Reconnect,
    /// The facade's built-in health checks (ws-monitor).
    Monitor,
}

/// What a switch decides for: each session apart, or the whole process at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Decided per session, so a percentage of sessions can have the fix.
    Session,
    /// One process-wide machine (the sweeper, the health checks): only off or on.
    Process,
}

impl Fix {
    /// Every fix, in the order of the metrics and the docs.
    pub const ALL: [Fix; 5] = [Fix::Batch, Fix::Sync, Fix::Conn, Fix::Reconnect, Fix::Monitor];

    /// The fix's name, as in the cargo feature and the metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Fix::Batch => "batch",
            Fix::Sync => "sync",
            Fix::Conn => "conn",
            Fix::Reconnect => "reconnect",
            Fix::Monitor => "monitor",
        }
    }

    /// Whether a percentage of sessions can have the fix, or only all or none.
    pub fn scope(self) -> Scope {
        match self {
            Fix::Batch | Fix::Sync | Fix::Reconnect => Scope::Session,
            Fix::Conn | Fix::Monitor => Scope::Process,
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(self.as_str())
    }
}

impl FromStr for Fix {
    type Err = RolloutError;

    /// `batch`, `sync`, `conn`, `reconnect` or `monitor`.
    fn from_str(text: &str) -> Result<Self, RolloutError> {
        let found = Fix::ALL.into_iter().find(|fix| fix.as_str() == text);
        found.ok_or_else(|| RolloutError::UnknownFix(text.to_owned()))
    }
}

/// Where a switch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The fix is off for every session: the behaviour before it.
    Off,
    /// The fix is on for every session.
    On,
    /// The fix is on for this percentage of sessions (1 to 99), chosen by session id so a
    /// session keeps its side, and raising the percentage only adds sessions.
    Percent(u8),
}

impl Setting {
    /// The setting for `percent` of sessions: 0 is [`Setting::Off`], 100 [`Setting::On`].
    pub fn from_percent(percent: u8) -> Result<Self, RolloutError> {
        match percent {
            0 => Ok(Setting::Off),
            100 => Ok(Setting::On),
            1..=99 => Ok(Setting::Percent(percent)),
            _ => Err(RolloutError::InvalidPercent(percent)),
        }
    }

    /// The share of sessions with the fix, 0 to 100.
    pub fn percent(self) -> u8 {
        match self {
            Setting::Off => 0,
            Setting::On => 100,
            Setting::Percent(percent) => percent,
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Off => out.write_str("off"),
            Setting::On => out.write_str("on"),
            Setting::Percent(percent) => write!(out, "{percent}%"),
        }
    }
}

impl FromStr for Setting {
    type Err = RolloutError;

    /// `off`, `on`, or a percentage such as `25%` (or `25`).
    fn from_str(text: &str) -> Result<Self, RolloutError> {
        match text.trim() {
            "off" => Ok(Setting::Off),
            "on" => Ok(Setting::On),
            other => parse_percent(other),
        }
    }
}

fn parse_percent(text: &str) -> Result<Setting, RolloutError> {
    let digits = text.strip_suffix('%').unwrap_or(text);
    let percent = digits.parse::<u8>().map_err(|_| RolloutError::InvalidSetting(text.to_owned()));
    Setting::from_percent(percent?)
}
