//! Conservation, as a property: for any sequence of push (single or batched), flush with
//! random failures, ack, requeue and time passing, every pushed message is at every step
//! (mid-flush included) in exactly one place: pending, in flight, awaiting ack, confirmed or
//! dead-lettered.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{frame, Fault, TestSink};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ws_batch::{
    Backoff, Confirmation, DeadLetter, DeadLetterHandler, EntryState, Outbox, OutboxConfig,
    OutboxError,
};

#[derive(Debug, Clone)]
enum Op {
    Push(usize),
    PushMany(Vec<usize>),
    Flush(Fault),
    Ack(u64),
    Requeue,
    Advance(u64),
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        3 => Just(Fault::None),
        1 => (1usize..6).prop_map(Fault::Item),
        1 => Just(Fault::Flush),
        1 => Just(Fault::Hang),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1usize..24).prop_map(Op::Push),
        2 => prop::collection::vec(1usize..24, 0..8).prop_map(Op::PushMany),
        4 => fault().prop_map(Op::Flush),
        2 => (0u64..8).prop_map(Op::Ack),
        1 => Just(Op::Requeue),
        2 => (0u64..1500).prop_map(Op::Advance),
    ]
}

/// Where every pushed message went, as the test saw it through the public API.
#[derive(Debug, Default)]
struct Ledger {
    pushed: BTreeSet<u64>,
    confirmed: usize,
    dead: BTreeSet<u64>,
}

type Shared = Arc<Mutex<Ledger>>;

fn config(confirmation: Confirmation) -> OutboxConfig {
    let backoff = Backoff::new(Duration::from_millis(50), 2.0, Duration::from_millis(400));
    OutboxConfig::default()
        .with_confirmation(confirmation)
        .with_capacity_messages(24)
        .with_capacity_bytes(240)
        .with_batch_size(4)
        .with_max_attempts(3)
        .with_backoff(backoff)
        .with_jitter_seed(11)
        .with_flush_timeout(Duration::from_millis(100))
        .with_ack_timeout(Some(Duration::from_secs(1)))
}

/// Every pushed message in exactly one place.
fn check(outbox: &Outbox<String>, ledger: &Ledger) {
    let snapshot = outbox.snapshot();
    let rank = |state| {
        [EntryState::Sent, EntryState::Sending, EntryState::Pending]
            .iter()
            .position(|s| *s == state)
            .unwrap()
    };
    let ranks: Vec<usize> = snapshot.iter().map(|entry| rank(entry.state)).collect();
    assert!(ranks.windows(2).all(|pair| pair[0] <= pair[1]), "kept in state order: {snapshot:?}");
    let live: Vec<u64> = snapshot.iter().map(|entry| entry.seq).collect();
    assert!(live.windows(2).all(|pair| pair[0] < pair[1]), "live entries unique and in order");
    let live_set: BTreeSet<u64> = live.iter().copied().collect();
    assert!(live_set.is_subset(&ledger.pushed), "nothing live that was not pushed");
    assert!(live_set.is_disjoint(&ledger.dead), "nothing both live and dead");
    assert!(ledger.dead.is_subset(&ledger.pushed));
    let accounted = live.len() + ledger.confirmed + ledger.dead.len();
    assert_eq!(ledger.pushed.len(), accounted, "none lost, none counted twice");
    assert_eq!(outbox.stats().len(), live.len());
}

/// Dead letters land in the ledger as they are handed over, so a check never misses one.
fn record_dead(ledger: &Shared) -> DeadLetterHandler<String> {
    let ledger = Arc::clone(ledger);
    DeadLetterHandler::callback(move |letter: DeadLetter<String>| {
        assert!(ledger.lock().unwrap().dead.insert(letter.seq), "dead-lettered twice");
    })
}

