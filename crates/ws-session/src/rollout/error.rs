//! [`RolloutError`]: a switch or guard setting that cannot be applied.

use super::Fix;

/// A runtime switch or rollback guard that was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RolloutError {
    /// A percentage above 100.
    #[error("percentage {0} is above 100")]
    InvalidPercent(u8),
    /// Text that is not `off`, `on` or a percentage.
    #[error("`{0}` is not a setting (off, on, or a percentage such as 25%)")]
    InvalidSetting(String),
    /// A name that is not one of the five fixes.
    #[error("`{0}` is not a fix (batch, sync, conn, reconnect, monitor)")]
    UnknownFix(String),
    /// A process-wide fix (conn, monitor) is either off or on for everyone.
    #[error("{fix} is process-wide: it can only be off or on, not {percent}%")]
    NotPerSession {
        /// The fix.
        fix: Fix,
        /// The percentage asked for.
        percent: u8,
    },
    /// A guard whose threshold is not a rate between 0 and 1, or whose window is zero.
    #[error("invalid rollback guard: {0}")]
    InvalidGuard(&'static str),
}
