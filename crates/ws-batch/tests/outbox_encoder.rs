//! A batch encoder ([`Encoder`]) through `flush_into` and the flusher: the whole batch
//! becomes one item, the messages stay transactional (a failed flush retries them, acks
//! remove them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{texts, Fault, TestSink};
use std::time::Duration;
use ws_batch::{Confirmation, Encoder, Flusher, Outbox, OutboxConfig};

/// Packs a batch into one line: `first..=last: m0,m1,…`.
#[derive(Default)]
struct Packer {
    first: Option<u64>,
    last: u64,
    texts: Vec<String>,
}

impl Encoder<String> for Packer {
    type Item = String;

    fn encode(&mut self, seq: u64, message: &String) {
        self.first.get_or_insert(seq);
        self.last = seq;
        self.texts.push(message.clone());
    }

    fn finish(&mut self) -> Vec<String> {
        let first = self.first.take().unwrap();
        vec![format!("{first}..={}: {}", self.last, std::mem::take(&mut self.texts).join(","))]
    }
}

fn outbox() -> Outbox<String> {
    let config = OutboxConfig::default().with_confirmation(Confirmation::Ack).with_jitter_seed(5);
    Outbox::with_dead_letter_channel(config.with_batch_size(3)).0
}

#[tokio::test(start_paused = true)]
async fn a_batch_is_one_item_and_stays_until_acked() {
    let outbox = outbox();
    texts("m", 5).into_iter().for_each(|text| {
        outbox.push(text).unwrap();
    });
    let (mut sink, mut packer) = (TestSink::new(), Packer::default());
    let report = outbox.flush_into(&mut sink, &mut packer).await.unwrap();
    assert_eq!((report.sent, report.last_seq), (3, Some(3)));
    outbox.flush_into(&mut sink, &mut packer).await.unwrap();
    assert_eq!(sink.delivered(), ["1..=3: m0,m1,m2", "4..=5: m3,m4"]);
    assert_eq!(outbox.stats().awaiting_ack, 5);
    assert_eq!(outbox.ack(5).unwrap(), 5);
    assert!(outbox.flush_into(&mut sink, &mut packer).await.unwrap().last_seq.is_none());
}

#[tokio::test(start_paused = true)]
async fn a_failed_flush_retries_the_same_messages_in_one_item() {
    let outbox = outbox();
    texts("m", 2).into_iter().for_each(|text| {
        outbox.push(text).unwrap();
    });
    let (mut sink, mut packer) = (TestSink::new(), Packer::default());
    sink.set_fault(Fault::Flush);
    assert!(outbox.flush_into(&mut sink, &mut packer).await.is_err());
    assert_eq!(outbox.stats().pending, 2);
    sink.set_fault(Fault::None);
    tokio::time::advance(Duration::from_secs(60)).await;
    outbox.flush_into(&mut sink, &mut packer).await.unwrap();
    assert_eq!(sink.delivered(), ["1..=2: m0,m1"]);
}

#[tokio::test(start_paused = true)]
async fn the_flusher_runs_an_encoder() {
    let outbox = outbox();
    let sink = TestSink::new();
    let flusher = Flusher::spawn_encoder(outbox.clone(), sink.clone(), Packer::default());
    texts("m", 3).into_iter().for_each(|text| {
        outbox.push(text).unwrap();
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(sink.delivered(), ["1..=3: m0,m1,m2"]);
    drop(flusher.stop().await.unwrap());
}
