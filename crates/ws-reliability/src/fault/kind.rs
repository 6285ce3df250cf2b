//! [`FaultKind`]: the faults the injector knows how to cause.

use std::fmt;

/// One kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// A write fails with an `io::Error` (kind `Other`); the stream itself stays usable.
    WriteError,
    /// The connection dies: the inner stream is dropped (the peer sees EOF or a reset) and
    /// every later read or write fails with `ConnectionReset`.
    Kill,
    /// A write waits for the configured delay before it proceeds.
    Delay,
    /// A read is held for the configured stall duration before it proceeds.
    Stall,
}

impl FaultKind {
    /// Every kind, in the order of [`FaultKind::index`].
    pub const ALL: [FaultKind; 4] =
        [FaultKind::WriteError, FaultKind::Kill, FaultKind::Delay, FaultKind::Stall];

    /// The metric label value (`kind`) of this fault.
    pub fn label(self) -> &'static str {
        match self {
            Self::WriteError => "write_error",
            Self::Kill => "kill",
            Self::Delay => "delay",
            Self::Stall => "stall",
        }
    }

    /// The position of this kind in [`FaultKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(self.label())
    }
}
