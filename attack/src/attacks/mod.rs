//! The attacks, each a [`Kind`] with a window of the run (fractions of its length), a
//! minimum intensity at the full 60 s length, and workers that count what they did.
//!
//! | attack | window | full minimum |
//! |--------|--------|--------------|
//! | session flood under push: open a wsr.v1 session, drop it | 0–60% | 10 000 sessions |
//! | never read (ACK 0 every 10 s) | whole run | 50 clients |
//! | read, never ack | whole run | 50 clients |
//! | connection flood from 127.0.0.251 (beside the bystander) | whole run | 2 000 attempts |
//! | half-sent HTTP upgrades, held | 40–80% | 2 000 connections |
//! | upgrades that never send HELLO | 40–80% | 100 connections |
//! | BATCH frames of empty entries | 50–100% | 20 MiB |
//! | malformed and random frames | 50–100% | 500 frames |

mod batch;
mod flood;
mod handshake;
mod slow;

use crate::args::scaled;
use crate::net::Sources;
use crate::tally::Tally;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// What every attack shares: the server, the source addresses, the close tally.
#[derive(Debug)]
pub struct Ctx {
    /// The server child's address.
    pub server: SocketAddr,
    /// Source addresses in turn.
    pub sources: Sources,
    /// Closes by label.
    pub tally: Tally,
}

impl Ctx {
    /// Attacks on `server`.
    pub fn new(server: SocketAddr) -> Ctx {
        Ctx { server, sources: Sources::default(), tally: Tally::default() }
    }
}

/// One attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Sessions opened and dropped while the application pushes.
    SessionFlood,
    /// Clients that never read and send ACK 0 every 10 s.
    NeverRead,
    /// Clients that read and never ack.
    NeverAck,
    /// Connections from one address beside the bystander.
    AddressFlood,
    /// HTTP upgrades sent in half and held.
    HalfUpgrade,
    /// Upgrades that never send HELLO.
    NoHello,
    /// BATCH frames of empty entries.
    Batch,
    /// Malformed and random frames.
    Malformed,
}

/// Every attack, in report order.
pub const ALL: [Kind; 8] = [
    Kind::SessionFlood,
    Kind::NeverRead,
    Kind::NeverAck,
    Kind::AddressFlood,
    Kind::HalfUpgrade,
    Kind::NoHello,
    Kind::Batch,
    Kind::Malformed,
];

/// When an attack runs, as fractions of the run's length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Start.
    pub from: f64,
    /// End.
    pub until: f64,
}

/// The shape of an attack: its name, unit, window and full minimum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// snake_case name.
    pub name: &'static str,
    /// What its intensity counts.
    pub unit: &'static str,
    /// When it runs.
    pub window: Window,
    /// Minimum intensity in a run of 60 s or more.
    pub full_minimum: u64,
}

const fn shape(name: &'static str, unit: &'static str, window: Window, full: u64) -> Shape {
    Shape { name, unit, window, full_minimum: full }
}

/// The whole run, its first 60%, from 40% to 80%, its second half.
const WHOLE: Window = Window { from: 0.0, until: 1.0 };
const EARLY: Window = Window { from: 0.0, until: 0.6 };
const MIDDLE: Window = Window { from: 0.4, until: 0.8 };
const LATE: Window = Window { from: 0.5, until: 1.0 };

/// The shapes, in the order of [`Kind`]'s variants.
const SHAPES: [Shape; 8] = [
    shape("session_flood", "sessions", EARLY, 10_000),
    shape("never_read", "clients", WHOLE, 50),
    shape("never_ack", "clients", WHOLE, 50),
    shape("address_flood", "attempts", WHOLE, 2_000),
    shape("half_sent_upgrades", "connections", MIDDLE, 2_000),
    shape("no_hello", "connections", MIDDLE, 100),
    shape("batch_amplification", "bytes", LATE, 20 << 20),
    shape("malformed_frames", "frames", LATE, 500),
];

impl Kind {
    /// Its shape.
    pub fn shape(self) -> Shape {
        SHAPES[self as usize]
    }

    /// Its minimum in a run of `length`.
    pub fn minimum(self, length: Duration) -> u64 {
        scaled(self.shape().full_minimum, length)
    }

