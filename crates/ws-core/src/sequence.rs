//! Where a fresh session's sequence numbers start: after [`origin`], 0 in every build but
//! a simulated run's (feature `simulation`, [`set_origin`]), where both ends of every
//! session on the thread start after the same origin, e.g. near 2^32 so that a 32-bit
//! truncation or wrap anywhere shows as a gap, a duplicate or a refused ack.

#[cfg(feature = "simulation")]
thread_local! {
    /// This thread's origin.
    static ORIGIN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The number before a fresh session's first sequence number (which is `origin() + 1`):
/// 0, but in a simulated run that set another one.
pub fn origin() -> u64 {
    #[cfg(feature = "simulation")]
    return ORIGIN.with(std::cell::Cell::get);
    #[cfg(not(feature = "simulation"))]
    0
}

/// Simulation only: fresh sessions made on this thread from now on number their messages
/// from `origin + 1`, on both ends.
#[cfg(feature = "simulation")]
#[cfg_attr(docsrs, doc(cfg(feature = "simulation")))]
pub fn set_origin(origin: u64) {
    ORIGIN.with(|cell| cell.set(origin));
}

#[cfg(all(test, feature = "simulation"))]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_per_thread_and_zero_by_default() {
        assert_eq!(origin(), 0);
        set_origin(1 << 32);
        assert_eq!(origin(), 1 << 32);
        assert_eq!(std::thread::spawn(origin).join().unwrap(), 0);
    }
}
