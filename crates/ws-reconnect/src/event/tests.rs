//! Unit tests of the event bus: order, lag reporting, the end of the stream, labels.

use super::*;

#[tokio::test]
async fn a_slow_subscriber_is_told_what_it_missed_and_the_stream_ends_with_the_bus() {
    let bus = EventBus::new(1);
    let mut events = bus.subscribe();
    assert_eq!(format!("{events:?}"), "EventStream");
    for attempt in 1..=3 {
        bus.emit(Event::Connecting { attempt });
    }
    assert_eq!(events.next().await, Some(Event::Lagged { missed: 2 }));
    assert_eq!(events.next().await, Some(Event::Connecting { attempt: 3 }));
    drop(bus);
    assert_eq!(events.next().await, None);
}

#[test]
fn labels_are_fixed_words() {
    assert_eq!(DisconnectReason::StreamEnded.as_str(), "stream_ended");
    assert_eq!(DisconnectReason::Error("reset".into()).as_str(), "error");
    assert_eq!(DisconnectReason::Error("reset".into()).close_code(), None);
    let closed = DisconnectReason::Closed { code: 1001, reason: "bye".into() };
    assert_eq!((closed.as_str(), closed.close_code()), ("closed", Some(1001)));
    assert_eq!(GiveUpReason::MaxElapsed.as_str(), "max_elapsed");
    assert_eq!(GiveUpReason::DoNotReconnect { code: 1008 }.as_str(), "do_not_reconnect");
    assert_eq!(CallbackFailure::TimedOut.as_str(), "timeout");
}
