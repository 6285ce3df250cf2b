//! Server hints carried by close codes: reconnect, retry later, or do not reconnect.

use std::ops::RangeInclusive;
use std::time::Duration;

/// What a close code asks of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseHint {
    /// Reconnect with the usual backoff.
    Reconnect,
    /// Reconnect, but wait at least the retry-later delay
    /// ([`ClosePolicy::retry_later`]).
    RetryLater,
    /// Stop: the reconnector gives up at once.
    DoNotReconnect,
}

/// Maps close codes to [`CloseHint`]s: a table of code ranges, first match wins, every other
/// code means [`CloseHint::Reconnect`].
///
/// The default table:
///
/// | codes | hint | why |
/// |---|---|---|
/// | 1008 policy violation | do not reconnect | the server refuses this client |
/// | 1013 try again later | retry later | the server is overloaded |
/// | 4000-4499 | do not reconnect | application: auth revoked, banned, session replaced |
/// | 4500-4999 | retry later | application: maintenance, overload |
///
/// Every other code, 1000 (normal), 1001 (going away), 1011 and 1012 (restart) included,
/// means reconnect: a server that closes is usually restarting.
///
/// After a "retry later" close the wait is uniform in `[retry_later / 2, retry_later]`
/// (never below the backoff): default 30 s, long enough for an overloaded server to recover,
/// and spread so its clients do not come back together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosePolicy {
    rules: Vec<(RangeInclusive<u16>, CloseHint)>,
    retry_later: Duration,
}

impl Default for ClosePolicy {
    fn default() -> Self {
        let rules = vec![
            (1008..=1008, CloseHint::DoNotReconnect),
            (1013..=1013, CloseHint::RetryLater),
            (4000..=4499, CloseHint::DoNotReconnect),
            (4500..=4999, CloseHint::RetryLater),
        ];
        ClosePolicy { rules, retry_later: Duration::from_secs(30) }
    }
}

impl ClosePolicy {
    /// A policy with no rules: every close code means reconnect.
    pub fn reconnect_always() -> Self {
        ClosePolicy { rules: Vec::new(), retry_later: Duration::from_secs(30) }
    }

    /// The same policy with another retry-later bound.
    pub fn with_retry_later(self, retry_later: Duration) -> Self {
        ClosePolicy { retry_later, ..self }
    }

    /// The upper bound of the wait after a "retry later" close.
    pub fn retry_later(&self) -> Duration {
        self.retry_later
    }

    /// The same policy with a rule for `codes` that takes precedence over the others.
    pub fn with_rule(mut self, codes: RangeInclusive<u16>, hint: CloseHint) -> Self {
        self.rules.insert(0, (codes, hint));
        self
    }

    /// The hint of a close code.
    pub fn classify(&self, code: u16) -> CloseHint {
        let rule = self.rules.iter().find(|(codes, _)| codes.contains(&code));
        rule.map_or(CloseHint::Reconnect, |(_, hint)| *hint)
    }
}

#[cfg(test)]
mod tests;
