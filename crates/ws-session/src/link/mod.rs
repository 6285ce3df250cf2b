//! The per-connection data pump shared by the server and the client: a writer task, the
//! outbox flusher, and a reader that deduplicates, delivers in order and acks in batches.
//! `ws-reliability`'s server and client run a [`Link`] per connection of a session
//! ([`Link::pump`], writing through [`spawn_writer`]'s [`Outgoing`]): their building
//! blocks, not needed to use the protocol itself.

mod buffered;
mod burst;
mod checked;
mod configs;
mod deliver;
mod delivery;
mod encode;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing;
mod lazy;
mod pack;
mod reader;
mod refusal;
mod stored;
mod token;
mod write_ahead;
mod writer;

pub use buffered::{BufferedSink, SINK_BUFFER};
pub use checked::{checked, checked_payload};
pub use configs::OutboxBase;
pub use deliver::{channel as delivery_channel, DeliverRx, DeliverTx, Delivered};
pub use reader::LinkEnd;
pub use refusal::Refusal;
pub use stored::Stored;
pub use token::{Cancelled, EveryLink, LinkToken, StopMark, Stops};
pub use write_ahead::WriteAhead;
pub use writer::{spawn_writer, Broken, Outgoing, Side};

use crate::error::Error;
use crate::protocol::{AckBatcher, AckConfig, Data, InOrder, Limits, Mode, SessionId};
use encode::Outbound;
use pack::Packer;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use ws_batch::{Flusher, Outbox, OutboxConfig, OutboxError};

/// Messages a session's outbox sends per batch by default: a quarter of the default
/// window (`max_unacked` 1024), four times ws-batch's own default of 64. Every batch costs a
/// flusher wake-up, a writer wake-up and a `send`; at 64 they held push throughput to about
/// 0.6x of raw tokio-tungstenite, with 256 (and the other changes of `docs/learnings.md`
/// § 10) it is about 0.9x.
pub const SESSION_BATCH: usize = 256;

/// The server's session outboxes: [`session_outbox_config`], and a client that leaves a
/// message unacked past the ack timeout (30 s) is reported, not resent to: its link closes
/// it as a slow consumer (4001) and its session stays resumable; within one connection
/// nothing is sent twice, so a peer that stops reading holds at most one window.
pub fn server_outbox_config() -> OutboxConfig {
    session_outbox_config().with_on_ack_timeout(ws_batch::OnAckTimeout::Report)
}

/// ws-batch's defaults with batches of [`SESSION_BATCH`] messages: the outbox setting of
/// `ServerConfig` and `ClientConfig`. A partial batch leaves at once: the flusher wakes on
/// a push into an idle outbox.
pub fn session_outbox_config() -> OutboxConfig {
    OutboxConfig::default().with_batch_size(SESSION_BATCH)
}

/// The receive side of a session that outlives its connections: what was delivered.
pub type Inbound = Arc<Mutex<InOrder>>;

/// Locks a std mutex, recovering from poisoning (the data stays consistent: every critical
/// section is a single assignment or a pure update).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The error of a push the outbox refused, with the message handed back.
pub fn outbox_full(session: SessionId, error: OutboxError<Stored>) -> Error {
    let capacity = refused_capacity(&error);
    let message =
        error.into_message().map_or(Message::Binary(Default::default()), Stored::into_message);
    Error::OutboxFull { session, capacity, message }
}

fn refused_capacity(error: &OutboxError<Stored>) -> usize {
    match error {
        OutboxError::FullMessages { capacity, .. } | OutboxError::FullBytes { capacity, .. } => {
            *capacity
        }
        _ => 0,
    }
}

/// How a link frames its messages for its peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// wsr.v1 frames or plain messages.
    pub mode: Mode,
    /// Whether the peer accepts BATCH frames (its HELLO or WELCOME said so).
    pub batch: bool,
}

/// Everything one connection of a session needs to move data both ways.
pub struct Link {
    /// How messages are framed for the peer.
    pub framing: Framing,
    /// What the session lends the connection.
    pub parts: SessionParts,
    /// The negotiated limits: shared (a server's links share one copy), 8 bytes where a
    /// copy took 32 in every idle link.
    pub limits: Arc<Limits>,
    /// What ends the link besides the connection itself.
    pub stop: Stop,
}

/// What a session lends each of its connections' links: its id, outbox, receive state,
/// delivery channel, and (kept in a store) where progress is noted.
pub struct SessionParts {
    /// The session the delivered messages belong to.
    pub session: SessionId,
    /// The session's outgoing messages.
    pub outbox: Outbox<Stored>,
    /// The session's receive state.
    pub inbound: Inbound,
    /// Where delivered messages go.
    pub deliver: DeliverTx,
    /// Where a session kept in a store notes acks and what the application took.
    pub write_ahead: Option<Arc<dyn WriteAhead>>,
}

impl SessionParts {
    /// The parts of a session whose progress is not written anywhere.
    pub fn new(
        session: SessionId,
        outbox: Outbox<Stored>,
        inbound: Inbound,
        deliver: DeliverTx,
    ) -> Self {
        SessionParts { session, outbox, inbound, deliver, write_ahead: None }
    }

    /// The same, noting progress in `write_ahead` (a session kept in a store).
    pub fn noting(self, write_ahead: Option<Arc<dyn WriteAhead>>) -> Self {
        SessionParts { write_ahead, ..self }
    }
}

