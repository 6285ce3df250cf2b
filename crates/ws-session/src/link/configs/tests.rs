//! One dead-letter callback for every session outbox of a base, and what it counts.

use super::OutboxBase;
use crate::link::{server_outbox_config, Stored};
use crate::protocol::{Limits, Payload};
use std::sync::Arc;
use ws_batch::{Confirmation, DeadLetter, SendFailure};

#[test]
fn every_outbox_of_a_base_shares_one_dead_letter_callback_that_counts() {
    let base = OutboxBase::new(server_outbox_config());
    let limits = Limits::default();
    let outboxes: Vec<_> =
        (0..3).map(|_| base.outbox_with(Confirmation::Ack, &limits, false)).collect();
    assert_eq!(Arc::strong_count(&base.on_dead_letter), 1 + outboxes.len());
    let message = Stored::from(Payload::Text("late".into()));
    let failure = SendFailure::Transport("gone".into());
    (base.on_dead_letter)(DeadLetter { seq: 1, message, attempts: 3, last_error: failure });
    assert_eq!(base.dead_letters(), 1);
}
