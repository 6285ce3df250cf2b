//! When the flusher has work: it sleeps until a push, an ack, a requeue or a deadline, and
//! never polls an idle outbox.

use super::Outbox;
use tokio::sync::futures::Notified;
use tokio::time::Instant;

impl<M> Outbox<M> {
    /// Waits until pending messages are due (at once, for new ones), a push found none
    /// pending, a batch is full, messages were requeued, the window reopened, or the next
    /// retry or ack deadline came. With nothing queued it sleeps until a push: no polling.
    /// The [`Flusher`](crate::Flusher) waits here between flushes; an owner that starts
    /// its flusher only once there is work (an idle link holds no flusher task) waits here
    /// first.
    pub async fn until_due(&self) {
        let deadline = self.lock().next_deadline();
        let woken = self.shared.notify.wake.notified(); // after the look: no lost wake-up
        match deadline {
            // boxed: the timer lives only while a deadline is set, not in every idle waiter
            Some(deadline) => Box::pin(wake_or_sleep(woken, deadline)).await,
            None => woken.await,
        }
        #[cfg(test)]
        self.shared.notify.wakeups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How often the flusher woke so far.
    #[cfg(test)]
    pub(crate) fn wakeups(&self) -> usize {
        self.shared.notify.wakeups.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Waits for `woken` or until `deadline`, whichever comes first; at once if it passed.
async fn wake_or_sleep(woken: Notified<'_>, deadline: Instant) {
    if deadline <= Instant::now() {
        return;
    }
    tokio::select! {
        () = woken => {}
        () = tokio::time::sleep_until(deadline) => {}
    }
}
