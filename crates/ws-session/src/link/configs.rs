//! The settings a server's session outboxes share: one `Arc<OutboxConfig>` per kind of
//! outbox (confirmation, window, held for a store), not a 192-byte copy in every session
//! (`docs/learnings.md` § 16).

use super::lock;
use std::sync::{Arc, Mutex};
use ws_batch::{Confirmation, OutboxConfig};

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
