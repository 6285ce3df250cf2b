//! [`FaultyStream`]: an `AsyncRead + AsyncWrite` wrapper that injects the faults its
//! [`FaultPlan`] draws, one decision per read or write operation, and one per close this
//! side starts.

use super::close::{CloseWatch, Verdict};
use super::error::Injected;
use super::gate::{waiting, Gate};
use super::injector::Shared;
use super::kind::FaultKind;
use super::plan::FaultPlan;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The two directions of a stream.
#[derive(Debug, Clone, Copy)]
enum Side {
    Read = 0,
    Write = 1,
}

/// A byte stream with injected faults; see [`FaultKind`] for what each one does.
///
/// Built by [`FaultInjector::wrap`](super::FaultInjector::wrap). Put it under
/// tokio-tungstenite (`client_async`, `accept_async`) to fault a WebSocket connection.
#[derive(Debug)]
pub struct FaultyStream<S> {
    inner: Option<S>,
    plan: FaultPlan,
    shared: Shared,
    read_gate: Gate,
    write_gate: Gate,
    /// The tasks waiting on the inner stream, per side, woken when the stream is killed
    /// (dropping a socket does not wake its waiters).
    parked: [Option<Waker>; 2],
    /// Where the close handshake stands.
    closes: CloseWatch,
}

/// The error of every operation on a killed stream.
fn connection_reset() -> io::Error {
    Injected(FaultKind::Kill).error(io::ErrorKind::ConnectionReset)
}

/// The error of every write after a failed close.
fn close_failed() -> io::Error {
    Injected(FaultKind::FailedClose).error(io::ErrorKind::BrokenPipe)
}

impl<S> FaultyStream<S> {
    pub(super) fn new(inner: S, plan: FaultPlan, shared: Shared) -> Self {
        let inner = Some(inner);
        let read_gate = Gate::Idle;
        let write_gate = Gate::Idle;
        let parked = [None, None];
        let closes = CloseWatch::default();
        Self { inner, plan, shared, read_gate, write_gate, parked, closes }
    }

    /// Kills the connection now, as an injected [`FaultKind::Kill`] (counted).
    pub fn kill(&mut self) {
        if self.inner.is_some() {
            self.shared.stats.record(FaultKind::Kill);
            self.drop_inner();
        }
    }

    /// Whether the connection was killed.
    pub fn is_killed(&self) -> bool {
        self.inner.is_none()
    }

    /// Whether a close this side started failed by injection
    /// ([`FaultKind::FailedClose`]): nothing goes out or comes in any more.
    pub fn close_failed(&self) -> bool {
        self.closes.has_failed()
    }

    /// The wrapped stream, unless it was killed.
    pub fn get_ref(&self) -> Option<&S> {
        self.inner.as_ref()
    }

    /// Drops the inner stream (the peer sees the connection close) and returns the error.
    fn drop_inner(&mut self) -> io::Error {
        self.inner = None;
        self.shared.pair.end();
        self.parked.iter_mut().filter_map(Option::take).for_each(Waker::wake);
        connection_reset()
    }

    /// Ends an operation on the inner stream: a finished one resets the gate, a pending one
    /// parks the task so a kill from the other side can wake it.
    fn settle<T>(&mut self, side: Side, cx: &mut Context<'_>, poll: Poll<T>) -> Poll<T> {
        match &poll {
            Poll::Ready(_) => *self.gate(side) = Gate::Idle,
            Poll::Pending => self.park(side, cx),
        }
        poll
    }

    fn park(&mut self, side: Side, cx: &mut Context<'_>) {
        let slot = &mut self.parked[side as usize];
        if !slot.as_ref().is_some_and(|parked| parked.will_wake(cx.waker())) {
            *slot = Some(cx.waker().clone());
        }
    }

    fn inner(&mut self) -> io::Result<&mut S> {
        self.inner.as_mut().ok_or_else(connection_reset)
    }

    fn gate(&mut self, side: Side) -> &mut Gate {
        match side {
            Side::Read => &mut self.read_gate,
            Side::Write => &mut self.write_gate,
        }
    }

    /// Whether faults may be drawn: injection on, and neither end over.
    fn drawing(&self) -> bool {
        self.shared.switch.is_on() && !self.shared.pair.is_over()
    }

    /// Tells the other end once this one is over (closing, or its close failed).
    fn sync_pair(&self) {
        if !self.closes.is_open() {
            self.shared.pair.end();
        }
    }

