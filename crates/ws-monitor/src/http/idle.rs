//! A socket that fails with `TimedOut` once no byte has moved either way for a while: the
//! idle timeout of one connection, which hyper's header timeout does not cover (a client
//! that sent its request and then stopped reading the answer).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};
use ws_core::capped_delay;

/// The error a connection ends with when it stayed idle past its timeout.
#[derive(Debug, thiserror::Error)]
#[error("no byte read or written for {0:?}")]
pub(crate) struct IdleTimeout(pub(crate) Duration);

/// `inner`, with a deadline pushed back by every read or write that completes.
#[derive(Debug)]
pub(crate) struct IdleIo<T> {
    inner: T,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<T> IdleIo<T> {
    pub(crate) fn new(inner: T, timeout: Duration) -> Self {
        let timeout = capped_delay(timeout);
        Self { inner, timeout, deadline: Box::pin(tokio::time::sleep(timeout)) }
    }

    /// Something moved: the deadline starts over.
    fn moved(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.timeout);
    }

    /// Nothing moved: `Pending` (woken by the deadline too), or the timeout once it passed.
    fn waiting<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        if self.deadline.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let timeout = IdleTimeout(self.timeout);
        Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, timeout)))
    }

    /// What an inner poll returned, with the deadline kept up to date.
    fn track<R>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if polled.is_pending() {
            return self.waiting(cx);
        }
        self.moved();
        polled
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for IdleIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        this.track(cx, polled)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for IdleIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.track(cx, polled)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.track(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(start_paused = true)]
    async fn a_silent_peer_times_out_and_every_byte_pushes_the_deadline_back() {
        let (mut peer, ours) = tokio::io::duplex(64);
        let mut idle = IdleIo::new(ours, Duration::from_secs(10));
        let start = Instant::now();
        let reader = tokio::spawn(async move {
            let mut byte = [0_u8; 1];
            idle.read_exact(&mut byte).await.unwrap();
            idle.read_exact(&mut byte).await
        });
        tokio::time::sleep(Duration::from_secs(9)).await;
        peer.write_all(b"x").await.unwrap();
        let error = reader.await.unwrap().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(start.elapsed(), Duration::from_secs(19), "9 s, then 10 s idle");
        assert!(error.get_ref().unwrap().is::<IdleTimeout>());
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_nobody_reads_times_out() {
        let (_peer, ours) = tokio::io::duplex(4);
        let mut idle = IdleIo::new(ours, Duration::from_secs(10));
        let error = idle.write_all(&[0; 64]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
