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
    /// A close this side starts fails: the write carrying its close frame fails with
    /// `BrokenPipe` (the frames before it go out), and from then on nothing goes out or
    /// comes in, so the close handshake cannot complete. Drawn once per close started
    /// while the peer had not closed; a WebSocket stream (HTTP upgrade, then RFC 6455
    /// frames) is needed to find the close frame.
    FailedClose,
}

impl FaultKind {
    /// How many kinds there are.
    pub const COUNT: usize = 5;

    /// Every kind, in the order of [`FaultKind::index`].
    pub const ALL: [FaultKind; FaultKind::COUNT] = [
        FaultKind::WriteError,
        FaultKind::Kill,
        FaultKind::Delay,
        FaultKind::Stall,
        FaultKind::FailedClose,
    ];

    /// The metric label value (`kind`) of this fault.
    pub fn label(self) -> &'static str {
        match self {
            Self::WriteError => "write_error",
            Self::Kill => "kill",
            Self::Delay => "delay",
            Self::Stall => "stall",
            Self::FailedClose => "failed_close",
        }
    }

    /// What the fault does, as an injected failure's error message says it.
    pub fn failure(self) -> &'static str {
        match self {
            Self::WriteError => "write failed",
            Self::Kill => "connection killed",
            Self::Delay => "write delayed",
            Self::Stall => "read stalled",
            Self::FailedClose => "close failed",
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
