//! The system-wide monotonic clock (`CLOCK_MONOTONIC`), read through `rustix`: on Linux
//! every process reads the same clock, so a stamp written by the server process and read
//! by a client process gives a one-way latency (`std::time::Instant` reads it too, but
//! does not expose its value).

use rustix::time::{clock_gettime, ClockId};

/// Nanoseconds on `CLOCK_MONOTONIC` (since boot, the same in every process).
pub fn now_nanos() -> u64 {
    let now = clock_gettime(ClockId::Monotonic);
    let seconds = u64::try_from(now.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(now.tv_nsec).unwrap_or(0);
    seconds.saturating_mul(1_000_000_000).saturating_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_forward_with_instant() {
        let before = now_nanos();
        let started = std::time::Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let elapsed = now_nanos() - before;
        assert!(before > 0 && elapsed >= 20_000_000, "{elapsed} ns");
        assert!(elapsed <= started.elapsed().as_nanos() as u64 + 1_000_000);
    }
}
