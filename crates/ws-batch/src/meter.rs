//! [`ByteMeter`]: the bytes held by every outbox that shares it, kept exact on every push,
//! ack and removal, for an owner with a budget over many outboxes.

use metrics::Gauge;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The bytes (counted with [`MessageSize`](crate::MessageSize)) held by every outbox built
/// with it ([`OutboxConfig::with_byte_meter`](crate::OutboxConfig::with_byte_meter)): each
/// outbox moves it by what it gained or lost, under its lock, after every change, and
/// takes its bytes out when dropped. Reading it is one atomic load. Cheap to clone: clones
/// share the count.
#[derive(Debug, Clone, Default)]
pub struct ByteMeter {
    bytes: Arc<AtomicUsize>,
    gauge: Option<Gauge>,
}

impl ByteMeter {
    /// A meter at zero.
    pub fn new() -> Self {
        ByteMeter::default()
    }

    /// A meter that also moves `gauge` (e.g. an owner's own `..._outbox_bytes` gauge).
    pub fn with_gauge(gauge: Gauge) -> Self {
        ByteMeter { gauge: Some(gauge), ..ByteMeter::default() }
    }

    /// The bytes held now by every outbox sharing this meter.
    #[inline]
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Acquire)
    }

    /// Moves the count from `before` to `after` bytes held by one outbox.
    pub(crate) fn moved(&self, before: usize, after: usize) {
        if after >= before {
            self.bytes.fetch_add(after - before, Ordering::AcqRel);
        } else {
            self.bytes.fetch_sub(before - after, Ordering::AcqRel);
        }
        if let Some(gauge) = &self.gauge {
            gauge.increment(after as f64 - before as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ByteMeter, Outbox, OutboxConfig};

    #[test]
    fn the_meter_follows_pushes_acks_discards_and_drops_of_every_outbox() {
        let meter = ByteMeter::new();
        let config = OutboxConfig::default().with_byte_meter(meter.clone());
        let config = config.with_confirmation(crate::Confirmation::Ack);
        let first = Outbox::<String>::with_dead_letter_channel(config.clone()).0;
        let second = Outbox::<String>::with_dead_letter_channel(config).0;
        first.push("abc".into()).unwrap();
        second.push("defgh".into()).unwrap();
        assert_eq!(meter.bytes(), 8);
        assert_eq!(second.discard(), 1);
        assert_eq!(meter.bytes(), 3);
        drop(first);
        assert_eq!(meter.bytes(), 0, "a dropped outbox takes its bytes out");
    }
}
