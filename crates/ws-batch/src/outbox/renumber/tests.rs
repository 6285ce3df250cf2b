//! Unit tests of a requeue that refuses messages: refused ones become dead letters, the
//! rest are numbered again after the last ack, and new messages follow them.

use crate::{Confirmation, Outbox, OutboxConfig, SendFailure};

fn outbox() -> (Outbox<String>, tokio::sync::mpsc::UnboundedReceiver<crate::DeadLetter<String>>) {
    let config = OutboxConfig::default().with_confirmation(Confirmation::Ack);
    Outbox::with_dead_letter_channel(config.with_batch_size(64))
}

/// The sequence numbers and messages a flush sends.
async fn flushed(outbox: &Outbox<String>) -> Vec<(u64, String)> {
    let mut sent = Vec::new();
    let mut sink = futures::sink::drain();
    outbox.flush_with(&mut sink, |seq, message| sent.push((seq, message.clone()))).await.unwrap();
    sent
}

#[tokio::test]
async fn refused_messages_leave_and_the_rest_are_numbered_after_the_last_ack() {
    let (outbox, mut dead) = outbox();
    ["a", "bb", "c", "dd", "e"].into_iter().for_each(|text| drop(outbox.push(text.into())));
    assert_eq!(flushed(&outbox).await.len(), 5);
    outbox.ack(1).unwrap();
    assert_eq!(outbox.requeue_refusing(|text| text.len() > 1).await, 2);
    let letter = dead.try_recv().unwrap();
    assert_eq!((letter.seq, letter.last_error), (2, SendFailure::Refused));
    assert_eq!(dead.try_recv().unwrap().message, "dd");
    drop(outbox.push("f".into()));
    let again: Vec<(u64, String)> = vec![(2, "c".into()), (3, "e".into()), (4, "f".into())];
    assert_eq!(flushed(&outbox).await, again);
    assert!(outbox.ack(5).is_err(), "nothing numbered 5 was sent");
    assert_eq!(outbox.stats().len(), 3);
}

#[tokio::test]
async fn nothing_refused_changes_no_number() {
    let (outbox, mut dead) = outbox();
    ["a", "b"].into_iter().for_each(|text| drop(outbox.push(text.into())));
    assert_eq!(flushed(&outbox).await.len(), 2);
    assert_eq!(outbox.requeue_refusing(|_| false).await, 2);
    assert!(dead.try_recv().is_err());
    assert_eq!(flushed(&outbox).await, vec![(1, "a".into()), (2, "b".into())]);
}
