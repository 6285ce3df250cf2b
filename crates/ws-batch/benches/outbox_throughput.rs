//! Push + flush + ack of 64-byte messages through an in-memory sink: the outbox against a
//! naive `VecDeque` drain-and-send baseline (plain, and behind a mutex as a server shares it),
//! measured side by side in the same run. A second group runs the same workload with
//! `&'static str` messages, whose clone is a copy, to isolate the queue bookkeeping from the
//! `Bytes` refcount atomics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::SinkExt;
use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Mutex;
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use ws_batch::{Confirmation, Outbox, OutboxConfig};

/// Messages per iteration.
const MESSAGES: usize = 4096;
/// Messages per transport flush, for both contenders.
const BATCH: usize = 64;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap()
}

fn payload() -> Bytes {
    Bytes::from(vec![0x5a; 64])
}

/// The outbox in ack mode: every message pushed, flushed in batches, then acked.
async fn outbox_round(outbox: &Outbox<Message>, payload: &Bytes) {
    let mut sink = futures::sink::drain();
    for _ in 0..MESSAGES {
        outbox.push(Message::Binary(payload.clone())).unwrap();
    }
    let mut last = 0;
    while outbox.stats().pending > 0 {
        last = outbox.flush(&mut sink).await.unwrap().last_seq.unwrap_or(last);
    }
    outbox.ack(last).unwrap();
}

/// The same round with the batched push: one lock per `BATCH` messages pushed.
async fn outbox_many_round(outbox: &Outbox<Message>, payload: &Bytes) {
    let mut sink = futures::sink::drain();
    for _ in 0..MESSAGES / BATCH {
        let batch = (0..BATCH).map(|_| Message::Binary(payload.clone()));
        outbox.push_many(batch).into_result().unwrap();
    }
    let mut last = 0;
    while outbox.stats().pending > 0 {
        last = outbox.flush(&mut sink).await.unwrap().last_seq.unwrap_or(last);
    }
    outbox.ack(last).unwrap();
}

/// The naive queue: pop before sending, so a failure would lose the batch.
async fn naive_round(queue: &mut VecDeque<Message>, payload: &Bytes) {
    let mut sink = futures::sink::drain();
    for _ in 0..MESSAGES {
        queue.push_back(Message::Binary(payload.clone()));
    }
    while !queue.is_empty() {
        let take = queue.len().min(BATCH);
        for message in queue.drain(..take) {
            sink.feed(message).await.unwrap();
        }
        sink.flush().await.unwrap();
    }
}

/// The naive queue as a server shares it between producer and sender: behind a mutex,
/// locked once per push and once per batch.
async fn naive_locked_round(queue: &Mutex<VecDeque<Message>>, payload: &Bytes) {
    let mut sink = futures::sink::drain();
    for _ in 0..MESSAGES {
        queue.lock().unwrap().push_back(Message::Binary(payload.clone()));
    }
    loop {
        let batch: Vec<Message> = {
            let mut queue = queue.lock().unwrap();
            let take = queue.len().min(BATCH);
            queue.drain(..take).collect()
        };
        if batch.is_empty() {
            break;
        }
        for message in batch {
            sink.feed(message).await.unwrap();
        }
        sink.flush().await.unwrap();
    }
}

/// A 64-byte message whose clone and drop are free: no refcount.
const STATIC_64B: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// `outbox_many_round` with `&'static str` messages.
async fn outbox_static_round(outbox: &Outbox<&'static str>) {
    let mut sink = futures::sink::drain();
    for _ in 0..MESSAGES / BATCH {
        outbox.push_many((0..BATCH).map(|_| STATIC_64B)).into_result().unwrap();
    }
    let mut last = 0;
    while outbox.stats().pending > 0 {
        last = outbox.flush(&mut sink).await.unwrap().last_seq.unwrap_or(last);
    }
    outbox.ack(last).unwrap();
}

/// `naive_round` with `&'static str` messages.
async fn naive_static_round(queue: &mut VecDeque<&'static str>) {
    let mut sink = futures::sink::drain();
    for _ in 0..MESSAGES {
        queue.push_back(STATIC_64B);
    }
    while !queue.is_empty() {
        let take = queue.len().min(BATCH);
        for message in queue.drain(..take) {
            sink.feed(message).await.unwrap();
        }
        sink.flush().await.unwrap();
    }
}

fn config() -> OutboxConfig {
    OutboxConfig::default()
        .with_confirmation(Confirmation::Ack)
        .with_batch_size(BATCH)
        .with_capacity_messages(MESSAGES)
}

fn push_flush_ack(criterion: &mut Criterion) {
    let runtime = runtime();
    let payload = payload();
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    let mut queue = VecDeque::with_capacity(MESSAGES);
    let mut group = criterion.benchmark_group("push_flush_ack_64B");
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("outbox", |bencher| {
        bencher.iter(|| runtime.block_on(outbox_round(black_box(&outbox), &payload)))
    });
    group.bench_function("outbox_push_many", |bencher| {
        bencher.iter(|| runtime.block_on(outbox_many_round(black_box(&outbox), &payload)))
    });
    group.bench_function("naive_vecdeque", |bencher| {
        bencher.iter(|| runtime.block_on(naive_round(black_box(&mut queue), &payload)))
    });
    let locked = Mutex::new(VecDeque::with_capacity(MESSAGES));
    group.bench_function("naive_mutex_vecdeque", |bencher| {
        bencher.iter(|| runtime.block_on(naive_locked_round(black_box(&locked), &payload)))
    });
    group.finish();
}

/// The same workload without refcount atomics: what the queue bookkeeping alone costs.
fn bookkeeping_only(criterion: &mut Criterion) {
    let runtime = runtime();
    let (outbox, _dead) = Outbox::with_dead_letter_channel(config());
    let mut queue = VecDeque::with_capacity(MESSAGES);
    let mut group = criterion.benchmark_group("push_flush_ack_static_str");
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("outbox_push_many", |bencher| {
        bencher.iter(|| runtime.block_on(outbox_static_round(black_box(&outbox))))
    });
    group.bench_function("naive_vecdeque", |bencher| {
        bencher.iter(|| runtime.block_on(naive_static_round(black_box(&mut queue))))
    });
    group.finish();
}

criterion_group!(benches, push_flush_ack, bookkeeping_only);
criterion_main!(benches);
