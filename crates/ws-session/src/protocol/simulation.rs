//! Simulation only (feature `simulation`): session ids and resume tokens from a seeded
//! generator, so that a simulated run (`cargo xtask reliability --simulate`) repeats byte
//! for byte from its seed. Predictable ids and tokens are worthless as secrets: never
//! enable this feature in a build that serves anyone.
//!
//! The generator is per thread and off until [`seed_ids`] is called on that thread; off,
//! ids and tokens come from the OS CSPRNG as without the feature.

use super::token::ID_LEN;
use std::cell::Cell;

thread_local! {
    /// The splitmix64 state of this thread's generator, once seeded.
    static STATE: Cell<Option<u64>> = const { Cell::new(None) };
}

/// From now on, ids and tokens made on this thread come from a generator seeded with
/// `seed` (the same seed, the same ids in the same order).
pub fn seed_ids(seed: u64) {
    STATE.with(|state| state.set(Some(seed)));
}

/// Back to the OS CSPRNG on this thread.
pub fn unseed_ids() {
    STATE.with(|state| state.set(None));
}

/// The next id's bytes from this thread's generator, if it is seeded.
pub(crate) fn next_id() -> Option<[u8; ID_LEN]> {
    STATE.with(|state| {
        let mut current = state.get()?;
        let bytes = id_from(&mut current);
        state.set(Some(current));
        Some(bytes)
    })
}

/// Two steps of the generator in `state`, as an id's bytes.
fn id_from(state: &mut u64) -> [u8; ID_LEN] {
    let mut bytes = [0; ID_LEN];
    bytes[..8].copy_from_slice(&splitmix(state).to_le_bytes());
    bytes[8..].copy_from_slice(&splitmix(state).to_le_bytes());
    bytes
}

/// One step of splitmix64.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut mixed = *state;
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^ (mixed >> 31)
}

#[cfg(test)]
mod tests {
    use super::super::{ResumeToken, SessionId};
    use super::*;

    #[test]
    fn a_seed_repeats_its_ids_and_unseeded_ids_are_random() {
        let ids = |seed| {
            seed_ids(seed);
            let made: Vec<_> = (0..3).map(|_| SessionId::generate().unwrap()).collect();
            (made, *ResumeToken::generate().unwrap().as_bytes())
        };
        assert_eq!(ids(7), ids(7));
        assert_ne!(ids(7), ids(8));
        let seeded = ids(7);
        unseed_ids();
        assert_ne!(SessionId::generate().unwrap(), seeded.0[0]);
        assert_ne!(SessionId::generate().unwrap(), SessionId::generate().unwrap());
    }

    #[test]
    fn fresh_receivers_and_ack_batchers_start_after_the_origin() {
        use super::super::{Delivery, InOrder};
        let origin = (1 << 32) - 2;
        ws_core::sequence::set_origin(origin);
        let mut receiver = InOrder::new();
        assert_eq!(receiver.last_delivered(), origin);
        for seq in [origin + 1, 1 << 32, (1 << 32) + 1] {
            assert_eq!(receiver.accept(seq).unwrap(), Delivery::Deliver, "{seq} crosses 2^32");
        }
        assert_eq!(receiver.accept(origin).unwrap(), Delivery::Duplicate);
        ws_core::sequence::set_origin(0);
    }
}
