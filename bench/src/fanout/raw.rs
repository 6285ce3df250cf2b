//! The raw fan-out server: tokio-tungstenite connections (ReliableServer's buffers, see
//! [`Limits::server_websocket_config`]) split into one shard per core, each shard a loop
//! writing every broadcast to each of its sockets (`feed` of what is due, then `flush`).

use super::{Paced, Plan};
use crate::latency::clock;
use crate::{mono, payload, BenchError};
use futures::SinkExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use ws_reliability::protocol::Limits;
use ws_reliability::Message;

/// How long the connections may take to open.
const ACCEPT_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// A server's end of a connection.
type ServerSide = WebSocketStream<TcpStream>;

/// The raw server's connections, by shard.
#[derive(Debug, Default)]
pub struct RawFanout {
    shards: Vec<Shard>,
}

/// The sockets one loop writes to.
#[derive(Debug, Default)]
struct Shard {
    sockets: Vec<ServerSide>,
}

/// A shard back from a phase, with the messages it wrote (broadcasts × sockets).
struct Ran {
    shard: Shard,
    messages: u64,
}

impl RawFanout {
    /// Accepts `count` connections on `listener`, one shard per core, within
    /// `ACCEPT_LIMIT`.
    pub async fn accept(listener: &TcpListener, count: usize) -> Result<RawFanout, BenchError> {
        tokio::time::timeout(ACCEPT_LIMIT, Self::accept_all(listener, count)).await?
    }

    async fn accept_all(listener: &TcpListener, count: usize) -> Result<RawFanout, BenchError> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let mut shards: Vec<Shard> = (0..cores).map(|_| Shard::default()).collect();
        for at in 0..count {
            shards[at % cores].sockets.push(accept_one(listener).await?);
        }
        Ok(RawFanout { shards })
    }

    /// Runs `plan` on every shard at once; the messages written in all.
    pub async fn phase(&mut self, plan: Plan) -> Result<u64, BenchError> {
        let shards = std::mem::take(&mut self.shards).into_iter();
        let runs: Vec<_> = shards.map(|shard| tokio::spawn(shard.run(plan))).collect();
        let mut messages = 0;
        for run in runs {
            messages += self.returned(run.await??);
        }
        Ok(messages)
    }

    /// Takes a shard back; the messages it wrote.
    fn returned(&mut self, ran: Ran) -> u64 {
        self.shards.push(ran.shard);
        ran.messages
    }
}

/// The next connection, handshaken with ReliableServer's buffers.
async fn accept_one(listener: &TcpListener) -> Result<ServerSide, BenchError> {
    let (stream, _) = listener.accept().await?;
    stream.set_nodelay(true)?;
    let config = Some(Limits::default().server_websocket_config());
    Ok(tokio_tungstenite::accept_async_with_config(stream, config).await?)
}

impl Shard {
    async fn run(mut self, plan: Plan) -> Result<Ran, BenchError> {
        let broadcasts = match plan {
            Plan::Flat(until) => self.flat(until).await?,
            Plan::Paced(paced) => self.paced(paced).await?,
        };
        self.write(&[payload::end()]).await?;
        let messages = broadcasts * self.sockets.len() as u64;
        Ok(Ran { shard: self, messages })
    }

    /// Back-to-back broadcasts, each stamped when it starts, until `until`.
    async fn flat(&mut self, until: Instant) -> Result<u64, BenchError> {
        let mut sent = 0;
        while Instant::now() < until {
            self.write(&[clock::stamped(sent, mono::now_nanos())]).await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// Broadcasts as `paced` makes them due, each stamped with the time it was due.
    async fn paced(&mut self, paced: Paced) -> Result<u64, BenchError> {
        let mut sent = 0;
        while let Some(due) = paced.schedule.next(sent).await {
            self.write(&paced.messages(sent..due)).await?;
            sent = due;
        }
        Ok(sent)
    }

    /// Writes `messages` to every socket in turn.
    async fn write(&mut self, messages: &[Message]) -> Result<(), BenchError> {
        for ws in &mut self.sockets {
            for message in messages {
                ws.feed(message.clone()).await?;
            }
            ws.flush().await?;
        }
        Ok(())
    }
}
