//! The accept loop's pause after an error: an error of the listener itself (EMFILE,
//! ENFILE, ENOBUFS) backs off exponentially instead of spinning; an error of one
//! connection (reset or aborted before it was accepted) does not.

use crate::metrics;
use std::io;
use std::time::Duration;

/// How long an accept loop pauses after each error: from `initial`, doubled per error in a
/// row up to `max`, back to `initial` after an accept succeeds. Default 1 ms to 1 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptBackoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Default for AcceptBackoff {
    fn default() -> Self {
        AcceptBackoff::new(Duration::from_millis(1), Duration::from_secs(1))
    }
}

impl AcceptBackoff {
    /// Pauses from `initial` up to `max` (at least `initial`).
    pub fn new(initial: Duration, max: Duration) -> Self {
        AcceptBackoff { initial, max: max.max(initial), next: initial }
    }

    /// The pause after `error`, and the next one doubled; none for an error of one
    /// connection. Every error is counted in `ws_conn_accept_errors_total`, every pause in
    /// `ws_conn_accept_backoffs_total`.
    pub fn after(&mut self, error: &io::Error) -> Option<Duration> {
        metrics::accept_error(is_per_connection(error));
        if is_per_connection(error) {
            return None;
        }
        metrics::accept_backoff();
        Some(self.step())
    }

    /// An accept succeeded: the next pause starts from `initial` again.
    pub fn reset(&mut self) {
        self.next = self.initial;
    }

    /// Waits out the pause after `error`, if any (on tokio's clock).
    pub async fn pause(&mut self, error: &io::Error) {
        if let Some(delay) = self.after(error) {
            tokio::time::sleep(delay).await;
        }
    }

    /// What `listener.accept()` returned, for a loop: the accepted value (the pauses start
    /// over), or `None` once the pause its error calls for is waited out.
    pub async fn settle<T>(&mut self, accepted: io::Result<T>) -> Option<T> {
        if let Err(error) = &accepted {
            self.pause(error).await;
        } else {
            self.reset();
        }
        accepted.ok()
    }

    fn step(&mut self) -> Duration {
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        delay
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

    fn emfile() -> io::Error {
        io::Error::from_raw_os_error(24) // EMFILE on Linux and macOS
    }

    #[test]
    fn pauses_double_from_1_ms_to_a_1_s_cap_and_reset_after_a_success() {
        let mut backoff = AcceptBackoff::default();
        let pauses: Vec<_> = (0..12).map(|_| backoff.after(&emfile()).unwrap()).collect();
        let millis: Vec<_> = pauses.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 1000]);
        backoff.reset();
        assert_eq!(backoff.after(&emfile()), Some(Duration::from_millis(1)));
    }

    #[test]
    fn an_error_of_one_connection_does_not_pause() {
        let mut backoff = AcceptBackoff::default();
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(backoff.after(&aborted), None);
        assert_eq!(backoff.after(&emfile()), Some(Duration::from_millis(1)));
    }

    #[tokio::test(start_paused = true)]
    async fn settle_pauses_after_an_error_and_starts_over_after_an_accept() {
        let mut backoff = AcceptBackoff::default();
        let start = Instant::now();
        assert_eq!(backoff.settle::<u8>(Err(emfile())).await, None);
        assert_eq!(backoff.settle::<u8>(Err(emfile())).await, None);
        assert_eq!(start.elapsed(), Duration::from_millis(3));
        assert_eq!(backoff.settle(Ok(7)).await, Some(7));
        assert_eq!(backoff.after(&emfile()), Some(Duration::from_millis(1)));
    }

    // paused clock: 20 listener errors in a row take 1+2+...+512 ms plus 10 s at the cap,
    // instead of spinning
    #[tokio::test(start_paused = true)]
    async fn twenty_errors_in_a_row_wait_out_their_pauses_on_tokios_clock() {
        let mut backoff = AcceptBackoff::default();
        let start = Instant::now();
        for _ in 0..20 {
            backoff.pause(&emfile()).await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(1023 + 10_000));
    }
}
