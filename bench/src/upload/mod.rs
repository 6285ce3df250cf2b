//! Upload throughput (`--upload`): K loopback clients each send 64-byte messages to the
//! server; the time from the first send to the server's last end marker, every message
//! checked in order per connection (raw) or per session (reliable), each read by a task of
//! its own on both sides. [`raw`] is plain tokio-tungstenite, [`reliable`] is
//! ReliableClient → ReliableServer. The result is a [`Throughput`](crate::push::Throughput)
//! like the push's.

pub mod raw;
pub mod reliable;
