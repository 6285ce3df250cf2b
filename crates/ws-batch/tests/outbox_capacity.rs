//! The outbox is bounded in messages and in bytes; a full push hands the message back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, TestSink};
use ws_batch::{MessageSize, Outbox, OutboxConfig, OutboxError};

#[tokio::test]
async fn a_push_past_the_message_capacity_returns_the_message() {
    let config = OutboxConfig::default().with_capacity_messages(2);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    assert_eq!(outbox.push("a".to_string()).unwrap(), 1);
    assert_eq!(outbox.push("b".to_string()).unwrap(), 2);
    let error = outbox.push("c".to_string()).unwrap_err();
    assert_eq!(error.to_string(), "outbox full: 2 messages queued");
    assert!(matches!(&error, OutboxError::FullMessages { message, capacity: 2 } if message == "c"));
    assert_eq!(error.into_message(), Some("c".to_string()));
    outbox.flush_with(&mut TestSink::new(), frame).await.unwrap();
    assert_eq!(outbox.push("c".to_string()).unwrap(), 3, "room again once confirmed");
}

#[tokio::test]
async fn a_push_past_the_byte_capacity_returns_the_message() {
    let config = OutboxConfig::default().with_capacity_bytes(10);
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config);
    outbox.push(vec![0u8; 8]).unwrap();
    let error = outbox.push(vec![1u8; 3]).unwrap_err();
    let expected = "outbox full: 8 of 10 bytes queued, message of 3 bytes";
    assert_eq!(error.to_string(), expected);
    assert_eq!(error.into_message(), Some(vec![1u8; 3]));
    assert_eq!(outbox.stats().bytes, 8);
    outbox.push(vec![2u8; 2]).unwrap();
    assert_eq!(outbox.stats().len(), 2);
}

#[test]
fn sizes_count_payload_bytes() {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::Message;
    assert_eq!("abc".message_size(), 3);
    assert_eq!("abcd".to_string().message_size(), 4);
    assert_eq!(Message::binary(vec![0u8; 64]).message_size(), 64);
    let close = CloseFrame { code: CloseCode::Normal, reason: "bye".into() };
    let messages = [
        Message::text("héllo"),
        Message::Ping(vec![0u8; 5].into()),
        Message::Pong(vec![0u8; 7].into()),
        Message::Close(Some(close)),
        Message::Close(None),
    ];
    for message in messages {
        assert_eq!(message.message_size(), message.len(), "as tungstenite counts {message:?}");
    }
}
