//! The health listener: `/metrics` (Prometheus text) and `/health` (JSON report) on one port,
//! served by hyper's HTTP/1.1 with a header timeout, an idle timeout and a connection cap.

mod config;
mod connection;
mod idle;
mod pause;
mod response;
mod routes;
mod server;

pub use config::{
    HttpConfig, ACCEPT_BACKOFF_CAP, ACCEPT_BACKOFF_INITIAL, IDLE_TIMEOUT, MAX_HEAD_BYTES,
    MAX_IN_FLIGHT, READ_TIMEOUT,
};
pub use server::HealthServer;
