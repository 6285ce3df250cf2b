//! Unit tests of the batched delivery channel.

use super::*;
use futures::future::poll_fn;

fn session(byte: u8) -> SessionId {
    SessionId::from_bytes([byte; 16])
}

fn numbered(messages: Vec<Message>) -> Numbered {
    Numbered { first: 1, messages, ..Numbered::default() }
}

async fn next(rx: &mut DeliverRx) -> Option<Delivered> {
    poll_fn(|cx| rx.poll_recv(cx)).await
}

#[tokio::test]
async fn batches_come_out_one_message_at_a_time_in_order() {
    let (tx, mut rx) = channel(16);
    assert!(tx.send(session(1), numbered(vec![Message::text("a"), Message::text("b")])).await);
    assert!(tx.send(session(2), numbered(vec![Message::text("c")])).await);
    drop(tx);
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("a"))));
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("b"))));
    assert_eq!(next(&mut rx).await, Some((session(2), Message::text("c"))));
    assert_eq!(next(&mut rx).await, None);
}

#[tokio::test]
async fn an_empty_batch_is_skipped() {
    let (tx, mut rx) = channel(4);
    assert!(tx.send(session(1), numbered(Vec::new())).await);
    assert!(tx.send(session(1), numbered(vec![Message::text("a")])).await);
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("a"))));
}

#[test]
fn the_batch_limit_keeps_the_buffer_bound() {
    assert_eq!(channel(1).0.batch_limit(), 1);
    assert_eq!(channel(100).0.batch_limit(), 100);
    assert_eq!(channel(1024).0.batch_limit(), MAX_BATCH);
}

#[tokio::test]
async fn a_full_buffer_holds_the_sender_until_the_application_reads() {
    let (tx, mut rx) = channel(2);
    assert!(tx.send(session(1), numbered(vec![Message::text("a"), Message::text("b")])).await);
    let blocked = tx.send(session(1), numbered(vec![Message::text("c")]));
    tokio::pin!(blocked);
    assert!(futures::poll!(&mut blocked).is_pending(), "two messages fill a buffer of two");
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("a"))));
    assert!(blocked.await, "taking the batch gave its room back");
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("b"))));
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("c"))));
}

#[tokio::test]
async fn a_send_without_a_reader_reports_it() {
    let (tx, rx) = channel(4);
    drop(rx);
    assert!(!tx.send(session(1), numbered(vec![Message::text("a")])).await);
}

#[tokio::test]
async fn a_sender_waiting_for_room_gives_up_when_the_reader_goes() {
    let (tx, rx) = channel(1);
    assert!(tx.send(session(1), numbered(vec![Message::text("a")])).await);
    let blocked = tx.send(session(1), numbered(vec![Message::text("b")]));
    tokio::pin!(blocked);
    assert!(futures::poll!(&mut blocked).is_pending());
    drop(rx);
    assert!(!blocked.await);
}

#[tokio::test]
async fn a_batch_larger_than_the_batch_limit_takes_room_for_every_message() {
    let (tx, mut rx) = channel(300);
    let big: Vec<Message> = (0..MAX_BATCH + 40).map(|n| Message::text(n.to_string())).collect();
    assert!(tx.send(session(1), numbered(big)).await);
    let blocked = tx.send(session(1), numbered(vec![Message::text("a"); 5]));
    tokio::pin!(blocked);
    assert!(futures::poll!(&mut blocked).is_pending(), "296 held, 4 left: no room for 5");
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("0"))));
    assert!(blocked.await, "taking the big batch gave its room back");
}

#[tokio::test]
async fn a_batch_larger_than_the_buffer_takes_all_of_it_and_still_goes_through() {
    let (tx, mut rx) = channel(4);
    assert!(tx.send(session(1), numbered(vec![Message::text("x"); 10])).await);
    let blocked = tx.send(session(1), numbered(vec![Message::text("y")]));
    tokio::pin!(blocked);
    assert!(futures::poll!(&mut blocked).is_pending());
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("x"))));
    assert!(blocked.await);
}

#[tokio::test]
async fn each_message_carries_its_sequence_number() {
    let (tx, mut rx) = channel(8);
    let messages = vec![Message::text("g"), Message::text("h")];
    let later = Numbered { first: 7, messages, ..Numbered::default() };
    assert!(tx.send(session(1), numbered(vec![Message::text("a")])).await);
    assert!(tx.send(session(1), later).await);
    assert_eq!(next_numbered(&mut rx).await, Some((1, Message::text("a"))));
    assert_eq!(next_numbered(&mut rx).await, Some((7, Message::text("g"))));
    assert_eq!(next_numbered(&mut rx).await, Some((8, Message::text("h"))));
}

async fn next_numbered(rx: &mut DeliverRx) -> Option<(u64, Message)> {
    poll_fn(|cx| rx.poll_numbered(cx)).await
}

#[tokio::test]
async fn the_last_sequence_number_of_all_is_delivered_without_overflow() {
    let (tx, mut rx) = channel(4);
    let last =
        Numbered { first: u64::MAX, messages: vec![Message::text("z")], ..Default::default() };
    assert!(tx.send(session(1), last).await);
    assert_eq!(next_numbered(&mut rx).await, Some((u64::MAX, Message::text("z"))));
}

/// `poll_message` (what a client's stream uses) and `poll_numbered` (a server session's)
/// take from the same batches and keep one numbering, in either order.
#[tokio::test]
async fn messages_alone_and_numbered_share_one_numbering() {
    let (tx, mut rx) = channel(16);
    let three = vec![Message::text("a"), Message::text("b"), Message::text("c")];
    assert!(
        tx.send(session(1), Numbered { first: 7, messages: three, ..Numbered::default() }).await
    );
    drop(tx);
    assert_eq!(poll_fn(|cx| rx.poll_message(cx)).await, Some(Message::text("a")));
    assert_eq!(poll_fn(|cx| rx.poll_numbered(cx)).await, Some((8, Message::text("b"))));
    assert_eq!(poll_fn(|cx| rx.poll_message(cx)).await, Some(Message::text("c")));
    assert_eq!(poll_fn(|cx| rx.poll_message(cx)).await, None);
    assert_eq!(poll_fn(|cx| rx.poll_numbered(cx)).await, None);
}

#[tokio::test]
async fn try_send_hands_the_messages_back_while_there_is_no_room() {
    let (tx, mut rx) = channel(2);
    let first = numbered(vec![Message::text("a"), Message::text("b")]);
    assert!(matches!(tx.try_send(session(1), first), Ok(true)), "room for two: at once");
    let refused = tx.try_send(session(1), numbered(vec![Message::text("c")]));
    let Err(handed_back) = refused else { panic!("a full buffer took more: {refused:?}") };
    assert_eq!(handed_back.messages, vec![Message::text("c")]);
    assert_eq!(next(&mut rx).await, Some((session(1), Message::text("a"))));
    assert!(matches!(tx.try_send(session(1), handed_back), Ok(true)), "the room came back");
    drop(rx);
    assert!(matches!(tx.try_send(session(1), numbered(vec![Message::text("d")])), Ok(false)));
}
