//! Frames a server must refuse: BATCH frames of empty entries, as many as the connection
//! takes, on sessions that announced BATCH ([`Kind::Batch`], counted in bytes written: with
//! no receive window, 20 MiB is 10.5 M application messages), and one malformed or random
//! frame per session ([`Kind::Malformed`], counted in frames).

use super::{refused, repeat, Ctx, Kind};
use crate::frames::{empty_batch, hostile};
use crate::net::{close_of, welcomed, Ws};
use futures::SinkExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use ws_reliability::Message;

/// Concurrent sessions of each kind.
const WORKERS: usize = 8;
/// Empty entries per BATCH frame: 64 KiB, within the 1 MiB + 11 message limit.
pub const ENTRIES: usize = 32 * 1024;
/// BATCH frames written on one session at most (1 MiB) before its close is read: a server
/// that closed it stops reading, and further writes would only wait on a full socket.
pub const FRAMES_PER_SESSION: u64 = 16;
/// The bytes of one BATCH frame at least: type, a 1-byte `first`, 2 bytes an entry.
pub const FRAME_BYTES: u64 = 2 * ENTRIES as u64 + 2;
/// Where the BATCH attack stops (4 × its 20 MiB minimum), leaving the CPU to the others.
pub const BATCH_CAP: u64 = 80 << 20;
/// How long the end of a connection is read for its close.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Runs `kind` until `until`.
pub async fn run(kind: Kind, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
    repeat(WORKERS, until, move || session(kind, ctx.clone(), count.clone(), until)).await;
}

async fn session(kind: Kind, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
    let batch = kind == Kind::Batch;
    if batch && count.load(Ordering::Relaxed) >= BATCH_CAP {
        return tokio::time::sleep_until(until).await;
    }
    match welcomed(ctx.sources.next(), ctx.server, batch).await {
        Ok(ws) => attack(kind, ws, &ctx, &count, until).await,
        Err(label) => refused(&ctx, kind, &label).await,
    }
}

/// Sends `kind`'s frames on a welcomed session, counts them, tallies its close.
async fn attack(kind: Kind, mut ws: Ws, ctx: &Ctx, count: &AtomicU64, until: Instant) {
    let batch = kind == Kind::Batch;
    let sent = if batch { batches(&mut ws, until).await } else { one_hostile(&mut ws).await };
    count.fetch_add(sent, Ordering::Relaxed);
    ctx.tally.count(kind.shape().name, &close_of(&mut ws, CLOSE_WAIT).await);
}

/// Sends up to [`FRAMES_PER_SESSION`] BATCH frames of [`ENTRIES`] empty entries until one
/// fails or `until`; the bytes
/// written (counting [`FRAME_BYTES`] a frame, a lower bound).
async fn batches(ws: &mut Ws, until: Instant) -> u64 {
    let mut frames = 0;
    let more = |frames| frames < FRAMES_PER_SESSION && Instant::now() < until;
    while more(frames) && send_batch(ws, 1 + frames * ENTRIES as u64).await {
        frames += 1;
    }
    frames * FRAME_BYTES
}

async fn send_batch(ws: &mut Ws, first: u64) -> bool {
    ws.send(Message::binary(empty_batch(first, ENTRIES))).await.is_ok()
}

/// Sends one malformed or random frame: 1 when it was written.
async fn one_hostile(ws: &mut Ws) -> u64 {
    u64::from(ws.send(hostile(fastrand::u64(..))).await.is_ok())
}
