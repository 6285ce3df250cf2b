//! The health listener: `/metrics` (Prometheus text) and `/health` (JSON report) on one port.

mod request;
mod response;
mod routes;
mod server;

pub use request::{Method, Request, MAX_HEAD_BYTES};
pub use server::{HealthServer, MAX_IN_FLIGHT, READ_TIMEOUT};
