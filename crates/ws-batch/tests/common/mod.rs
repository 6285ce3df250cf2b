//! A scriptable in-memory sink shared by the integration tests: it can fail on the Nth item
//! of a batch, fail its flush, or hang, and it records what was fed and what was delivered.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::Sink;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

/// What the sink does to the next batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Accepts and delivers everything.
    #[default]
    None,
    /// Refuses the Nth item (from 1) fed since the last flush; the batch is lost.
    Item(usize),
    /// Fails the flush; the batch is lost.
    Flush,
    /// Never finishes the flush.
    Hang,
}

type Hook = Arc<dyn Fn() + Send + Sync>;

struct Inner<I> {
    fault: Fault,
    buffered: Vec<I>,
    delivered: Vec<I>,
    flushes: usize,
    on_feed: Option<Hook>,
}

/// A cloneable handle on one in-memory transport.
pub struct TestSink<I> {
    inner: Arc<Mutex<Inner<I>>>,
}

impl<I> Clone for TestSink<I> {
    fn clone(&self) -> Self {
        TestSink { inner: Arc::clone(&self.inner) }
    }
}

impl<I: Clone> TestSink<I> {
    pub fn new() -> Self {
        let inner = Inner {
            fault: Fault::None,
            buffered: vec![],
            delivered: vec![],
            flushes: 0,
            on_feed: None,
        };
        TestSink { inner: Arc::new(Mutex::new(inner)) }
    }

    /// Sets the fault of the next batches; what a hung batch left buffered is lost, as on a
    /// replaced connection.
    pub fn set_fault(&self, fault: Fault) {
        let mut inner = self.lock();
        inner.fault = fault;
        inner.buffered.clear();
    }

    /// Runs `hook` every time an item is fed (to look at the outbox mid-flush).
    pub fn on_feed(&self, hook: impl Fn() + Send + Sync + 'static) {
        self.lock().on_feed = Some(Arc::new(hook));
    }

    /// Items that made it through a successful flush, in order.
    pub fn delivered(&self) -> Vec<I> {
        self.lock().delivered.clone()
    }

    /// Successful flushes so far.
    pub fn flushes(&self) -> usize {
        self.lock().flushes
    }

    fn lock(&self) -> MutexGuard<'_, Inner<I>> {
        self.inner.lock().unwrap()
    }
}

impl<I: Clone> Default for TestSink<I> {
    fn default() -> Self {
        TestSink::new()
    }
}

impl<I: Clone> Sink<I> for TestSink<I> {
    type Error = String;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: I) -> Result<(), String> {
        let hook = self.lock().on_feed.clone();
        if let Some(hook) = hook {
            hook();
        }
        let mut inner = self.lock();
        inner.buffered.push(item);
        if inner.fault == Fault::Item(inner.buffered.len()) {
            let at = inner.buffered.len();
            inner.buffered.clear();
            return Err(format!("connection reset at item {at}"));
        }
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        let mut inner = self.lock();
        match inner.fault {
            Fault::Hang => Poll::Pending,
            Fault::Flush => {
                inner.buffered.clear();
                Poll::Ready(Err("broken pipe".to_string()))
            }
            _ => {
                let batch = std::mem::take(&mut inner.buffered);
                inner.delivered.extend(batch);
                inner.flushes += 1;
                Poll::Ready(Ok(()))
            }
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), String>> {
        self.poll_flush(cx)
    }
}

/// The encoder the tests use: the frame is the sequence number and the text.
#[allow(clippy::ptr_arg)] // the encoder receives `&M`, here `&String`
pub fn frame(seq: u64, text: &String) -> (u64, String) {
    (seq, text.clone())
}

/// The texts `prefix0..prefixN`.
pub fn texts(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|index| format!("{prefix}{index}")).collect()
}
