//! The reader's fuzzing harness: a [`Link`] reads a sequence of messages on a paused tokio
//! clock, and what it delivered, acked and closed with is compared with [`model::Model`],
//! an independent statement of `docs/protocol.md` § 5 and § 6.
//!
//! Input: one config byte, then messages as `len u8` and `len` bytes (cut at the end).
//! Config bits 0-1 pick the delivery buffer (the burst limit), 2-3 `max_unacked`, bit 4
//! whether the window is enforced (the server) or not (the client), 5-6 what was delivered
//! before this connection, 7 a tiny `max_payload` (8 bytes) instead of the default.

mod model;

use super::{Link, LinkEnd, OutboxBase, Outgoing, Stop};
use crate::fuzzing::{ensure, Broken, Checked};
use crate::protocol::{decode, CloseCode, Frame, InOrder, Limits, Mode, SessionId};
use futures::channel::mpsc::UnboundedReceiver;
use futures::StreamExt;
use model::Model;
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// Delivery buffers: bursts of 1, 3, 64 and 256 messages.
const BUFFERS: [usize; 4] = [1, 3, 64, 4096];
/// `max_unacked` values: K is then 1, 1, 3 and 64.
const WINDOWS: [u64; 4] = [1, 2, 7, 1024];
/// What was delivered before this connection (a resume), up to the very last number.
const STARTS: [u64; 4] = [0, 1, 1000, u64::MAX - 1];

/// A decoded input.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub(crate) buffer: usize,
    pub(crate) limits: Limits,
    pub(crate) window: Option<u64>,
    pub(crate) start: u64,
    pub(crate) messages: Vec<Message>,
}

/// What a run produced: messages delivered, acks sent, and how it ended (`None`: the
/// stream ran out; `Some(code)`: a violation closed with `code`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) delivered: Vec<Message>,
    pub(crate) acks: Vec<u64>,
    pub(crate) end: Option<CloseCode>,
}

/// The reader's check: the link and the model agree on every input.
pub fn reader(bytes: &[u8]) -> Checked {
    let input = Input::parse(bytes);
    let observed = input.observe()?;
    let expected = Model::new(&input).run(&input.messages);
    ensure(observed == expected, || format!("{input:?}\nlink:  {observed:?}\nmodel: {expected:?}"))
}

impl Input {
    fn parse(bytes: &[u8]) -> Self {
        let config = bytes.first().copied().unwrap_or(0);
        let pick = |shift: u8| usize::from(config >> shift & 3);
        let max_payload = if config & 0x80 != 0 { 8 } else { Limits::default().max_payload };
        let limits = Limits { max_payload, max_unacked: WINDOWS[pick(2)], ..Limits::default() };
        let window = (config & 0x10 != 0).then_some(limits.max_unacked);
        let messages = split(bytes.get(1..).unwrap_or_default());
        Input { buffer: BUFFERS[pick(0)], limits, window, start: STARTS[pick(5)], messages }
    }

    /// Runs a link over the messages on a paused clock (the time-based ack never comes due
    /// while the reader is busy, so the run is deterministic).
    fn observe(&self) -> Result<Outcome, Broken> {
        let mut builder = tokio::runtime::Builder::new_current_thread();
        let runtime = builder.enable_time().start_paused(true).build();
        let runtime = runtime.map_err(|error| Broken(format!("no runtime: {error}")))?;
        runtime.block_on(self.run())
    }

    async fn run(&self) -> Result<Outcome, Broken> {
        let (deliver, incoming) = super::delivery_channel(self.buffer);
        let (out, acks) = Outgoing::detached();
        let link = self.link(deliver);
        let mut stream = futures::stream::iter(self.messages.clone().into_iter().map(Ok));
        let reading = async move { link.read(&mut stream, &out).await };
        let (end, delivered) = futures::join!(reading, drain(incoming));
        Ok(Outcome { delivered, acks: sent_acks(acks)?, end: end_code(end)? })
    }

    fn link(&self, deliver: super::DeliverTx) -> Link {
        let base = OutboxBase::new(super::session_outbox_config());
        let outbox = base.outbox_with(ws_batch::Confirmation::Ack, &self.limits, false);
        let inbound = Arc::new(Mutex::new(InOrder::resuming_after(self.start)));
        let stop = Stop { window: self.window.unwrap_or(super::NO_WINDOW), ..Stop::default() };
        let session = SessionId::from_bytes([0; 16]);
        let framing = super::Framing { mode: Mode::V1, batch: true };
        let parts = super::SessionParts::new(session, outbox, inbound, deliver);
        Link { framing, parts, limits: Arc::new(self.limits), stop }
    }
}

/// Everything the link delivered, until it is dropped.
async fn drain(mut incoming: super::DeliverRx) -> Vec<Message> {
    let delivered = futures::stream::poll_fn(|cx| incoming.poll_recv(cx));
    delivered.map(|(_session, message)| message).collect().await
}

/// The messages of an input: each a length byte, then that many bytes (fewer at the end).
fn split(mut rest: &[u8]) -> Vec<Message> {
    let mut messages = Vec::new();
    while let Some((len, tail)) = rest.split_first() {
        let (body, after) = tail.split_at(usize::from(*len).min(tail.len()));
        messages.push(Message::Binary(Bytes::copy_from_slice(body)));
        rest = after;
    }
    messages
}

/// The acks queued on the link's outgoing channel, in order.
fn sent_acks(mut queued: UnboundedReceiver<Vec<Message>>) -> Result<Vec<u64>, Broken> {
    let mut acks = Vec::new();
    while let Ok(batch) = queued.try_recv() {
        batch.into_iter().try_for_each(|message| ack_in(message).map(|seq| acks.push(seq)))?;
    }
    Ok(acks)
}

/// The sequence number of an ACK message; anything else is not what a reader sends.
fn ack_in(message: Message) -> Result<u64, Broken> {
    match decode(message.clone().into_data()) {
        Ok(Frame::Ack(seq)) => Ok(seq),
        _ => Err(Broken(format!("the reader sent {message:?}, not an ACK"))),
    }
}

/// `None` when the stream ran out, the close code of a violation; nothing else can end a
/// link that nobody cancels and whose writer never fails.
fn end_code(end: LinkEnd) -> Result<Option<CloseCode>, Broken> {
    match end {
        LinkEnd::Lost => Ok(None),
        LinkEnd::Violation(code) => Ok(Some(code)),
        other => Err(Broken(format!("the link ended with {other:?}"))),
    }
}
