//! `ws-soak-nodes`: server nodes as child processes keeping their sessions in a store
//! (memory, redb, Redis), killed with SIGKILL and restarted on schedule while the clients
//! run in the harness process (`cargo xtask reliability --store ... --nodes N
//! --kill-server-every D`). See `soak/README.md`.

pub mod args;
pub mod children;
pub mod clients;
pub mod ledger;
pub mod line;
pub mod node;
pub mod poster;
pub mod report;
pub mod run;
pub mod schedule;
