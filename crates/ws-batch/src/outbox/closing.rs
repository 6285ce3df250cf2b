//! Closing: [`Outbox::close`] ends an outbox for good, so that a producer holding it (or
//! waiting in it for room) is told at once and takes its message elsewhere.

use super::Outbox;

impl<M> Outbox<M> {
    /// Closes the outbox for good: every later push, and every push waiting for room
    /// ([`push_wait`](Self::push_wait)), is refused with
    /// [`OutboxError::Closed`](crate::OutboxError::Closed), its message handed back (and
    /// counted, `reason="closed"`). What the outbox already holds stays where it is: the
    /// owner that closes it (a session replaced or ended) reports or drops it.
    pub fn close(&self) {
        self.lock().close();
        self.shared.notify.room.notify_waiters();
    }

    /// Drops every message the outbox holds, but those of a batch being sent right now
    /// (they settle as usual): for an owner that abandons the outbox (a session expired)
    /// and wants its memory back while producers may still hold it. Returns how many were
    /// dropped; they are not dead letters. Wakes pushes waiting for room.
    pub fn discard(&self) -> usize {
        let dropped = self.lock().discard();
        self.shared.notify.room.notify_waiters();
        dropped
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.lock().is_closed()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Outbox, OutboxConfig, OutboxError};
    use std::sync::Arc;

    #[tokio::test]
    async fn a_closed_outbox_refuses_pushes_and_wakes_a_waiting_one_with_its_message() {
        let config = OutboxConfig::default().with_capacity_messages(1);
        let outbox = Arc::new(Outbox::<String>::with_dead_letter_channel(config).0);
        outbox.push("held".into()).unwrap();
        let waiting = tokio::spawn({
            let outbox = Arc::clone(&outbox);
            async move { outbox.push_wait("waits".into()).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "full: the push waits for room");
        outbox.close();
        let refused = waiting.await.unwrap().unwrap_err();
        assert!(matches!(&refused, OutboxError::Closed { message } if message == "waits"));
        let later = outbox.push("later".into()).unwrap_err();
        assert_eq!(later.into_message().as_deref(), Some("later"));
        assert!(outbox.is_closed());
        assert_eq!(outbox.stats().len(), 1, "what it held stays");
    }
}
