//! [`ReadAhead`]: a byte stream that reads in large chunks while the peer keeps sending,
//! and holds no buffer while it does not.
//!
//! Why: a server gives tungstenite a small read buffer
//! ([`DEFAULT_SERVER_READ_BUFFER_SIZE`](crate::protocol::DEFAULT_SERVER_READ_BUFFER_SIZE),
//! 256 bytes), because that buffer stays allocated for the connection's whole life, busy or
//! idle. tungstenite asks its stream for at most that much per read, so with the 1 KiB
//! buffer of then a client that uploads took one `recv` per KiB: 45 000 calls for
//! 1 000 000 messages of 64 bytes, where tokio-tungstenite's defaults (128 KiB) took 800,
//! and a fifth of the server's CPU went to the system calls. Under tungstenite, this stream keeps the idle cost (an empty
//! buffer: no allocation) and gives a busy connection large reads: once a read fills
//! the caller's buffer (the peer is sending faster than it is read), the next read takes
//! up to [`READ_AHEAD`] bytes at once and serves them from memory; when the socket has
//! nothing more, the buffer is freed. Writes pass through.

use bytes::{Buf, BytesMut};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::io::poll_read_buf;

/// The most a busy connection reads at once: 32 KiB, the client's read buffer (a BATCH
/// message is at most that size).
pub const READ_AHEAD: usize = 32 * 1024;

/// A byte stream read ahead while busy (see the [module](self)).
#[derive(Debug)]
pub struct ReadAhead<S> {
    inner: S,
    /// The bytes read ahead and not yet served. Its allocation is [`READ_AHEAD`] bytes
    /// while `busy` and none otherwise; the socket's bytes are read into it without the
    /// allocation being zeroed first (`poll_read_buf`).
    unread: BytesMut,
    /// Reads go through `unread`: a read filled its caller's buffer since the socket last
    /// had nothing to read.
    busy: bool,
}

impl<S> ReadAhead<S> {
    /// `inner`, not reading ahead until a read fills the caller's buffer.
    pub fn new(inner: S) -> Self {
        ReadAhead { inner, unread: BytesMut::new(), busy: false }
    }

    /// The bytes this stream holds for reading ahead: [`READ_AHEAD`] while the peer keeps
    /// sending, 0 while the connection is quiet.
    pub fn buffered_capacity(&self) -> usize {
        if self.busy {
            return READ_AHEAD;
        }
        0
    }

    /// Copies what was read ahead into `out`, as much as fits.
    fn serve(&mut self, out: &mut ReadBuf<'_>) {
        let taken = self.unread.len().min(out.remaining());
        out.put_slice(self.unread.get(..taken).unwrap_or_default());
        self.unread.advance(taken);
    }
}

impl<S: AsyncRead + Unpin> ReadAhead<S> {
    /// Reads straight into `out` (not busy); a read that fills it starts reading ahead.
    fn read_direct(&mut self, cx: &mut Context<'_>, out: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let wanted = out.remaining();
        ready!(Pin::new(&mut self.inner).poll_read(cx, out))?;
        if wanted > 0 && out.remaining() == 0 {
            self.unread.reserve(READ_AHEAD);
            self.busy = true;
        }
        Poll::Ready(Ok(()))
    }

    /// Ready once bytes read ahead wait to be served (none at the end of the stream).
    fn poll_unread(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.unread.is_empty() {
            return Poll::Ready(Ok(()));
        }
        self.fill(cx)
    }

    /// Reads up to [`READ_AHEAD`] bytes into `unread` (empty: its served space is taken
    /// back, no allocation); when the socket has nothing, the allocation is freed (the
    /// connection is quiet) and the read is pending.
    fn fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.unread.reserve(READ_AHEAD);
        let polled = poll_read_buf(Pin::new(&mut self.inner), cx, &mut self.unread);
        if polled.is_pending() {
            self.unread = BytesMut::new();
            self.busy = false;
        }
        polled.map_ok(drop)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ReadAhead<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.busy {
            return this.read_direct(cx, out); // quiet: nothing is read ahead
        }
        ready!(this.poll_unread(cx))?;
        this.serve(out);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ReadAhead<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, bytes)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        slices: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, slices)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests;