    /// Runs it from `start + window.from × length` until `start + window.until × length`,
    /// counting into `count`.
    async fn run(self, ctx: Arc<Ctx>, count: Arc<AtomicU64>, span: Span) {
        let window = self.shape().window;
        tokio::time::sleep_until(span.at(window.from)).await;
        self.attack(ctx, count, span.at(window.until)).await;
    }

    async fn attack(self, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
        match self {
            Kind::SessionFlood | Kind::AddressFlood => flood::run(self, ctx, count, until).await,
            Kind::NeverRead | Kind::NeverAck => slow::run(self, ctx, count, until).await,
            Kind::HalfUpgrade | Kind::NoHello => handshake::run(self, ctx, count, until).await,
            Kind::Batch | Kind::Malformed => batch::run(self, ctx, count, until).await,
        }
    }
}

/// The run's start and length.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// When it started.
    pub start: Instant,
    /// How long it lasts.
    pub length: Duration,
}

impl Span {
    /// The instant `fraction` of the way through.
    pub fn at(self, fraction: f64) -> Instant {
        self.start + self.length.mul_f64(fraction)
    }
}

/// What one attack reached.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Intensity {
    /// The attack's name.
    pub attack: &'static str,
    /// What it counts.
    pub unit: &'static str,
    /// Reached.
    pub reached: u64,
    /// Required.
    pub minimum: u64,
}

/// Runs every attack over `span` against `ctx.server`; what each reached.
pub async fn run_all(ctx: Arc<Ctx>, span: Span) -> Vec<Intensity> {
    let counts: Vec<Arc<AtomicU64>> = ALL.iter().map(|_| Arc::default()).collect();
    let tasks = ALL
        .iter()
        .zip(&counts)
        .map(|(kind, count)| tokio::spawn(kind.run(ctx.clone(), count.clone(), span)));
    futures::future::join_all(tasks.collect::<Vec<_>>()).await;
    ALL.iter().zip(&counts).map(|(kind, count)| intensity(*kind, count, span.length)).collect()
}

fn intensity(kind: Kind, count: &AtomicU64, length: Duration) -> Intensity {
    let Shape { name, unit, .. } = kind.shape();
    let reached = count.load(Ordering::Relaxed);
    Intensity { attack: name, unit, reached, minimum: kind.minimum(length) }
}

/// The pause of a worker after a refused attempt.
const AFTER_REFUSAL: Duration = Duration::from_millis(10);

/// Counts a connection of `kind` that ended with `label`, and pauses the worker.
pub async fn refused(ctx: &Ctx, kind: Kind, label: &str) {
    ctx.tally.count(kind.shape().name, label);
    tokio::time::sleep(AFTER_REFUSAL).await;
}

/// Runs `step` in `workers` concurrent loops until `until`.
pub async fn repeat<F, Fut>(workers: usize, until: Instant, step: F)
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let worker = |step: F| async move {
        while Instant::now() < until {
            step().await;
        }
    };
    let tasks: Vec<_> = (0..workers).map(|_| tokio::spawn(worker(step.clone()))).collect();
    futures::future::join_all(tasks).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attack_has_a_window_inside_the_run_and_a_minimum() {
        for kind in ALL {
            let Shape { window, full_minimum, .. } = kind.shape();
            assert!(0.0 <= window.from && window.from < window.until && window.until <= 1.0);
            assert!(full_minimum > 0);
        }
        assert_eq!(Kind::Malformed.shape().name, "malformed_frames");
        assert_eq!(Kind::NeverAck.shape().name, "never_ack");
        assert_eq!(Kind::SessionFlood.minimum(Duration::from_secs(60)), 10_000);
        assert_eq!(Kind::Batch.minimum(Duration::from_secs(60)), 20 << 20);
        assert_eq!(Kind::HalfUpgrade.minimum(Duration::from_secs(20)), 667);
    }

    #[test]
    fn spans_place_windows() {
        let start = Instant::now();
        let span = Span { start, length: Duration::from_secs(60) };
        assert_eq!(span.at(0.5), start + Duration::from_secs(30));
        assert_eq!(span.at(0.0), start);
    }

    #[tokio::test(start_paused = true)]
    async fn repeat_stops_at_its_deadline() {
        let count = Arc::new(AtomicU64::new(0));
        let counted = count.clone();
        let until = Instant::now() + Duration::from_millis(100);
        repeat(2, until, move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert_eq!(count.load(Ordering::Relaxed), 20);
    }
}