    /// Draws the fault of one operation; a fault the switch's budget has no room for is
    /// not injected.
    fn draw(&mut self, side: Side) -> Option<FaultKind> {
        if !self.drawing() {
            return None;
        }
        let fault = match side {
            Side::Read => self.plan.next_read(),
            Side::Write => self.plan.next_write(),
        }?;
        self.shared.switch.spend().then_some(fault)
    }

    /// How many bytes of `buf` may go out: all, those before a close that failed, or none
    /// (an error) once the close failed. Our first close frame draws its fate here.
    fn allowed(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner()?;
        if self.closes.verdict(buf) == Verdict::Decide {
            self.decide_close();
        }
        match self.closes.verdict(buf) {
            Verdict::Write(len) => Ok(len),
            Verdict::Refuse | Verdict::Decide => Err(close_failed()),
        }
    }

    /// Draws whether our close fails (counted when it does).
    fn decide_close(&mut self) {
        let failed = self.drawing() && self.plan.next_close() && self.shared.switch.spend();
        self.closes.decide(failed);
        self.sync_pair();
        if failed {
            self.shared.stats.record(FaultKind::FailedClose);
        }
    }

    /// Follows what came in (the bytes of `buf` after `before`): a close frame, an EOF or
    /// an error starts the close.
    fn received(&mut self, read: &Poll<io::Result<()>>, buf: &ReadBuf<'_>, before: usize) {
        let filled = &buf.filled()[before..];
        let eof = filled.is_empty() && buf.remaining() > 0;
        match read {
            Poll::Ready(Ok(())) if !eof => self.closes.received(filled),
            Poll::Ready(_) => self.closes.closing(),
            Poll::Pending => {}
        }
        self.sync_pair();
    }

    /// Waits until a read may touch the inner stream; after a failed close, forever (nothing
    /// comes in any more; a kill still wakes it).
    fn poll_read_gate(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.closes.has_failed() {
            return self.poll_gate(cx, Side::Read);
        }
        self.inner()?;
        self.park(Side::Read, cx);
        Poll::Pending
    }

    /// Follows what went out.
    fn wrote(&mut self, buf: &[u8], written: &Poll<io::Result<usize>>) {
        if let Poll::Ready(Ok(count)) = written {
            self.closes.sent(&buf[..*count]);
            self.sync_pair();
        }
    }

    /// Waits until the current operation on `side` may touch the inner stream; once the
    /// close began, nothing more is drawn.
    fn poll_gate(&mut self, cx: &mut Context<'_>, side: Side) -> Poll<io::Result<()>> {
        self.inner()?;
        if self.closes.is_open() && matches!(self.gate(side), Gate::Idle) {
            let fault = self.draw(side);
            *self.gate(side) = self.apply(fault)?;
        }
        self.gate(side).poll_open(cx).map(Ok)
    }

    /// Injects `fault` (counting it) and returns the gate the operation continues with.
    fn apply(&mut self, fault: Option<FaultKind>) -> io::Result<Gate> {
        let Some(kind) = fault else { return Ok(Gate::Open) };
        self.shared.stats.record(kind);
        match kind {
            FaultKind::WriteError => Err(Injected(kind).error(io::ErrorKind::Other)),
            FaultKind::Kill => Err(self.drop_inner()),
            FaultKind::Delay | FaultKind::Stall | FaultKind::FailedClose => Ok(self.pause(kind)),
        }
    }

    /// The gate of a delay or a stall (a failed close is drawn per close, never here).
    fn pause(&self, kind: FaultKind) -> Gate {
        match kind {
            FaultKind::Delay => waiting(self.plan.config().delay),
            FaultKind::Stall => waiting(self.plan.config().stall),
            _ => Gate::Open,
        }
    }
}

impl<S> Drop for FaultyStream<S> {
    /// A dropped end is over: the other end draws no more faults; a task parked on this
    /// end (a silenced read) is woken to find it gone.
    fn drop(&mut self) {
        self.shared.pair.end();
        self.parked.iter_mut().filter_map(Option::take).for_each(Waker::wake);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for FaultyStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_read_gate(cx))?;
        let before = buf.filled().len();
        let read = Pin::new(this.inner()?).poll_read(cx, buf);
        this.received(&read, buf, before);
        this.settle(Side::Read, cx, read)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FaultyStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let allowed = &buf[..this.allowed(buf)?];
        ready!(this.poll_gate(cx, Side::Write))?;
        let written = Pin::new(this.inner()?).poll_write(cx, allowed);
        this.wrote(allowed, &written);
        this.settle(Side::Write, cx, written)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(this.inner()?).poll_flush(cx);
        if flushed.is_pending() {
            this.park(Side::Write, cx);
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.get_mut().inner()?).poll_shutdown(cx)
    }
}