/// What ends a link besides its connection.
#[derive(Debug, Clone)]
pub struct Stop {
    /// Stops the link from outside (a resume on another connection, a shutdown), or from
    /// its writer when a write fails: the connection is lost. One token for both (one
    /// allocation and one wait per idle link fewer, `docs/learnings.md` § 27); the writer
    /// closes its channel before it cancels, which is how the reader tells them apart.
    pub cancel: LinkToken,
    /// Ends the link when the peer sends nothing (not even a ping) for this long.
    pub idle_timeout: Option<Duration>,
    /// Ends the link with 4001 when the peer sends DATA past the last ack sent plus this
    /// many (the server enforces `max_unacked`, `docs/protocol.md` § 6; a client does not:
    /// [`NO_WINDOW`]). A plain `u64`, not an `Option`: every idle link holds it.
    pub window: u64,
    /// Sends an ACK (a no-op) when no ack went out for this long: the server's keepalive
    /// frame (`docs/protocol.md` § 7), which a browser sees where it cannot see pings.
    pub keepalive: Option<Duration>,
}

/// A [`Stop::window`] that never closes a link: DATA past `u64::MAX` cannot come.
pub const NO_WINDOW: u64 = u64::MAX;

impl Default for Stop {
    /// A lone token, no idle timeout, [`NO_WINDOW`], no keepalive.
    fn default() -> Self {
        let cancel = LinkToken::new();
        Stop { cancel, idle_timeout: None, window: NO_WINDOW, keepalive: None }
    }
}

impl Stop {
    /// What a failed write of this link's writer breaks, on `side`.
    pub fn writer_breaks(&self, side: Side) -> Broken {
        Broken { token: self.cancel.clone(), side }
    }
}

impl Link {
    /// Starts the flusher of the session's outbox into the connection's writer: runs of
    /// small messages packed into BATCH messages for a wsr.v1 peer that accepts them (each
    /// at most the peer's largest message), DATA frames for one that does not, plain
    /// messages for a legacy peer.
    pub fn spawn_flusher(&self, out: &Outgoing) -> Flusher<Outgoing> {
        let outbox = self.parts.outbox.clone();
        let out = out.clone();
        match (self.framing.mode, self.framing.batch) {
            (Mode::V1, true) => Flusher::spawn_encoder(outbox, out, Packer::new(self.pack_limit())),
            (Mode::V1, false) => Flusher::spawn_with(outbox, out, data_frame),
            (Mode::Legacy, _) => Flusher::spawn_with(outbox, out, plain),
        }
    }

    /// The largest BATCH message for this peer.
    fn pack_limit(&self) -> usize {
        pack::BATCH_BYTES.min(self.limits.max_message_size())
    }

    /// Runs the reader, and the flusher once there is work for it, until the connection
    /// ends; the flusher is stopped before this returns, so a resume never races it. The
    /// reader's own future, not one around it: every idle link holds it.
    pub fn pump<'a, St>(
        &'a self,
        stream: &'a mut St,
        out: &'a Outgoing,
    ) -> impl std::future::Future<Output = LinkEnd> + 'a
    where
        St: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        self.read(stream, out)
    }

    /// [`pump`](Self::pump), the reader's timer kept from step to step (boxed): a
    /// timer-wheel insertion and removal fewer per frame read, 112 bytes of heap for the
    /// link's life. For a link that is busy more than idle (a client's); a server's idle
    /// links count, and it pumps with [`pump`](Self::pump) (`docs/learnings.md` § 39).
    pub fn pump_kept<'a, St>(
        &'a self,
        stream: &'a mut St,
        out: &'a Outgoing,
    ) -> impl std::future::Future<Output = LinkEnd> + 'a
    where
        St: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        self.read_timed::<St, reader::Kept>(stream, out)
    }

    /// The ack schedule for this link's limits.
    pub(crate) fn ack_config(&self) -> AckConfig {
        AckConfig::for_limits(&self.limits)
    }

    /// What this link may acknowledge of `seq`: all of it, or for a session kept in a
    /// store, no more than the store has as taken by the application.
    pub(crate) fn ackable(&self, seq: u64) -> u64 {
        let write_ahead = self.parts.write_ahead.as_ref();
        write_ahead.map_or(seq, |write_ahead| seq.min(write_ahead.ackable()))
    }

    /// The reader's acks: the peer already knows everything up to `last` (delivered before
    /// this connection), and the keepalive repeats the last ack when the link is quiet.
    pub(crate) fn acks_after(&self, last: u64) -> AckBatcher {
        AckBatcher::resuming_after(self.ack_config(), last).with_keepalive(self.stop.keepalive)
    }
}

/// A wsr.v1 peer gets a DATA frame, encoded with the rest of its batch; a small payload
/// is copied (under the outbox's lock), a larger one shared.
fn data_frame(seq: u64, stored: &Stored) -> Outbound {
    match stored {
        Stored::Small(small) => Outbound::Inline(encode::Inline::new(seq, small)),
        Stored::Shared(payload) => Outbound::Data(Data { seq, payload: payload.clone() }),
    }
}

/// A legacy peer gets the payload as a plain message.
fn plain(_seq: u64, stored: &Stored) -> Outbound {
    Outbound::Ready(stored.clone().into_message())
}
