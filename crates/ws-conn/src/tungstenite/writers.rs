//! [`Writers`]: every task waiting on the shared socket's write side, woken together.
//!
//! tokio-tungstenite keeps one waker for its `Sink` side: it is meant for one writing task
//! (its own `split` has a single `SplitSink`). Here two tasks write the same socket: the
//! application's [`WsSink`](super::WsSink) and the registry's control handle (pings, the
//! close frame). Had they shared that one slot, a ping sent while the application's write
//! waited on the transport would take the slot over, and the application's task would
//! never be woken again: its data stuck in the socket's buffer while pings and pongs kept
//! the connection looking alive. So each write poll registers its task here and hands the
//! socket a waker that wakes every registered task.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Wake, Waker};

/// The tasks waiting to write, each once.
#[derive(Debug, Default)]
pub(super) struct Writers {
    waiting: Mutex<Vec<Waker>>,
}

impl Writers {
    /// Runs `op` (one poll of the socket's write side) for the task of `cx`, with a context
    /// whose waker wakes every task that waits to write.
    pub(super) fn poll<T>(
        self: &Arc<Self>,
        cx: &Context<'_>,
        op: impl FnOnce(&mut Context<'_>) -> T,
    ) -> T {
        self.register(cx.waker());
        let waker = Waker::from(Arc::clone(self));
        op(&mut Context::from_waker(&waker))
    }

    /// Wakes (and forgets) every waiting task; those still waiting register again.
    pub(super) fn wake_all(&self) {
        let waiting = std::mem::take(&mut *lock(&self.waiting));
        waiting.into_iter().for_each(Waker::wake);
    }

    /// Adds the task of `waker` once. The first one gets room for itself alone: a writer's
    /// waker stays registered while its connection idles, and a `Vec` grows to four at
    /// its first push (64 bytes per idle connection instead of 16).
    fn register(&self, waker: &Waker) {
        let mut waiting = lock(&self.waiting);
        if !waiting.iter().any(|known| known.will_wake(waker)) {
            waiting.reserve_exact(1);
            waiting.push(waker.clone());
        }
    }
}

impl Wake for Writers {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_all();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::Writers;
    use futures::task::noop_waker;
    use std::sync::Arc;
    use std::task::Context;

    #[test]
    fn one_waiting_writer_keeps_room_for_one_waker() {
        let writers = Arc::new(Writers::default());
        let waker = noop_waker();
        writers.poll(&Context::from_waker(&waker), |_cx| ());
        writers.poll(&Context::from_waker(&waker), |_cx| ());
        assert_eq!(super::lock(&writers.waiting).capacity(), 1);
    }
}
