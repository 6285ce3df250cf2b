//! The lazy flusher on a paused clock: an idle link runs its reader and writer only, and
//! its outbox's first message starts the flusher, which sends it.

use super::super::{
    session_outbox_config, spawn_writer, Framing, Link, OutboxBase, SessionParts, Side, Stop,
};
use crate::protocol::{InOrder, Limits, Mode, Payload, SessionId};
use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use tokio::runtime::Handle;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// A wsr.v1 link whose outbox nothing was pushed to yet.
fn idle_link() -> Link {
    let limits = Limits::default();
    let base = OutboxBase::new(session_outbox_config());
    let outbox = base.outbox_with(ws_batch::Confirmation::Ack, &limits, false);
    let inbound = Arc::new(Mutex::new(InOrder::resuming_after(0)));
    let (deliver, _incoming) = super::super::delivery_channel(16);
    let session = SessionId::from_bytes([7; 16]);
    let parts = SessionParts::new(session, outbox, inbound, deliver);
    let framing = Framing { mode: Mode::V1, batch: true };
    Link { framing, parts, limits: limits.into(), stop: Stop::default() }
}

/// Lets every task run until it waits again.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

fn alive() -> usize {
    Handle::current().metrics().num_alive_tasks()
}

/// Spawns the link's reader over a connection that never sends, its writer into a channel.
fn run(link: Link) -> UnboundedReceiver<Message> {
    let (sink, written) = unbounded::<Message>();
    let (out, _writer) = spawn_writer(sink, None, link.stop.writer_breaks(Side::Server));
    let mut silent = futures::stream::pending::<Result<Message, WsError>>();
    drop(tokio::spawn(async move { link.read(&mut silent, &out).await }));
    written
}

#[tokio::test(start_paused = true)]
async fn an_idle_link_has_no_flusher_until_its_outbox_has_a_message() {
    let link = idle_link();
    let outbox = link.parts.outbox.clone();
    let mut written = run(link);
    settle().await;
    assert_eq!(alive(), 2, "an idle link runs its reader and its writer, no flusher");
    let payload = Payload::Binary(vec![1, 2, 3].into());
    assert!(outbox.push(payload.into()).is_ok());
    settle().await;
    assert_eq!(alive(), 3, "the first message started the flusher");
    let sent = written.next().await;
    assert!(matches!(sent, Some(Message::Binary(_))), "the message went out: {sent:?}");
}

/// Runs the link's reader over a silent connection, its writer into `sink`; its end.
async fn end_with(link: Link, sink: futures::channel::mpsc::UnboundedSender<Message>) -> String {
    let (out, _writer) = spawn_writer(sink, None, link.stop.writer_breaks(Side::Server));
    let mut silent = futures::stream::pending::<Result<Message, WsError>>();
    let reading = tokio::spawn(async move { link.read(&mut silent, &out).await });
    format!("{:?}", reading.await.unwrap())
}

#[tokio::test(start_paused = true)]
async fn a_failed_write_ends_the_link_as_write_failed_not_cancelled() {
    let link = idle_link();
    let (sink, written) = unbounded::<Message>();
    drop(written); // every write fails
    let outbox = link.parts.outbox.clone();
    let ending = tokio::spawn(end_with(link, sink));
    assert!(outbox.push(Payload::Binary(vec![1].into()).into()).is_ok());
    assert_eq!(ending.await.unwrap(), "WriteFailed", "the one token, told apart by the channel");
}

#[tokio::test(start_paused = true)]
async fn a_stop_from_outside_ends_the_link_as_cancelled() {
    let link = idle_link();
    let cancel = link.stop.cancel.clone();
    let (sink, _written) = unbounded::<Message>();
    let ending = tokio::spawn(end_with(link, sink));
    settle().await;
    cancel.cancel();
    assert_eq!(ending.await.unwrap(), "Cancelled");
}
