//! `ReadAhead` over real sockets: large reads while busy, no buffer while quiet.

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A socket that counts the reads that returned bytes (each one a `recv`).
struct Counted {
    socket: TcpStream,
    reads: Arc<AtomicUsize>,
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.socket).poll_read(cx, out);
        if polled.is_ready() {
            this.reads.fetch_add(1, Ordering::Relaxed);
        }
        polled
    }
}

async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let near = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    (near, listener.accept().await.unwrap().0)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|index| (index % 251) as u8).collect()
}

/// Reads `len` bytes through `stream` 1 KiB at a time, as tungstenite with a 1 KiB read
/// buffer does.
async fn read_in_kib<S: AsyncRead + Unpin>(stream: &mut S, len: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut chunk = [0; 1024];
    while got.len() < len {
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "ended after {} of {len} bytes", got.len());
        got.extend_from_slice(&chunk[..read]);
    }
    got
}

#[tokio::test]
async fn a_busy_stream_is_read_in_large_chunks_whole_and_in_order() {
    let (mut sender, receiver) = pair().await;
    let reads = Arc::new(AtomicUsize::new(0));
    let sent = pattern(256 * 1024);
    let writer = tokio::spawn(async move { sender.write_all(&pattern(256 * 1024)).await });
    let mut ahead = ReadAhead::new(Counted { socket: receiver, reads: Arc::clone(&reads) });
    assert_eq!(read_in_kib(&mut ahead, sent.len()).await, sent);
    writer.await.unwrap().unwrap();
    let recvs = reads.load(Ordering::Relaxed);
    assert!(recvs < 64, "{recvs} reads for 256 KiB read 1 KiB at a time (256 without)");
}

#[tokio::test]
async fn a_quiet_stream_holds_no_buffer() {
    let (mut sender, receiver) = pair().await;
    let mut ahead = ReadAhead::new(receiver);
    assert_eq!(ahead.buffered_capacity(), 0, "nothing held before the first read");
    sender.write_all(&pattern(8 * 1024)).await.unwrap();
    let mut first = [0; 1024];
    ahead.read_exact(&mut first).await.unwrap();
    assert_eq!(ahead.buffered_capacity(), READ_AHEAD, "a full read starts reading ahead");
    assert_eq!(read_in_kib(&mut ahead, 7 * 1024).await, pattern(8 * 1024)[1024..]);
    let mut more = [0; 1024];
    let waker = futures::task::noop_waker();
    let polled = Pin::new(&mut ahead)
        .poll_read(&mut Context::from_waker(&waker), &mut ReadBuf::new(&mut more));
    assert!(polled.is_pending(), "the socket is empty");
    assert_eq!(ahead.buffered_capacity(), 0, "the buffer went back once the socket was empty");
}

#[tokio::test]
async fn the_end_of_the_stream_and_writes_pass_through() {
    let (near, mut far) = pair().await;
    let mut ahead = ReadAhead::new(near);
    ahead.write_all(b"to the peer").await.unwrap();
    ahead.flush().await.unwrap();
    let mut heard = [0; 11];
    far.read_exact(&mut heard).await.unwrap();
    assert_eq!(&heard, b"to the peer");
    far.write_all(&pattern(4096)).await.unwrap();
    far.shutdown().await.unwrap();
    let mut rest = Vec::new();
    ahead.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, pattern(4096), "everything before the end, then the end");
    ahead.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_long_busy_spell_reuses_one_allocation() {
    let mut ahead = ReadAhead::new(tokio::io::repeat(7));
    let mut chunk = [0; 1024];
    for _ in 0..1024 {
        ahead.read_exact(&mut chunk).await.unwrap();
        assert_eq!(chunk, [7; 1024]);
        let held = ahead.unread.capacity();
        assert!(held <= READ_AHEAD, "{held} bytes held: the served space was not taken back");
    }
    assert_eq!(ahead.buffered_capacity(), READ_AHEAD, "1 MiB read, still busy");
}
