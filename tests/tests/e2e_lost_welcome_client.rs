//! The real client over real loopback sockets loses a resume's WELCOME: its first
//! connection is killed by the fault wrapper, and the connection of its resume fails right
//! after the server rotated the token and sent the WELCOME (the client never reads it). The
//! client resumes again with the token it still holds, gets the same session, receives what
//! the server sent meanwhile, and sees no SESSION_LOST.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use ws_reliability::client::{ClientEvent, ReliableClient};
use ws_reliability::server::{ServerConfig, SessionEvent};

/// Where a [`LoseWelcome`] stream is.
enum Phase {
    /// Everything passes.
    Pass,
    /// The upgrade response passes; `matched` bytes of its closing `\r\n\r\n` were read.
    Upgrade { matched: usize },
    /// The next bytes (the WELCOME) are never handed over: the connection fails.
    Cut,
}

/// A TCP stream that can lose the first frame after the WebSocket upgrade.
struct LoseWelcome {
    inner: TcpStream,
    phase: Phase,
    /// Counts the WELCOMEs that arrived and were lost.
    lost: Arc<AtomicUsize>,
}

impl LoseWelcome {
    fn scan(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if let Phase::Upgrade { matched } = self.phase {
                self.phase = match (byte == b"\r\n\r\n"[matched], byte == b'\r') {
                    (true, _) if matched == 3 => Phase::Cut,
                    (true, _) => Phase::Upgrade { matched: matched + 1 },
                    (false, true) => Phase::Upgrade { matched: 1 },
                    (false, false) => Phase::Upgrade { matched: 0 },
                };
            }
        }
    }

    /// Waits for the server's next bytes, then fails as a dropped connection would.
    fn poll_cut(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut scratch = [0; 64];
        ready!(Pin::new(&mut self.inner).poll_read(cx, &mut ReadBuf::new(&mut scratch)))?;
        self.lost.fetch_add(1, Ordering::SeqCst);
        self.phase = Phase::Pass;
        Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))
    }
}

impl AsyncRead for LoseWelcome {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if matches!(this.phase, Phase::Cut) {
            return this.poll_cut(cx);
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let read = buf.filled()[before..].to_vec();
        this.scan(&read);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for LoseWelcome {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[tokio::test]
async fn the_client_resumes_again_after_losing_a_resumes_welcome() {
    let (server, listener) = server(ServerConfig::default()).await;
    let addr = listener.local_addr();
    let mut server_events = server.events();
    let injector = kill_switch(7);
    let (dials, lost) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let dial = {
        let (injector, dials, lost) = (injector.clone(), Arc::clone(&dials), Arc::clone(&lost));
        move || {
            let (injector, lost) = (injector.clone(), Arc::clone(&lost));
            // The second connection is the first resume: its WELCOME is lost.
            let phase = match dials.fetch_add(1, Ordering::SeqCst) {
                1 => Phase::Upgrade { matched: 0 },
                _ => Phase::Pass,
            };
            async move {
                let inner = TcpStream::connect(addr).await?;
                Ok(injector.wrap(LoseWelcome { inner, phase, lost }))
            }
        }
    };
    let client = ReliableClient::with_dialer(&url(addr), client_config(), dial);
    let mut client_events = client.events();
    let mut incoming = client.incoming().unwrap();
    let session = connected(&client).await;
    server.send(session, Message::text("one")).unwrap();
    assert_eq!(take(&mut incoming, 1).await, ["one"]);

    kill_next(&injector);
    send_retrying(&server, session, Message::text("two")).await;
    assert_eq!(take(&mut incoming, 1).await, ["two"], "nothing lost");
    server.send(session, Message::text("three")).unwrap();
    assert_eq!(take(&mut incoming, 1).await, ["three"]);

    assert_eq!(lost.load(Ordering::SeqCst), 1, "one resume's WELCOME was lost");
    assert!(dials.load(Ordering::SeqCst) >= 3, "the client resumed again after it");
    assert_eq!(client.session(), Some(session));
    while let Ok(event) = client_events.try_recv() {
        assert!(!matches!(event, ClientEvent::SessionLost { .. }), "{event:?}");
        if let ClientEvent::Connected { session: id, .. } = event {
            assert_eq!(id, session, "always the same session");
        }
    }
    let mut resumes = 0;
    while let Ok(event) = server_events.try_recv() {
        assert!(!matches!(event, SessionEvent::Lost { .. }), "{event:?}");
        resumes += usize::from(matches!(event, SessionEvent::Resumed { .. }));
    }
    assert!(resumes >= 2, "the lost WELCOME's resume and the one after it");
    assert_eq!(server.sessions(), vec![session]);
}
