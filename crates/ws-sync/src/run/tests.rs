//! Unit tests of one run: panic payloads and the timeout wrapper.

use super::*;

#[test]
fn panic_messages_from_str_string_and_other_payloads() {
    assert_eq!(panic_message(&"static text"), "static text");
    assert_eq!(panic_message(&String::from("owned text")), "owned text");
    assert_eq!(panic_message(&7u32), "non-string panic payload");
}

#[tokio::test(start_paused = true)]
async fn bounded_times_out_only_past_the_limit() {
    let slow = async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok(())
    };
    let (after, now) = (Duration::from_secs(1), Instant::now());
    assert!(matches!(bounded(now, Some(after), slow).await, Err(CallbackError::TimedOut { .. })));
    assert!(bounded(now, Some(after), async { Ok(()) }).await.is_ok());
    assert!(bounded(now, None, async { Ok(()) }).await.is_ok());
    assert!(bounded(now, Some(Duration::MAX), async { Ok(()) }).await.is_ok(), "no overflow");
}
