//! Trusted proxies: behind a reverse proxy or load balancer every socket comes from the
//! proxy, and the client's address is in a header the proxy appends to. Only a proxy on
//! the list is believed; anyone else can write any header.

use super::IpNetwork;
use std::fmt;
use std::net::IpAddr;
use std::ops::ControlFlow;

/// The header a trusted proxy names the client in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`: each proxy appends the address it saw.
    /// The default.
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"`: its
    /// `for=` parameters.
    Forwarded,
    /// Another header with a comma-separated list of addresses like `X-Forwarded-For`
    /// (e.g. `X-Real-IP`, a one-address list); made by [`ForwardedHeader::named`].
    Named(String),
}

impl ForwardedHeader {
    /// A header of addresses like `X-Forwarded-For` under another name; an error unless
    /// `name` is a valid HTTP header name.
    pub fn named(name: &str) -> Result<Self, ProxyConfigError> {
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        let valid = !name.is_empty() && name.chars().all(token);
        let invalid = || ProxyConfigError::HeaderName { name: name.to_owned() };
        valid.then(|| ForwardedHeader::Named(name.to_ascii_lowercase())).ok_or_else(invalid)
    }

    /// The header's name, lowercase.
    pub fn name(&self) -> &str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
            ForwardedHeader::Named(name) => name,
        }
    }

    /// The address of one hop of the list, if it is one.
    fn hop(&self, element: &str) -> Option<IpAddr> {
        match self {
            ForwardedHeader::Forwarded => for_parameter(element).and_then(address),
            _ => address(element),
        }
    }
}

/// A malformed trusted-proxy setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyConfigError {
    /// A network that is not `address` or `address/prefix`.
    #[error("trusted proxy network {network:?}: invalid {field}")]
    Network {
        /// The network as written.
        network: String,
        /// What is wrong: `address` or `prefix`.
        field: &'static str,
    },
    /// A header name that is not an HTTP token.
    #[error("forwarded-for header name {name:?} is not a valid HTTP header name")]
    HeaderName {
        /// The name as written.
        name: String,
    },
}

/// Which socket peers are proxies whose header names the client. The default trusts none:
/// every header is ignored and the peer is the client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustedProxies {
    networks: Vec<IpNetwork>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// No trusted proxy (the default).
    pub(crate) const NONE: TrustedProxies =
        TrustedProxies { networks: Vec::new(), header: ForwardedHeader::XForwardedFor };

    /// Trusts the proxies in `networks` (CIDR, e.g. `10.0.0.0/8`, `::1`), naming clients
    /// in `header`; an error names the first malformed network.
    pub fn new<T: AsRef<str>>(
        networks: impl IntoIterator<Item = T>,
        header: ForwardedHeader,
    ) -> Result<Self, ProxyConfigError> {
        let parsed = networks.into_iter().map(|network| network.as_ref().parse());
        Ok(TrustedProxies { networks: parsed.collect::<Result<_, _>>()?, header })
    }

    /// The trusted networks.
    pub fn networks(&self) -> &[IpNetwork] {
        &self.networks
    }

    /// The header read from a trusted proxy.
    pub fn header(&self) -> &ForwardedHeader {
        &self.header
    }

    /// Whether `addr` is a trusted proxy.
    pub fn trusts(&self, addr: IpAddr) -> bool {
        self.networks.iter().any(|network| network.contains(addr))
    }

    /// The client behind a socket from `peer` whose request carried `values` of the header
    /// (every line, in order). From an untrusted peer the header is ignored: the client is
    /// `peer`. From a trusted one, the client is the rightmost address of the list that is
    /// not itself trusted; where the list runs out, or holds something that is not an
    /// address, the client is the last trusted hop seen (the peer if none).
    pub fn client<'a>(&self, peer: IpAddr, values: impl IntoIterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer.to_canonical();
        }
        let hops: Vec<&str> = values.into_iter().flat_map(|value| value.split(',')).collect();
        let mut walk = hops.iter().rev().map(|hop| self.header.hop(hop));
        match walk.try_fold(peer.to_canonical(), |nearest, hop| self.step(nearest, hop)) {
            ControlFlow::Break(client) | ControlFlow::Continue(client) => client,
        }
    }

    /// One hop to the left: an untrusted address is the client, a trusted one the next
    /// nearest proxy, anything else ends the walk at `nearest`.
    fn step(&self, nearest: IpAddr, hop: Option<IpAddr>) -> ControlFlow<IpAddr, IpAddr> {
        match hop.map(|addr| addr.to_canonical()) {
            Some(addr) if self.trusts(addr) => ControlFlow::Continue(addr),
            Some(addr) => ControlFlow::Break(addr),
            None => ControlFlow::Break(nearest),
        }
    }
}

/// `none`, or the networks and the header, e.g. `10.0.0.0/8, ::1/128 (x-forwarded-for)`.
impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.networks.is_empty() {
            return f.write_str("none");
        }
        let networks: Vec<String> = self.networks.iter().map(ToString::to_string).collect();
        write!(f, "{} ({})", networks.join(", "), self.header.name())
    }
}

/// The value of the `for=` parameter of one `Forwarded` element, unquoted.
fn for_parameter(element: &str) -> Option<&str> {
    let mut pairs = element.split(';').filter_map(|pair| pair.trim().split_once('='));
    let value = pairs.find(|(name, _)| name.eq_ignore_ascii_case("for"))?.1;
    Some(value.trim().trim_matches('"'))
}

/// An address written bare, as `[v6]` or `[v6]:port`, or as `v4:port`.
fn address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let bracketed = text.strip_prefix('[').and_then(|rest| rest.split(']').next());
    let v4_with_port = text.rsplit_once(':').filter(|(host, _)| !host.contains(':'));
    let host = bracketed.or(v4_with_port.map(|(host, _)| host)).unwrap_or(text);
    host.parse().ok()
}
