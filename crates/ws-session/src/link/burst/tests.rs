//! Unit tests of a burst: its room counts reads and messages, BATCH entries included.

use super::*;
use crate::protocol::AckConfig;
use std::sync::Mutex;
use tokio_tungstenite::tungstenite::Bytes;

fn data(seq: u64) -> Data {
    Data { seq, payload: Payload::Binary(Bytes::from_static(b"x")) }
}

#[test]
fn a_burst_is_full_at_its_limit_of_messages_even_within_few_reads() {
    let inbound = Mutex::new(InOrder::new());
    let mut acks = AckBatcher::new(AckConfig::default());
    let mut burst = Burst::new(inbound.lock().unwrap(), &mut acks, 4, crate::link::NO_WINDOW);
    burst.reads += 1;
    (1..=3).for_each(|seq| assert!(burst.data(data(seq)).is_continue()));
    assert!(burst.has_room(), "3 messages, 1 read: room left");
    assert!(burst.data(data(4)).is_continue());
    assert!(!burst.has_room(), "4 messages fill a burst of 4");
    let Gathered { delivered, step, .. } = burst.finish(ControlFlow::Continue(()));
    let messages = delivered.messages;
    assert_eq!((messages.len(), step.is_continue()), (4, true));
}

#[test]
fn a_burst_is_full_at_its_limit_of_reads() {
    let inbound = Mutex::new(InOrder::new());
    let mut acks = AckBatcher::new(AckConfig::default());
    let mut burst = Burst::new(inbound.lock().unwrap(), &mut acks, 2, crate::link::NO_WINDOW);
    burst.reads = 2;
    assert!(!burst.has_room());
}

// [M6.4] DATA past the last ack sent plus the window is a 4001 violation
#[test]
fn a_burst_refuses_data_past_the_window_counted_from_the_last_ack_sent() {
    let inbound = Mutex::new(InOrder::new());
    let mut acks = AckBatcher::new(AckConfig { every: 2, ..AckConfig::default() });
    let mut burst = Burst::new(inbound.lock().unwrap(), &mut acks, 64, 3);
    (1..=3).for_each(|seq| assert!(burst.data(data(seq)).is_continue()));
    let refused = burst.data(data(4));
    assert!(matches!(refused, ControlFlow::Break(LinkEnd::Violation(CloseCode::UnackedLimit))));
    let ack = burst.finish(refused).ack;
    assert_eq!(ack, Some(2), "the ack that came due mid-burst was not sent yet");
}
