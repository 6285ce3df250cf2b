//! How much a failure matters: the classification every fix crate applies to callbacks and checks.

use std::fmt;

/// How much a failing callback or check matters to the component that runs it.
///
/// A `Critical` failure makes the component unusable (a synchronizer enters its error
/// state, a reconnect attempt counts as failed, a health report turns unhealthy); a
/// `Warning` failure is reported and the component goes on, degraded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum Criticality {
    /// A failure is reported and the component goes on in a degraded state.
    #[default]
    Warning,
    /// A failure makes the component unusable until it recovers.
    Critical,
}

impl Criticality {
    /// Whether a failure at this level makes the component unusable.
    pub fn is_critical(self) -> bool {
        self == Criticality::Critical
    }

    /// A lowercase name, fit for a metric label: `"critical"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Critical => "critical",
            Criticality::Warning => "warning",
        }
    }
}

impl fmt::Display for Criticality {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Criticality;

    #[test]
    fn names_are_label_safe() {
        assert_eq!(Criticality::Critical.to_string(), "critical");
        assert_eq!(Criticality::Warning.as_str(), "warning");
    }

    #[test]
    fn only_critical_is_critical() {
        assert!(Criticality::Critical.is_critical());
        assert!(!Criticality::Warning.is_critical());
        assert_eq!(Criticality::default(), Criticality::Warning);
    }
}
