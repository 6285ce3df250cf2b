//! Fair admission per address: how many connections one client address may hold and how
//! fast it may open them, so that one address cannot starve the others.
//!
//! Addresses are grouped into keys: an IPv4 address is its own key, an IPv6 address is
//! keyed by its /64 (one customer's subnet: a host picks any address in it at will), and an
//! IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, a dual-stack socket) counts as its IPv4.

mod network;
mod proxy;
mod table;

pub use network::IpNetwork;
pub use proxy::{ForwardedHeader, ProxyConfigError, TrustedProxies};
pub(crate) use table::{AddressSlot, AddressTable};

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// Per-address limits of a [`Registry`](crate::Registry), applied by
/// [`Registry::admit_from`](crate::Registry::admit_from). The defaults suit a public
/// server: a person behind one address (a household or office NAT) rarely holds more than
/// a few dozen tabs and devices, and a reconnect storm of such an address fits the burst.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AddressLimits {
    /// The most connections one address (an IPv6 /64) holds at once. Default 64: far
    /// above one household's tabs and devices, far below the 10 000 of the whole server.
    pub max_connections: usize,
    /// The admissions one address may take at once. Default 40: every connection of a
    /// busy NAT reconnecting after a server restart.
    pub accept_burst: u32,
    /// The admissions per second of one address, sustained. Default 20: a reconnecting
    /// client backs off to one attempt per second or slower, so 20 leaves room for 20 of
    /// them; a flood from one address takes at most 4% of the global 500/s.
    pub accept_per_second: u32,
    /// The most addresses tracked at once. An address is tracked while it holds a
    /// connection or its rate bucket is not yet full again; the others are evicted when
    /// room is needed. When the table is full and nothing can be evicted, a new address is
    /// refused (`Refusal::AddressTableFull`, counted in `ws_conn_refused_total`), and a
    /// full table is searched for room at most once per `1 / accept_per_second`. Default
    /// 65 536 (about 6 MiB).
    pub max_addresses: usize,
    /// The proxies whose forwarded-for header names the client. Default none: the socket's
    /// peer is the client and the header is ignored.
    pub proxies: TrustedProxies,
}

impl AddressLimits {
    /// The defaults, as a constant for [`Limits`](crate::Limits)'s.
    pub(crate) const DEFAULT: AddressLimits = AddressLimits {
        max_connections: 64,
        accept_burst: 40,
        accept_per_second: 20,
        max_addresses: 65_536,
        proxies: TrustedProxies::NONE,
    };
}

impl Default for AddressLimits {
    fn default() -> Self {
        AddressLimits::DEFAULT
    }
}

impl AddressLimits {
    /// Limits no single address reaches: for load tests that open thousands of clients
    /// from one loopback address. The table stays bounded by `max_addresses`.
    pub fn unlimited() -> Self {
        AddressLimits {
            max_connections: usize::MAX,
            accept_burst: u32::MAX,
            accept_per_second: u32::MAX,
            ..AddressLimits::default()
        }
    }
}

/// For a harness's or a server's startup line, e.g. `64 connections, burst 40, 20/s per
/// address (IPv6 /64), 65536 addresses, trusted proxies: none`; a limit at its type's
/// maximum reads `unlimited`.
impl fmt::Display for AddressLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let connections = shown(self.max_connections as u64, usize::MAX as u64);
        let burst = shown(self.accept_burst.into(), u32::MAX.into());
        let rate = shown(self.accept_per_second.into(), u32::MAX.into());
        write!(f, "{connections} connections, burst {burst}, {rate}/s per address (IPv6 /64), ")?;
        write!(f, "{} addresses, trusted proxies: {}", self.max_addresses, self.proxies)
    }
}

/// `value`, or `unlimited` at `max`.
fn shown(value: u64, max: u64) -> String {
    if value == max {
        "unlimited".to_owned()
    } else {
        value.to_string()
    }
}

/// What an address is counted under: an IPv4 address, or the /64 of an IPv6 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AddressKey {
    V4(Ipv4Addr),
    V6Prefix(u64),
}

impl AddressKey {
    /// The key of `addr`; an IPv4-mapped IPv6 address is keyed as its IPv4.
    pub(crate) fn of(addr: IpAddr) -> Self {
        match addr.to_canonical() {
            IpAddr::V4(v4) => AddressKey::V4(v4),
            IpAddr::V6(v6) => AddressKey::V6Prefix((v6.to_bits() >> 64) as u64),
        }
    }
}

#[cfg(test)]
mod tests;
