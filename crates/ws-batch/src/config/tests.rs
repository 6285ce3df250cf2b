//! Unit tests of the configuration builders and defaults.

use super::{Confirmation, OutboxConfig};
use std::time::Duration;
use ws_core::Jitter;

#[test]
fn defaults_are_the_documented_ones() {
    let config = OutboxConfig::default();
    assert_eq!(config.limits.capacity_messages, 1024);
    assert_eq!(config.limits.capacity_bytes, 4 * 1024 * 1024);
    assert_eq!(config.batch_size(), 64);
    assert_eq!(config.max_attempts, 5);
    assert_eq!(config.backoff().initial(), Duration::from_millis(100));
    assert_eq!(config.backoff().cap(), Duration::from_secs(10));
    assert_eq!(config.backoff().jitter(), Jitter::Equal);
    assert_eq!(config.timing.flush_timeout, Duration::from_secs(5));
    assert_eq!(config.timing.ack_timeout, Some(Duration::from_secs(30)));
    assert_eq!(config.flush_interval(), Duration::from_millis(10));
    assert_eq!(config.confirmation(), Confirmation::Flush);
}

#[test]
fn builders_set_and_clamp() {
    let config = OutboxConfig::default()
        .with_capacity_messages(0)
        .with_batch_size(0)
        .with_max_attempts(0)
        .with_flush_interval(Duration::from_secs(1))
        .with_confirmation(Confirmation::Ack);
    assert_eq!(config.limits.capacity_messages, 1);
    assert_eq!(config.batch_size(), 1);
    assert_eq!(config.max_attempts, 1);
    assert_eq!(config.flush_interval(), Duration::from_secs(1));
    assert_eq!(config.confirmation(), Confirmation::Ack);
}

#[test]
fn a_seed_makes_the_jitter_repeatable() {
    let config = OutboxConfig::default().with_jitter_seed(9);
    assert_eq!(config.jitter_rng().unit(), config.jitter_rng().unit());
}
