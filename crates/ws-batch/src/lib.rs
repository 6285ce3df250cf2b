//! Transactional outbox: a message leaves the queue only once its send is confirmed.
//!
//! Part of [ws-reliability](https://github.com/ws-reliability/ws-reliability): one crate per
//! WebSocket failure mode, each usable alone. The implementation lands with this crate's
//! issue; until then the crate exports nothing.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
