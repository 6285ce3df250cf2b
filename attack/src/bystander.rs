//! The well-behaved bystander: one `ReliableClient` from 127.0.0.1 (the floods come from
//! other addresses) sending a `ping <n>` text every 10 ms that the server echoes; its
//! success rate (echoes received over pings attempted) and round-trip percentiles.

use crate::serve::PING;
use futures::StreamExt;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::time::{interval, sleep_until, Instant};
use ws_reliability::client::{ClientConfig, ClientIncoming, ReliableClient};
use ws_reliability::Message;

/// How often the bystander pings.
pub const PING_EVERY: Duration = Duration::from_millis(10);
/// How long after the run its last echoes may arrive.
pub const GRACE: Duration = Duration::from_secs(3);

/// What the bystander saw.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Bystander {
    /// Pings attempted (sent or refused by the client).
    pub attempted: u64,
    /// Echoes received.
    pub echoed: u64,
    /// `echoed / attempted` (0 when nothing was attempted).
    pub success_rate: f64,
    /// 99th percentile of the round trips, milliseconds.
    pub p99_ms: f64,
    /// The slowest round trip, milliseconds.
    pub max_ms: f64,
    /// Why it could not connect, if it could not.
    pub error: Option<String>,
}

/// Pings in flight and round trips measured.
#[derive(Debug, Default)]
struct Pings {
    sent_at: Vec<Option<Instant>>,
    rtts: Vec<Duration>,
}

impl Pings {
    fn send(&mut self, client: &ReliableClient) {
        let text = format!("{PING}{}", self.sent_at.len());
        let sent = client.send(Message::text(text)).is_ok();
        self.sent_at.push(sent.then(Instant::now));
    }

    fn received(&mut self, message: &Message) {
        let index = message.to_text().ok().and_then(|text| text.strip_prefix(PING));
        let sent = index.and_then(|index| index.parse::<usize>().ok());
        let at = sent.and_then(|index| self.sent_at.get_mut(index)).and_then(Option::take);
        self.rtts.extend(at.map(|at| at.elapsed()));
    }

    /// Pings until `until`, reads echoes until [`GRACE`] after it.
    async fn exchange(
        &mut self,
        client: &ReliableClient,
        mut incoming: ClientIncoming,
        until: Instant,
    ) {
        let mut tick = interval(PING_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick(), if Instant::now() < until => self.send(client),
                Some(message) = incoming.next() => self.received(&message),
                () = sleep_until(until + GRACE) => break,
            }
        }
    }

    fn report(mut self) -> Bystander {
        self.rtts.sort();
        let attempted = self.sent_at.len() as u64;
        let echoed = self.rtts.len() as u64;
        let success_rate = if attempted == 0 { 0.0 } else { echoed as f64 / attempted as f64 };
        let p99_ms = millis(percentile(&self.rtts, 0.99));
        let max_ms = millis(self.rtts.last().copied().unwrap_or_default());
        Bystander { attempted, echoed, success_rate, p99_ms, max_ms, error: None }
    }
}

/// The `quantile` (0 to 1) of `sorted` by the nearest-rank method; zero when empty.
pub fn percentile(sorted: &[Duration], quantile: f64) -> Duration {
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1)).copied().unwrap_or_default()
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Connects to `server`, pings until `until`, waits [`GRACE`] for the last echoes.
pub async fn run(server: SocketAddr, until: Instant) -> Bystander {
    let url = format!("ws://{server}/bystander");
    match ReliableClient::connect(&url, ClientConfig::default()).await {
        Ok(client) => exchange(client, until).await,
        Err(error) => Bystander { error: Some(error.to_string()), ..Bystander::default() },
    }
}

async fn exchange(client: ReliableClient, until: Instant) -> Bystander {
    let mut pings = Pings::default();
    if let Some(incoming) = client.incoming() {
        pings.exchange(&client, incoming, until).await;
    }
    let _stopped = client.shutdown().await;
    pings.report()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<_> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 1.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 0.99), Duration::ZERO);
    }

    #[test]
    fn echoes_are_matched_to_their_pings() {
        let sent_at = vec![Some(Instant::now()), Some(Instant::now()), None];
        let mut pings = Pings { sent_at, ..Pings::default() };
        pings.received(&Message::text("ping 1"));
        pings.received(&Message::text("ping 1"));
        pings.received(&Message::binary(vec![0x2a; 64]));
        pings.received(&Message::text("ping 9"));
        let report = pings.report();
        assert_eq!(report.attempted, 3);
        assert_eq!(report.echoed, 1);
        assert!((report.success_rate - 1.0 / 3.0).abs() < 1e-9);
    }
}
