//! [`FaultyStream`]: an `AsyncRead + AsyncWrite` wrapper that injects the faults its
//! [`FaultPlan`] draws, one decision per read or write operation.

use super::kind::FaultKind;
use super::plan::FaultPlan;
use super::stats::FaultStats;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// Where one direction of the stream stands in its current operation.
#[derive(Debug, Default)]
enum Gate {
    /// No operation in progress: the next poll draws a decision.
    #[default]
    Idle,
    /// A delay or stall is running; the operation proceeds when it ends.
    Waiting(Pin<Box<Sleep>>),
    /// The decision was "proceed" and the inner operation is in progress.
    Open,
}

impl Gate {
    fn poll_open(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Gate::Waiting(sleep) = self {
            ready!(sleep.as_mut().poll(cx));
            *self = Gate::Open;
        }
        Poll::Ready(())
    }
}

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
    stats: FaultStats,
    enabled: Arc<AtomicBool>,
    read_gate: Gate,
    write_gate: Gate,
    /// The tasks waiting on the inner stream, per side, woken when the stream is killed
    /// (dropping a socket does not wake its waiters).
    parked: [Option<Waker>; 2],
}

/// The error of every operation on a killed stream.
fn connection_reset() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionReset, "connection killed by fault injection")
}

impl<S> FaultyStream<S> {
    pub(super) fn new(inner: S, plan: FaultPlan, stats: FaultStats, on: Arc<AtomicBool>) -> Self {
        let (read_gate, write_gate) = (Gate::Idle, Gate::Idle);
        let parked = [None, None];
        Self { inner: Some(inner), plan, stats, enabled: on, read_gate, write_gate, parked }
    }

    /// Kills the connection now, as an injected [`FaultKind::Kill`] (counted).
    pub fn kill(&mut self) {
        if self.inner.is_some() {
            self.stats.record(FaultKind::Kill);
            self.drop_inner();
        }
    }

    /// Whether the connection was killed.
    pub fn is_killed(&self) -> bool {
        self.inner.is_none()
    }

    /// The wrapped stream, unless it was killed.
    pub fn get_ref(&self) -> Option<&S> {
        self.inner.as_ref()
    }

    /// Drops the inner stream (the peer sees the connection close) and returns the error.
    fn drop_inner(&mut self) -> io::Error {
        self.inner = None;
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

    fn draw(&mut self, side: Side) -> Option<FaultKind> {
        match (self.enabled.load(Ordering::Relaxed), side) {
            (false, _) => None,
            (true, Side::Read) => self.plan.next_read(),
            (true, Side::Write) => self.plan.next_write(),
        }
    }

    /// Waits until the current operation on `side` may touch the inner stream.
    fn poll_gate(&mut self, cx: &mut Context<'_>, side: Side) -> Poll<io::Result<()>> {
        self.inner()?;
        if matches!(self.gate(side), Gate::Idle) {
            let fault = self.draw(side);
            *self.gate(side) = self.apply(fault)?;
        }
        self.gate(side).poll_open(cx).map(Ok)
    }

    /// Injects `fault` (counting it) and returns the gate the operation continues with.
    fn apply(&mut self, fault: Option<FaultKind>) -> io::Result<Gate> {
        let Some(kind) = fault else { return Ok(Gate::Open) };
        self.stats.record(kind);
        match kind {
            FaultKind::WriteError => Err(io::Error::other("write failed by fault injection")),
            FaultKind::Kill => Err(self.drop_inner()),
            FaultKind::Delay => Ok(waiting(self.plan.config().delay)),
            FaultKind::Stall => Ok(waiting(self.plan.config().stall)),
        }
    }
}

/// A gate held closed for `duration` of tokio time.
fn waiting(duration: Duration) -> Gate {
    Gate::Waiting(Box::pin(tokio::time::sleep(duration)))
}

impl<S: AsyncRead + Unpin> AsyncRead for FaultyStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_gate(cx, Side::Read))?;
        let read = Pin::new(this.inner()?).poll_read(cx, buf);
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
        ready!(this.poll_gate(cx, Side::Write))?;
        let written = Pin::new(this.inner()?).poll_write(cx, buf);
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
