//! What a server's session outboxes share: [`OutboxBase`], one `Arc<OutboxConfig>` per
//! kind of outbox (confirmation, window, held for a store), not a 192-byte copy in every
//! session (`docs/learnings.md` § 16), and one dead-letter callback.

use super::{lock, Stored};
use crate::protocol::Limits;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use ws_batch::{Confirmation, DeadLetter, DeadLetterHandler, Outbox, OutboxConfig};

/// What a session's outbox calls with a dead letter.
type OnDeadLetter = Arc<dyn Fn(DeadLetter<Stored>) + Send + Sync>;

/// The outbox settings every session shares, and the count of their dead letters.
#[derive(Clone)]
pub struct OutboxBase {
    config: OutboxConfig,
    dead_letters: Arc<AtomicU64>,
    /// Counts a dead letter: one callback every session's outbox shares, not one each.
    on_dead_letter: OnDeadLetter,
    /// The settings of each kind of session outbox, built once.
    shared: Arc<SharedConfigs>,
}

impl std::fmt::Debug for OutboxBase {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dead_letters = self.dead_letters();
        let config = &self.config;
        formatter
            .debug_struct("OutboxBase")
            .field("config", config)
            .field("dead_letters", &dead_letters)
            .finish_non_exhaustive()
    }
}

impl OutboxBase {
    /// Settings every session's outbox starts from, with no dead letters yet.
    pub fn new(config: OutboxConfig) -> Self {
        let dead_letters = Arc::<AtomicU64>::default();
        let on_dead_letter = counting(Arc::clone(&dead_letters));
        OutboxBase { config, dead_letters, on_dead_letter, shared: Arc::default() }
    }

    /// Messages that used up their attempts so far (never with the default settings).
    pub fn dead_letters(&self) -> u64 {
        self.dead_letters.load(Ordering::Relaxed)
    }

    /// An outbox for one session: ack-confirmed while the session can resume (wsr.v1 with
    /// the `batch` fix), flush-confirmed otherwise (legacy peers, sessions rolled out of
    /// the fix); bounded to `max_unacked` messages so a sender never passes the peer's
    /// window, with batches no larger than that (a full window wakes the flusher at once);
    /// `held` until a store committed its messages (write-ahead, `ServerConfig::sessions.store`).
    pub fn outbox_with(
        &self,
        confirmation: Confirmation,
        limits: &Limits,
        held: bool,
    ) -> Outbox<Stored> {
        let capacity = usize::try_from(limits.max_unacked).unwrap_or(usize::MAX);
        let key = ConfigKey { confirmation, capacity, held };
        let config = self.shared.get(key, || key.config(&self.config));
        Outbox::new(config, self.dead_letter_handler())
    }

    fn dead_letter_handler(&self) -> DeadLetterHandler<Stored> {
        DeadLetterHandler::Callback(Arc::clone(&self.on_dead_letter))
    }
}

/// The callback that adds each dead letter to `count` (and its metric).
fn counting(count: Arc<AtomicU64>) -> OnDeadLetter {
    Arc::new(move |_letter| {
        count.fetch_add(1, Ordering::Relaxed);
        crate::metrics::dead_letter();
    })
}

/// What sets one session outbox's settings apart from another's built from the same base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ConfigKey {
    /// Confirmed by acks or by flushes.
    pub(super) confirmation: Confirmation,
    /// The peer's window: the outbox's capacity in messages.
    pub(super) capacity: usize,
    /// Held until a store committed its messages.
    pub(super) held: bool,
}

impl ConfigKey {
    /// The settings of this kind of session outbox, from the `base` settings.
    pub(super) fn config(self, base: &OutboxConfig) -> OutboxConfig {
        let config = base.clone().with_confirmation(self.confirmation);
        let config = if self.held { config.held_until_released() } else { config };
        let config = config.with_capacity_messages(self.capacity).with_max_attempts(u32::MAX);
        // a batch the window can hold: a full window wakes the flusher
        let batch = config.batch_size().min(self.capacity);
        config.with_batch_size(batch)
    }
}

/// The settings built so far, one per key (a handful in any process).
#[derive(Debug, Default)]
pub(super) struct SharedConfigs {
    built: Mutex<Vec<(ConfigKey, Arc<OutboxConfig>)>>,
}

impl SharedConfigs {
    /// The settings of `key`, made by `build` the first time it is asked for.
    pub(super) fn get(
        &self,
        key: ConfigKey,
        build: impl FnOnce() -> OutboxConfig,
    ) -> Arc<OutboxConfig> {
        let mut built = lock(&self.built);
        if let Some((_key, config)) = built.iter().find(|(known, _config)| *known == key) {
            return Arc::clone(config);
        }
        let config = Arc::new(build());
        built.push((key, Arc::clone(&config)));
        config
    }
}

#[cfg(test)]
mod tests;
