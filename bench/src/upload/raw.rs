//! Raw tokio-tungstenite 0.30 upload: each client `feed`s its messages with a `flush` every
//! [`FLUSH_EVERY`](crate::push::FLUSH_EVERY) (the push's sender, client side); the server,
//! with tokio-tungstenite's default configuration, checks each connection in order.

use crate::args::Workload;
use crate::push::{self, Pace, Start, Throughput};
use crate::BenchError;

/// Connects `clients` clients, then times the upload of `workload` from each.
pub async fn run(clients: usize, workload: Workload) -> Result<Throughput, BenchError> {
    let (servers, clients) = push::raw::setup(clients).await?;
    let started = Start::now();
    let receivers = servers.into_iter().map(push::raw::spawn_receiver).collect();
    let pace = Pace::new(workload, started.at);
    let upload = |ws| tokio::spawn(push::raw::push(ws, pace));
    let senders = clients.into_iter().map(upload).collect();
    push::finish(started, receivers, senders, workload).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::FLUSH_EVERY;

    #[tokio::test]
    async fn the_server_receives_every_message_of_every_client() {
        let throughput = run(3, Workload::Messages(FLUSH_EVERY + 7)).await.unwrap();
        assert_eq!(throughput.delivered, 3 * (FLUSH_EVERY + 7));
        assert!(throughput.seconds > 0.0);
    }

    #[tokio::test]
    async fn a_timed_run_counts_what_it_uploaded() {
        let timed = Workload::Duration(std::time::Duration::from_secs(1));
        assert!(run(2, timed).await.unwrap().delivered > 0);
    }
}
