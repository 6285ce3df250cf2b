//! When the flusher has work: it sleeps until a push, an ack, a requeue or a deadline, and
//! never polls an idle outbox.

use super::Outbox;
use std::pin::Pin;
use tokio::sync::futures::Notified;
use tokio::time::{Instant, Sleep};

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

    /// [`until_due`](Self::until_due) for the [`Flusher`](crate::Flusher), which keeps its
    /// one timer from wait to wait in `timer`: reset only when a deadline comes sooner than
    /// the armed one, or once it fired. A timer made afresh at each wait (at every flush of
    /// a busy link) took a handle on the runtime, a place in its timer wheel and a box.
    /// A deadline that moved later leaves it armed: it fires early, and the flusher finds
    /// nothing due and waits again.
    pub(crate) async fn until_due_timed(&self, timer: &mut DueTimer) {
        let deadline = self.lock().next_deadline();
        let woken = self.shared.notify.wake.notified(); // after the look: no lost wake-up
        match deadline {
            Some(deadline) => wake_or_fire(woken, armed(timer, deadline)).await,
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

/// A flusher's timer, kept from wait to wait once it had a deadline.
pub(crate) type DueTimer = Option<Pin<Box<Sleep>>>;

/// `timer` armed for `deadline` (see [`Outbox::until_due_timed`]); `None` if it passed.
fn armed(timer: &mut DueTimer, deadline: Instant) -> Option<Pin<&mut Sleep>> {
    if deadline <= Instant::now() {
        return None;
    }
    let sleep = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
    if deadline < sleep.deadline() || sleep.is_elapsed() {
        sleep.as_mut().reset(deadline);
    }
    Some(sleep.as_mut())
}

/// Waits for `woken` or `timer`, whichever comes first; at once without a timer.
async fn wake_or_fire(woken: Notified<'_>, timer: Option<Pin<&mut Sleep>>) {
    let Some(timer) = timer else { return };
    tokio::select! {
        () = woken => {}
        () = timer => {}
    }
}

#[cfg(test)]
mod tests;
