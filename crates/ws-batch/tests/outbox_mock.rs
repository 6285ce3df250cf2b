//! A mocked transport (mockall) shows the batch protocol exactly: `feed` each frame in
//! sequence order, then one `flush`; after a failed flush the same frames come again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::Sink;
use mockall::{predicate::eq, Sequence};
use std::pin::Pin;
use std::task::{Context, Poll};
use ws_batch::{Outbox, OutboxConfig};

/// The two operations of a framed transport.
#[mockall::automock]
trait Wire {
    fn write(&mut self, frame: String) -> Result<(), String>;
    fn flush(&mut self) -> Result<(), String>;
}

/// Adapts a [`Wire`] into a `futures::Sink`.
struct WireSink<W>(W);

impl<W: Wire + Unpin> Sink<String> for WireSink<W> {
    type Error = String;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(mut self: Pin<&mut Self>, frame: String) -> Result<(), String> {
        self.0.write(frame)
    }

    fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(self.0.flush())
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }
}

fn expect_batch(wire: &mut MockWire, order: &mut Sequence, flushed: Result<(), String>) {
    for frame in ["1:a", "2:b", "3:c"] {
        wire.expect_write()
            .with(eq(frame.to_string()))
            .times(1)
            .in_sequence(order)
            .returning(|_| Ok(()));
    }
    wire.expect_flush().times(1).in_sequence(order).return_const(flushed);
}

#[tokio::test(start_paused = true)]
async fn one_batch_is_three_writes_and_one_flush_and_a_retry_repeats_it() {
    let (outbox, _dead) = Outbox::with_dead_letter_channel(OutboxConfig::default());
    ["a", "b", "c"].into_iter().for_each(|text| {
        outbox.push(text.to_string()).unwrap();
    });
    let mut wire = MockWire::new();
    let mut order = Sequence::new();
    expect_batch(&mut wire, &mut order, Err("connection reset".to_string()));
    expect_batch(&mut wire, &mut order, Ok(()));
    let mut sink = WireSink(wire);
    let encode = |seq: u64, text: &String| format!("{seq}:{text}");
    let error = outbox.flush_with(&mut sink, encode).await.unwrap_err();
    assert_eq!(error.to_string(), "flush failed: transport error: connection reset");
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    let report = outbox.flush_with(&mut sink, encode).await.unwrap();
    assert_eq!((report.sent, report.confirmed), (3, 3));
}
