//! Session floods: wsr.v1 sessions opened (WELCOME received) and dropped at once, without a
//! close (so each stays resumable), from 127.0.0.2..=250 in turn ([`Kind::SessionFlood`]),
//! or all from [`FLOOD_SOURCE`] beside the bystander ([`Kind::AddressFlood`]: every
//! attempt counts, refused or not).

use super::{refused, repeat, Ctx, Kind};
use crate::net::{welcomed, FLOOD_SOURCE};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::time::Instant;

/// Concurrent openers of the session flood.
const FLOOD_WORKERS: usize = 64;
/// Concurrent openers from the one address.
const ADDRESS_WORKERS: usize = 8;

/// Runs `kind` (a flood) until `until`.
pub async fn run(kind: Kind, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
    let workers = if kind == Kind::SessionFlood { FLOOD_WORKERS } else { ADDRESS_WORKERS };
    repeat(workers, until, move || attempt(kind, ctx.clone(), count.clone())).await;
}

async fn attempt(kind: Kind, ctx: Arc<Ctx>, count: Arc<AtomicU64>) {
    let session_flood = kind == Kind::SessionFlood;
    let from = if session_flood { ctx.sources.next() } else { FLOOD_SOURCE };
    let opened = welcomed(from, ctx.server, false).await;
    count.fetch_add(u64::from(opened.is_ok() || !session_flood), Ordering::Relaxed);
    if let Err(label) = opened {
        refused(&ctx, kind, &label).await;
    }
}
