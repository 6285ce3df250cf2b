//! Unit tests of the client's sink: its refusals, what a flush moves, what a drop counts,
//! and a wait for room that follows the outbox a SESSION_LOST puts in place.

use super::*;
use crate::client::{ClientConfig, ClientEvent};
use crate::protocol::{SessionLostReason, DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_UNACKED};
use crate::session_link::checked_payload;
use futures::SinkExt;

/// A client that never connects (no connector drives its state): its outbox only fills.
struct Offline {
    state: Arc<ClientState>,
    _incoming: crate::link::DeliverRx,
}

impl Offline {
    fn sink(&self) -> ClientSink {
        ClientSink::new(Arc::clone(&self.state))
    }

    fn send(&self, message: Message) -> Result<u64, Error> {
        self.state.push(checked_payload(message, self.state.limits().max_payload)?)
    }

    fn unacked(&self) -> usize {
        self.state.outbox().stats().len()
    }

    fn events(&self) -> crate::events::Events<ClientEvent> {
        crate::events::Events::new(self.state.events.subscribe())
    }
}

fn offline_client() -> Offline {
    let config = ClientConfig::default();
    let (deliver, incoming) = crate::link::delivery_channel(config.queues.incoming);
    Offline { state: Arc::new(ClientState::new(&config, deliver)), _incoming: incoming }
}

fn text(n: usize) -> Message {
    Message::text(n.to_string())
}

#[tokio::test]
async fn control_and_oversized_messages_are_handed_back() {
    let client = offline_client();
    let mut sink = client.sink();
    let ping = Message::Ping(vec![1].into());
    let refused = sink.start_send_unpin(ping.clone()).unwrap_err();
    assert!(matches!(refused, Error::NotData { message } if message == ping));
    let huge = Message::binary(vec![0; DEFAULT_MAX_PAYLOAD as usize + 1]);
    assert!(matches!(sink.start_send_unpin(huge), Err(Error::TooLarge { .. })));
    drop(sink);
    drop(client);
}

#[tokio::test]
async fn a_send_past_a_full_buffer_is_not_ready_and_hands_the_message_back() {
    let client = offline_client();
    let mut sink = client.sink();
    for n in 0..SINK_BUFFER {
        sink.start_send_unpin(text(n)).unwrap();
    }
    let refused = sink.start_send_unpin(text(SINK_BUFFER)).unwrap_err();
    assert!(matches!(refused, Error::NotReady { message, .. } if message == text(SINK_BUFFER)));
    assert_eq!(client.unacked(), 0, "nothing reaches the outbox before a flush");
    sink.flush().await.unwrap();
    assert_eq!(client.unacked(), SINK_BUFFER);
    drop(sink);
    drop(client);
}

#[test]
fn a_sink_dropped_with_unflushed_messages_is_counted() {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let client = offline_client();
            let mut sink = client.sink();
            sink.feed(text(1)).await.unwrap();
            sink.feed(text(2)).await.unwrap();
            drop(sink);
            drop(client);
        })
    });
    let counts =
        crate::testing::counters_by(&snapshotter, "ws_reliability_send_refused_total", "reason");
    assert_eq!(counts.get("sink_dropped"), Some(&2), "{counts:?}");
}

#[tokio::test(start_paused = true)]
async fn a_wait_for_room_moves_to_the_outbox_a_session_lost_puts_in_place() {
    let client = offline_client();
    for n in 0..DEFAULT_MAX_UNACKED as usize {
        client.send(text(n)).unwrap();
    }
    let waiting = {
        let mut sink = client.sink();
        sink.feed(text(0)).await.unwrap();
        let flushed = futures::FutureExt::now_or_never(sink.flush());
        assert!(flushed.is_none(), "a full outbox makes the flush wait");
        sink.waiting.take().unwrap()
    };
    client.state.lost(SessionLostReason::Expired);
    assert_eq!(client.unacked(), 0, "the fresh outbox is empty");
    assert_eq!(waiting.0.await.unwrap(), 1, "the waiting message is the fresh outbox's first");
    assert_eq!(client.unacked(), 1);
    drop(client);
}

/// The race of a send with a SESSION_LOST: the client takes its outbox, the SESSION_LOST
/// replaces it, then the send pushes. The replaced outbox is closed, so the push goes into
/// the fresh one: `Ok` means the message will be sent. (Without the close, the push landed
/// in the discarded outbox, returned `Ok`, and the SessionLost event counted 0 unconfirmed:
/// a silent loss.)
#[tokio::test]
async fn a_send_racing_a_session_lost_lands_in_the_fresh_outbox() {
    let client = std::sync::Arc::new(offline_client());
    let mut events = client.events();
    let racing = std::sync::Arc::clone(&client);
    crate::client::race::set_between_take_and_push(move || {
        racing.state.lost(SessionLostReason::Expired);
    });
    let seq = client.send(text(1)).unwrap();
    assert_eq!(seq, 1, "the fresh outbox's first message");
    assert_eq!(client.unacked(), 1, "the message waits in the fresh outbox, to be sent");
    let Ok(ClientEvent::SessionLost { unconfirmed, .. }) = events.try_recv() else {
        panic!("no SessionLost event")
    };
    assert_eq!(unconfirmed, 0, "it was not in the replaced outbox");
    drop(client);
}
