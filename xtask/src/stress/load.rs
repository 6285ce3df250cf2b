//! `--load`: one thread spinning on arithmetic for the whole stress run, so that the suite
//! competes for the CPU as it does on a busy machine. The thread lives in the xtask process
//! (it cannot outlive it) and is stopped when [`Load`] is dropped, on failure too.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The competing work; dropping it stops the thread and waits for it.
#[derive(Debug)]
pub struct Load {
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<u64>>,
}

impl Load {
    /// Starts keeping one core busy.
    pub fn start() -> Result<Self, String> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let spawned =
            std::thread::Builder::new().name("stress-load".into()).spawn(move || spin(&flag));
        let worker = spawned.map_err(|error| format!("cannot start the load thread: {error}"))?;
        eprintln!("stress: --load: one thread keeps a core busy until the end");
        Ok(Load { stop, worker: Some(worker) })
    }

    /// Stops the thread and says how much work it did, as evidence that it ran.
    pub fn stop(mut self) {
        let rounds = self.halt();
        eprintln!("stress: --load stopped after {rounds} rounds of 4096 multiply-adds");
    }

    fn halt(&mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let worker = self.worker.take();
        worker.and_then(|handle| handle.join().ok()).unwrap_or_default()
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Spins until told to stop; how many rounds it did.
fn spin(stop: &AtomicBool) -> u64 {
    let mut rounds = 0_u64;
    let mut value = 1_u64;
    while !stop.load(Ordering::Relaxed) {
        value = round(value);
        rounds += 1;
    }
    rounds
}

/// 4096 multiply-xors the optimiser cannot drop.
fn round(value: u64) -> u64 {
    (0..4096).fold(value, |acc, step| black_box(acc.wrapping_mul(6364136223846793005) ^ step))
}
