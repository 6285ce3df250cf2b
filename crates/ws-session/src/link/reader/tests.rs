//! The reader on a connection that always has a frame ready and an application that always
//! has room: the acks it queues go out while it reads, not only once the frames run out;
//! and which of the application and the ack's writer a burst wakes last.

use super::super::deliver::MAX_BATCH;
use super::super::{
    delivery_channel, session_outbox_config, spawn_writer, DeliverRx, Framing, Link, OutboxBase,
    SessionParts, Side, Stop,
};
use crate::protocol::SessionId;
use crate::protocol::{from_message, to_message, Data, Frame, InOrder, Limits, Mode, Payload};
use futures::channel::mpsc::{unbounded, SendError, UnboundedReceiver};
use futures::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Twice what a task's coop budget (128 units) takes in full bursts.
const FRAMES: usize = 2 * 128 * MAX_BATCH;

/// A wsr.v1 link whose application has room for every frame of the test.
fn link_with_room() -> (Link, DeliverRx) {
    let limits = Limits::default();
    let base = OutboxBase::new(session_outbox_config());
    let outbox = base.outbox_with(ws_batch::Confirmation::Ack, &limits, false);
    let inbound = Arc::new(Mutex::new(InOrder::resuming_after(0)));
    let (deliver, incoming) = delivery_channel(FRAMES);
    let parts = SessionParts::new(SessionId::from_bytes([7; 16]), outbox, inbound, deliver);
    let framing = Framing { mode: Mode::V1, batch: true };
    (Link { framing, parts, limits: limits.into(), stop: Stop::default() }, incoming)
}

fn data(seq: u64) -> Result<Message, WsError> {
    let payload = Payload::Binary(vec![1].into());
    Ok(to_message(&Frame::Data(Data { seq, payload })))
}

/// Spawns the link's reader over `FRAMES` DATA frames, all ready at once (then nothing),
/// its writer into a channel that gets each written frame with how many were read then.
fn run(link: Link, read: &Arc<AtomicUsize>) -> UnboundedReceiver<(usize, Message)> {
    let (sink, written) = unbounded::<(usize, Message)>();
    let counted = Arc::clone(read);
    let sink = sink.with(move |message| {
        futures::future::ready(Ok::<_, SendError>((counted.load(Ordering::SeqCst), message)))
    });
    let (out, _writer) = spawn_writer(sink, None, link.stop.writer_breaks(Side::Client));
    let counter = Arc::clone(read);
    let frames = (1..=FRAMES as u64).map(move |seq| {
        counter.fetch_add(1, Ordering::SeqCst);
        data(seq)
    });
    let mut stream = futures::stream::iter(frames).chain(futures::stream::pending());
    drop(tokio::spawn(async move { link.read(&mut stream, &out).await }));
    written
}

/// One thread: while the reader runs, its writer does not. Without the coop budget a read
/// costs, the reader took every frame before it first pended, and its first ack (due
/// after 64 frames) waited for the last frame.
#[tokio::test(start_paused = true)]
async fn a_long_burst_lets_its_acks_out_before_it_ends() {
    let (link, _incoming) = link_with_room();
    let read = Arc::new(AtomicUsize::new(0));
    let mut written = run(link, &read);
    let (read_then, first) = written.next().await.unwrap();
    let frame = from_message(&first, &Limits::default());
    assert!(matches!(frame, Ok(Some(Frame::Ack(_)))), "the first write is an ack: {frame:?}");
    assert!(read_then < FRAMES, "the first ack waited for all {FRAMES} frames to be read");
}

/// Notes its label in `woken` when woken.
struct Labelled {
    label: &'static str,
    woken: Arc<Mutex<Vec<&'static str>>>,
}

impl futures::task::ArcWake for Labelled {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.woken.lock().unwrap().push(arc_self.label);
    }
}

fn labelled(label: &'static str, woken: &Arc<Mutex<Vec<&'static str>>>) -> std::task::Waker {
    futures::task::waker(Arc::new(Labelled { label, woken: Arc::clone(woken) }))
}

/// The tasks woken when the reader takes `frames` DATA frames, all ready at once, its ack
/// schedule every 128 frames, its bursts up to 256 frames: the application's and the
/// ack writer's, in the order they were woken.
async fn woken_by_a_burst_of(frames: u64) -> Vec<&'static str> {
    let (mut link, mut incoming) = link_with_room();
    link.limits = Arc::new(Limits { max_unacked: 512, ..Limits::default() });
    let (out, mut acks) = super::super::Outgoing::detached();
    let woken = Arc::new(Mutex::new(Vec::new()));
    let application = labelled("application", &woken);
    let writer = labelled("writer", &woken);
    assert!(incoming.poll_recv(&mut Context::from_waker(&application)).is_pending());
    assert!(acks.poll_next_unpin(&mut Context::from_waker(&writer)).is_pending());
    let mut stream =
        futures::stream::iter((1..=frames).map(data)).chain(futures::stream::pending());
    let mut reading = std::pin::pin!(link.read(&mut stream, &out));
    assert!(futures::poll!(&mut reading).is_pending(), "the link goes on");
    let ack = acks.next().await.unwrap();
    let acked = from_message(&ack[0], &Limits::default());
    assert!(matches!(acked, Ok(Some(Frame::Ack(seq))) if seq % 128 == 0), "{acked:?}");
    let delivered = incoming.poll_recv(&mut Context::from_waker(&application));
    assert!(matches!(delivered, Poll::Ready(Some(_))), "the burst was delivered");
    let order = woken.lock().unwrap().clone();
    order
}

/// A reader that keeps up: its application is woken last, to run next (a tokio worker
/// runs the task woken last next, its LIFO slot): the burst's latency is its wait.
#[tokio::test(start_paused = true)]
async fn a_reader_that_keeps_up_wakes_its_application_last() {
    assert_eq!(woken_by_a_burst_of(200).await, ["writer", "application"]);
}

/// A burst that stopped at its limit (256 frames or more): the reader is behind and the
/// peer's window filling, so the ack's writer is woken last and runs next
/// (docs/learnings.md § 44).
#[tokio::test(start_paused = true)]
async fn a_reader_behind_wakes_the_acks_writer_last() {
    assert_eq!(woken_by_a_burst_of(300).await, ["application", "writer"]);
}
