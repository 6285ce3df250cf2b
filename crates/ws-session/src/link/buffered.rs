//! [`BufferedSink`]: what the server's `SessionSink` and the client's `ClientSink` share: a
//! buffer of accepted messages, moved into an outbox in runs, and a wait for room.

use std::task::{ready, Context, Poll};

/// How many accepted messages a server's `SessionSink` or a client's `ClientSink` holds
/// before moving them into the outbox together.
pub const SINK_BUFFER: usize = 64;

/// A sink that keeps accepted messages and moves them into an outbox in runs of up to
/// [`SINK_BUFFER`]; a message a full outbox refused waits for room ahead of the rest.
pub trait BufferedSink {
    /// Why a message was refused (ws-reliability's `Error`).
    type Error;

    /// How many accepted messages are still in the sink's buffer.
    fn buffered(&self) -> usize;

    /// Polls the message waiting for room, if any: ready once it is queued or refused.
    fn poll_waiting(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>>;

    /// Moves the buffer into the outbox under one lock, up to the first message a full
    /// outbox refuses, which then waits for room.
    fn push_buffered(&mut self) -> Result<(), Self::Error>;

    /// Ready while the buffer has room; else moves it into the outbox first.
    fn poll_room_for_one(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.buffered() < SINK_BUFFER {
            return Poll::Ready(Ok(()));
        }
        self.poll_drain(cx)
    }

    /// Moves every accepted message into the outbox, waiting for room when it is full:
    /// ready once none is left in the sink.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        loop {
            ready!(self.poll_waiting(cx))?;
            if self.buffered() == 0 {
                return Poll::Ready(Ok(()));
            }
            self.push_buffered()?;
        }
    }
}
