//! The four connection states, the one transition table, and an atomic cell that applies it.

use std::fmt;
use std::sync::atomic::AtomicU8;
use std::sync::atomic::Ordering::{AcqRel, Acquire};

/// Where a connection is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ConnState {
    /// Open: frames flow, heartbeats run.
    Active = 0,
    /// A close frame was sent; waiting for the peer's answer.
    Closing = 1,
    /// The close failed or timed out, or the connection is a ghost: the sweeper removes it.
    Failed = 2,
    /// Released and removed from the registry.
    Closed = 3,
}

/// The only legal transitions; every state change goes through [`ConnState::can_become`].
pub const TRANSITIONS: [(ConnState, ConnState); 5] = [
    (ConnState::Active, ConnState::Closing),
    (ConnState::Active, ConnState::Failed),
    (ConnState::Closing, ConnState::Closed),
    (ConnState::Closing, ConnState::Failed),
    (ConnState::Failed, ConnState::Closed),
];

impl ConnState {
    /// Every state, in order.
    pub const ALL: [ConnState; 4] =
        [ConnState::Active, ConnState::Closing, ConnState::Failed, ConnState::Closed];

    /// Whether `self → to` is in [`TRANSITIONS`].
    pub fn can_become(self, to: ConnState) -> bool {
        TRANSITIONS.contains(&(self, to))
    }

    /// A lowercase name, fit for a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnState::Active => "active",
            ConnState::Closing => "closing",
            ConnState::Failed => "failed",
            ConnState::Closed => "closed",
        }
    }

    fn from_u8(raw: u8) -> ConnState {
        ConnState::ALL.get(usize::from(raw)).copied().unwrap_or(ConnState::Closed)
    }
}

impl fmt::Display for ConnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state that changes only along [`TRANSITIONS`], atomically (one compare-and-swap).
///
/// Of racing transitions from the same state exactly one wins; the others see the new
/// state and are refused with it, and change nothing.
#[derive(Debug)]
pub struct AtomicState(AtomicU8);

impl AtomicState {
    /// A cell in `Active`.
    pub fn new() -> Self {
        AtomicState(AtomicU8::new(ConnState::Active as u8))
    }

    /// The current state.
    pub fn get(&self) -> ConnState {
        ConnState::from_u8(self.0.load(Acquire))
    }

    /// Moves to `to` from whatever the state is, if the table allows it.
    ///
    /// Returns the state left, or `Err(current)` when `current → to` is illegal.
    pub fn transition(&self, to: ConnState) -> Result<ConnState, ConnState> {
        let step = |raw| ConnState::from_u8(raw).can_become(to).then_some(to as u8);
        let swapped = self.0.fetch_update(AcqRel, Acquire, step);
        swapped.map(ConnState::from_u8).map_err(ConnState::from_u8)
    }

    /// Moves `from → to` only if the state is `from` now and the table allows it.
    ///
    /// Returns `Err(current)` when the state is not `from` or the step is illegal.
    pub fn transition_from(&self, from: ConnState, to: ConnState) -> Result<(), ConnState> {
        if !from.can_become(to) {
            return Err(self.get());
        }
        let swapped = self.0.compare_exchange(from as u8, to as u8, AcqRel, Acquire);
        swapped.map(drop).map_err(ConnState::from_u8)
    }
}

impl Default for AtomicState {
    fn default() -> Self {
        AtomicState::new()
    }
}

#[cfg(test)]
mod tests;
