//! A network in CIDR notation, for the list of trusted proxies.

use super::ProxyConfigError;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP network, e.g. `10.0.0.0/8` or `fd00::/8`; a bare address is a /32 (IPv4) or a
/// /128 (IPv6). Write IPv4 networks in IPv4 form: an address is compared in its canonical
/// form (an IPv4-mapped IPv6 address as its IPv4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNetwork {
    addr: IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// The network of `addr`'s first `prefix` bits; `None` past 32 (IPv4) or 128 (IPv6).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Self> {
        (prefix <= max_prefix(addr)).then_some(IpNetwork { addr, prefix })
    }

    /// Whether `addr` (in canonical form) lies in this network.
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        let same_family = addr.is_ipv4() == self.addr.is_ipv4();
        same_family && same_prefix(wide(self.addr), wide(addr), self.prefix)
    }
}

/// An address as 128 bits, an IPv4 one in the top 32.
fn wide(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(v4) => u128::from(v4.to_bits()) << 96,
        IpAddr::V6(v6) => v6.to_bits(),
    }
}

/// Whether the first `prefix` bits of `a` and `b` agree.
fn same_prefix(a: u128, b: u128, prefix: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    a & mask == b & mask
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() {
        32
    } else {
        128
    }
}

impl FromStr for IpNetwork {
    type Err = ProxyConfigError;

    fn from_str(text: &str) -> Result<Self, ProxyConfigError> {
        let invalid = |field| ProxyConfigError::Network { network: text.to_owned(), field };
        let mut parts = text.trim().splitn(2, '/');
        let addr: IpAddr =
            parts.next().unwrap_or_default().parse().map_err(|_| invalid("address"))?;
        let prefix = parts.next().map_or(Some(max_prefix(addr)), |bits| bits.parse().ok());
        prefix.and_then(|prefix| IpNetwork::new(addr, prefix)).ok_or_else(|| invalid("prefix"))
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}
