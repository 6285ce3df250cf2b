//! A client that reads but never acks, over real sockets: the server resends nothing on
//! the same connection, closes it with 4001 once a message waited past the ack timeout
//! (a slow consumer), keeps the session resumable, and resends on the resume.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use futures::SinkExt;
use std::time::Duration;
use ws_reliability::protocol::*;
use ws_reliability::server::ServerConfig;
use ws_reliability::Message;

/// The server's ack timeout: how long a message may wait for the client's ack.
const ACK_TIMEOUT: Duration = Duration::from_millis(300);

fn impatient() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sessions.outbox = config.sessions.outbox.with_ack_timeout(Some(ACK_TIMEOUT));
    config
}

/// The next frame, or the close code (`None`: no close frame) once the server closed.
async fn next_frame_or_close(ws: &mut Raw) -> Result<Frame, Option<u16>> {
    use futures::StreamExt;
    while let Some(Ok(message)) = ws.next().await {
        if let Message::Close(frame) = &message {
            return Err(frame.as_ref().map(|frame| u16::from(frame.code)));
        }
        if let Some(frame) = from_message(&message, &Limits::default()).unwrap() {
            return Ok(frame);
        }
    }
    Err(None)
}

/// The DATA (or BATCH entries) and the close code a connection gets until it closes.
async fn data_until_closed(ws: &mut Raw) -> (Vec<u64>, Option<u16>) {
    let mut seqs = Vec::new();
    loop {
        match next_frame_or_close(ws).await {
            Ok(Frame::Data(data)) => seqs.push(data.seq),
            Ok(Frame::Batch(batch)) => seqs.extend(batch.into_data().map(|data| data.seq)),
            Ok(_other) => {}
            Err(code) => return (seqs, code),
        }
    }
}

// [M6.8] nothing is resent on the connection; [M6.9] a client that stops acking is closed
// with 4001 and its session stays resumable
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_acks_is_closed_with_4001_and_resumes_with_everything() {
    let (server, listener) = server(impatient()).await;
    let addr = listener.local_addr();
    let (frame, mut ws) = raw_hello(addr, Hello::default()).await;
    let Frame::Welcome(welcome) = frame else { panic!("expected welcome, got {frame:?}") };
    for text in ["one", "two"] {
        server.send(welcome.session, Message::text(text)).unwrap();
    }
    let (seqs, code) = guarded("the slow consumer's close", data_until_closed(&mut ws)).await;
    assert_eq!(seqs, [1, 2], "each message once on the connection: nothing resent");
    assert_eq!(code, Some(4001));
    drop(ws); // the connection goes: the resume need not wait out the server's close timeout
    let resume = Resume { session: welcome.session, token: welcome.token, last_received: 0 };
    let (frame, mut resumed) =
        raw_hello(addr, Hello { resume: Some(resume), ..Hello::default() }).await;
    assert!(matches!(frame, Frame::Welcome(Welcome { resumed: true, .. })), "{frame:?}");
    let mut again = Vec::new();
    while again.len() < 2 {
        match guarded("the resend", next_frame(&mut resumed)).await {
            Frame::Data(data) => again.push(data.seq),
            Frame::Batch(batch) => again.extend(batch.into_data().map(|data| data.seq)),
            _ => {}
        }
    }
    assert_eq!(again, [1, 2], "resent on the resume");
    resumed.send(to_message(&Frame::Ack(2))).await.unwrap();
}
