//! Slow consumers held for the whole run: clients that never read and send `ACK 0` every
//! 10 s to look alive ([`Kind::NeverRead`]), and clients that read everything and never
//! ack ([`Kind::NeverAck`]). Each counts once welcomed; how the server ended it (or `open`)
//! is tallied at the end.

use super::{refused, Ctx, Kind};
use crate::frames::ack_zero;
use crate::net::{close_of, welcomed, Ws};
use futures::SinkExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{sleep_until, Instant};

/// Clients of each kind.
pub const CLIENTS: usize = 50;
/// How often a client that never reads sends `ACK 0`.
pub const ACK_EVERY: Duration = Duration::from_secs(10);
/// How long the end of a never-reading client's stream is read for its close.
const DRAIN: Duration = Duration::from_secs(2);

/// Runs [`CLIENTS`] clients of `kind` until `until`.
pub async fn run(kind: Kind, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
    let client = |_| tokio::spawn(client(kind, ctx.clone(), count.clone(), until));
    let clients: Vec<_> = (0..CLIENTS).map(client).collect();
    futures::future::join_all(clients).await;
}

async fn client(kind: Kind, ctx: Arc<Ctx>, count: Arc<AtomicU64>, until: Instant) {
    let Some(mut ws) = session(kind, &ctx, until).await else { return };
    count.fetch_add(1, Ordering::Relaxed);
    let label = match kind {
        Kind::NeverRead => never_read(&mut ws, until).await,
        _ => close_of(&mut ws, until.saturating_duration_since(Instant::now())).await,
    };
    ctx.tally.count(kind.shape().name, &label);
}

/// A welcomed session, retried until `until`.
async fn session(kind: Kind, ctx: &Ctx, until: Instant) -> Option<Ws> {
    while Instant::now() < until {
        match welcomed(ctx.sources.next(), ctx.server, false).await {
            Ok(ws) => return Some(ws),
            Err(label) => refused(ctx, kind, &label).await,
        }
    }
    None
}

/// Sends `ACK 0` every [`ACK_EVERY`] and reads nothing until `until`; then reads how the
/// server ended the connection.
async fn never_read(ws: &mut Ws, until: Instant) -> String {
    while Instant::now() < until {
        sleep_until(until.min(Instant::now() + ACK_EVERY)).await;
        if ws.send(ack_zero()).await.is_err() {
            break;
        }
    }
    close_of(ws, DRAIN).await
}