async fn apply(
    op: Op,
    outbox: &Outbox<String>,
    sink: &mut TestSink<(u64, String)>,
    ledger: &Shared,
) {
    match op {
        Op::Push(len) => match outbox.push("x".repeat(len)) {
            Ok(seq) => assert!(ledger.lock().unwrap().pushed.insert(seq), "sequence reused"),
            Err(error) => assert!(error.into_message().is_some(), "a full push hands back"),
        },
        Op::PushMany(lens) => push_many(outbox, &lens, ledger),
        Op::Flush(fault) => {
            sink.set_fault(fault);
            if let Ok(report) = outbox.flush_with(sink, frame).await {
                ledger.lock().unwrap().confirmed += report.confirmed;
            }
        }
        Op::Ack(back) => ack(outbox, back, ledger),
        Op::Requeue => drop(outbox.requeue_unacked().await),
        Op::Advance(millis) => tokio::time::advance(Duration::from_millis(millis)).await,
    }
}

/// A batched push: each message queued with a fresh number, handed back, or left untaken.
fn push_many(outbox: &Outbox<String>, lens: &[usize], ledger: &Shared) {
    let mut messages = lens.iter().map(|len| "x".repeat(*len));
    let pushed = outbox.push_many(messages.by_ref());
    let untaken = messages.count();
    let mut ledger = ledger.lock().unwrap();
    pushed.seqs.clone().for_each(|seq| assert!(ledger.pushed.insert(seq), "sequence reused"));
    let refused = pushed.refused.map(|error| error.into_message().expect("handed back"));
    let handled = pushed.seqs.count() + usize::from(refused.is_some()) + untaken;
    assert_eq!(handled, lens.len(), "each message queued, handed back or left with the caller");
}

fn ack(outbox: &Outbox<String>, back: u64, ledger: &Shared) {
    let highest = outbox.snapshot().last().map_or(0, |entry| entry.seq);
    let target = (highest + 2).saturating_sub(back);
    let covered = outbox.snapshot().iter().filter(|entry| entry.seq <= target).count();
    match outbox.ack(target) {
        Ok(confirmed) => {
            assert_eq!(confirmed, covered, "a cumulative ack confirms all up to it");
            ledger.lock().unwrap().confirmed += confirmed;
        }
        Err(OutboxError::AckOfUnsent { seq, highest_sent }) => {
            assert!(seq > highest_sent.unwrap_or(0));
        }
        Err(other) => panic!("unexpected {other}"),
    }
}

/// With a healthy transport and acks, everything ends confirmed or dead: nothing hangs.
async fn finish(outbox: &Outbox<String>, sink: &mut TestSink<(u64, String)>, ledger: &Shared) {
    sink.set_fault(Fault::None);
    for _ in 0..200 {
        apply(Op::Flush(Fault::None), outbox, sink, ledger).await;
        let sent = outbox.snapshot().iter().filter(|e| e.state == EntryState::Sent).count();
        if sent > 0 {
            apply(Op::Ack(2), outbox, sink, ledger).await;
        }
        tokio::time::advance(Duration::from_millis(500)).await;
    }
}

async fn run(confirmation: Confirmation, ops: Vec<Op>) {
    let ledger: Shared = Arc::default();
    let outbox = Outbox::new(config(confirmation), record_dead(&ledger));
    let mut sink = TestSink::new();
    let (watched, watcher) = (outbox.clone(), Arc::clone(&ledger));
    sink.on_feed(move || {
        assert!(watched.stats().sending > 0, "mid-flush: the batch is in flight");
        check(&watched, &watcher.lock().unwrap());
    });
    for op in ops {
        apply(op, &outbox, &mut sink, &ledger).await;
        check(&outbox, &ledger.lock().unwrap());
    }
    finish(&outbox, &mut sink, &ledger).await;
    check(&outbox, &ledger.lock().unwrap());
    assert!(outbox.stats().is_empty(), "every push ended confirmed or dead-lettered");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_message_is_in_exactly_one_place(ack_mode in any::<bool>(), ops in prop::collection::vec(op(), 1..80)) {
        let confirmation = if ack_mode { Confirmation::Ack } else { Confirmation::Flush };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(run(confirmation, ops));
    }
}
