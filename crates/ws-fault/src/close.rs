//! [`CloseWatch`]: where a wrapped stream stands in the WebSocket close handshake, so that
//! a [`FaultKind::FailedClose`](super::FaultKind::FailedClose) strikes only a close this
//! side starts, and no other fault strikes a connection already closing.

use super::frames::FrameCursor;

/// The phase of the connection, as far as fault injection is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Phase {
    /// No close either way: kills, write errors, delays and stalls may strike.
    #[default]
    Open,
    /// Our close went out, or the peer's came in (or its EOF, or a read error): nothing
    /// more is injected, so no fault lands where nothing could notice it.
    Closing,
    /// Our close failed by injection: nothing more goes out or comes in.
    Failed,
}

/// What may happen to one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Write these many bytes of the buffer (all of it, or what precedes our close).
    Write(usize),
    /// Our close frame starts the buffer and the failed-close fault is on: fail.
    Refuse,
    /// Our close frame is in the buffer and nothing decided its fate yet.
    Decide,
}

/// Both directions' frame cursors and the phase.
#[derive(Debug, Default)]
pub(super) struct CloseWatch {
    sent: FrameCursor,
    received: FrameCursor,
    phase: Phase,
}

impl CloseWatch {
    /// Whether the open-phase faults may still strike.
    pub(super) fn is_open(&self) -> bool {
        self.phase == Phase::Open
    }

    /// Whether our close failed by injection.
    pub(super) fn has_failed(&self) -> bool {
        self.phase == Phase::Failed
    }

    /// What the write of `buf` may do.
    pub(super) fn verdict(&self, buf: &[u8]) -> Verdict {
        match (self.phase, self.sent.peek(buf)) {
            (Phase::Failed, None | Some(0)) => Verdict::Refuse,
            (Phase::Failed, Some(before)) => Verdict::Write(before),
            (Phase::Open, Some(_)) => Verdict::Decide,
            (_, _) => Verdict::Write(buf.len()),
        }
    }

    /// The fate of our close: failed (by injection) or let through.
    pub(super) fn decide(&mut self, failed: bool) {
        self.phase = if failed { Phase::Failed } else { Phase::Closing };
    }

    /// Moves past bytes that went out.
    pub(super) fn sent(&mut self, bytes: &[u8]) {
        if self.sent.advance(bytes).is_some() {
            self.closing();
        }
    }

    /// Moves past bytes that came in; a close frame among them starts the close.
    pub(super) fn received(&mut self, bytes: &[u8]) {
        if self.received.advance(bytes).is_some() {
            self.closing();
        }
    }

    /// The peer is gone or closing (EOF, a read error, its close frame).
    pub(super) fn closing(&mut self) {
        if self.phase == Phase::Open {
            self.phase = Phase::Closing;
        }
    }
}
