//! The accept loop's pause after an error of the listener itself (EMFILE, ENFILE, ENOBUFS):
//! exponential from an initial pause to a cap, on tokio's clock, so the loop never spins.
//! An error of one connection (reset or aborted before it was accepted) does not pause.
//!
//! ws-conn has the same idea; a fix crate does not depend on another, so this one builds
//! on ws-core's [`Backoff`] (by default without jitter).

use crate::telemetry;
use std::io;
use std::time::Duration;
use ws_core::{Backoff, JitterRng};

/// The pauses of one accept loop: the `n`th error in a row waits `backoff.delay(n)`; an
/// accepted connection starts the run over.
#[derive(Debug, Clone)]
pub(crate) struct AcceptPause {
    backoff: Backoff,
    rng: JitterRng,
    errors_in_a_row: u32,
}

impl AcceptPause {
    pub(crate) fn new(backoff: Backoff) -> Self {
        Self { backoff, rng: JitterRng::from_entropy(), errors_in_a_row: 0 }
    }

    /// The pause after `error` (none for an error of one connection); counted and logged.
    pub(crate) fn after(&mut self, error: &io::Error) -> Option<Duration> {
        telemetry::http_error("accept");
        tracing::warn!(%error, "health listener could not accept a connection");
        if is_per_connection(error) {
            return None;
        }
        self.errors_in_a_row = self.errors_in_a_row.saturating_add(1);
        Some(self.backoff.delay(self.errors_in_a_row - 1, &mut self.rng))
    }

    /// Waits out the pause after `error`, if any.
    pub(crate) async fn pause(&mut self, error: &io::Error) {
        if let Some(delay) = self.after(error) {
            tokio::time::sleep(delay).await;
        }
    }

    /// A connection was accepted: the next pause is the initial one again.
    pub(crate) fn reset(&mut self) {
        self.errors_in_a_row = 0;
    }
}

/// An error of the connection being accepted, not of the listener: accept the next one.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;
    use ws_core::Jitter;

    fn doubling() -> AcceptPause {
        let backoff = Backoff::new(Duration::from_millis(1), 2.0, Duration::from_secs(1));
        AcceptPause::new(backoff.with_jitter(Jitter::None))
    }

    fn emfile() -> io::Error {
        io::Error::from_raw_os_error(24) // EMFILE on Linux and macOS
    }

    #[test]
    fn pauses_double_up_to_the_cap_and_start_over_after_an_accept() {
        let mut pause = doubling();
        let millis: Vec<_> = (0..12).map(|_| pause.after(&emfile()).unwrap().as_millis()).collect();
        assert_eq!(millis, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000]);
        pause.reset();
        assert_eq!(pause.after(&emfile()), Some(Duration::from_millis(1)));
    }

    #[test]
    fn an_error_of_one_connection_does_not_pause() {
        let mut pause = doubling();
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(pause.after(&aborted), None);
        assert_eq!(pause.after(&emfile()), Some(Duration::from_millis(1)));
    }

    // paused clock: 20 listener errors in a row take 1+2+...+512 ms plus 10 s at the cap
    #[tokio::test(start_paused = true)]
    async fn twenty_errors_in_a_row_wait_on_tokios_clock_instead_of_spinning() {
        let mut pause = doubling();
        let start = Instant::now();
        for _ in 0..20 {
            pause.pause(&emfile()).await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(1023 + 10_000));
    }
}
