//! The client's `reconnect` switch over real sockets: with the fix off for its session, a
//! lost connection ends the client loudly (a give-up event naming the switch) instead of a
//! resume; switched back on, a new client resumes after a kill again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use ws_reliability::client::RECONNECT_SWITCHED_OFF;
use ws_reliability::reconnect::{Event, GiveUpReason};
use ws_reliability::rollout::{Fix, Setting};
use ws_reliability::server::{ServerConfig, SessionEvent};
use ws_reliability::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_reconnect_off_a_lost_connection_gives_up_loudly_and_back_on_it_resumes() {
    let (server, listener) = server(ServerConfig::default()).await;
    let mut server_events = server.events();
    let config = client_config();
    let rollout = config.rollout.clone();
    rollout.set(Fix::Reconnect, Setting::Off).unwrap();
    let injector = kill_switch(21);
    let client = faulty_client_with(listener.local_addr(), &injector, config.clone());
    let mut reconnects = client.reconnect_events();
    let first = connected(&client).await;
    kill_next(&injector);
    // The kill strikes the client's next I/O: the server's next message brings it at once
    // (otherwise it waits for the server's 20 s heartbeat).
    server.send(first, Message::text("dies on arrival")).unwrap();
    let gave_up = guarded("give-up", async {
        loop {
            if let Some(Event::GaveUp { reason, .. }) =
                futures::StreamExt::next(&mut reconnects).await
            {
                return reason;
            }
        }
    });
    assert_eq!(gave_up.await, GiveUpReason::DoNotReconnect { code: RECONNECT_SWITCHED_OFF });

    rollout.set(Fix::Reconnect, Setting::On).unwrap();
    let client = faulty_client_with(listener.local_addr(), &injector, config);
    let session = connected(&client).await;
    let mut incoming = client.incoming().unwrap();
    kill_next(&injector);
    server.send(session, Message::text("dies on arrival")).unwrap();
    guarded("resumed", async {
        loop {
            if let Ok(SessionEvent::Resumed { session: resumed }) = server_events.recv().await {
                if resumed == session {
                    return;
                }
            }
        }
    })
    .await;
    server.send(session, Message::text("after the resume")).unwrap();
    let expected = ["dies on arrival", "after the resume"].map(String::from);
    assert_eq!(take(&mut incoming, 2).await, expected, "the killed message resent on resume");
}
