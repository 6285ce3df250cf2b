//! Client source addresses spread across 127.0.0.0/8: client `i` binds to its own
//! loopback address before connecting ([`dial`]), [`PER_ADDRESS`] clients to an address,
//! so tens of thousands of connections neither run out of ephemeral ports (28 000 per
//! source address here) nor pass ReliableServer's default per-address limits (64
//! connections, a burst of 40 admissions).

use std::net::{Ipv4Addr, SocketAddr};
use tokio::net::{TcpSocket, TcpStream};

/// Clients per source address: below the default per-address burst (40) and maximum (64).
pub const PER_ADDRESS: usize = 32;
/// Host numbers used in the last octet (1 to 200: never 0 nor 255).
const HOSTS: usize = 200;

/// The source address of client `index`: 127.1.x.y, [`PER_ADDRESS`] clients each.
pub fn address(index: usize) -> Ipv4Addr {
    let slot = index / PER_ADDRESS;
    let third = u8::try_from(slot / HOSTS % 256).unwrap_or(0);
    let fourth = u8::try_from(slot % HOSTS + 1).unwrap_or(1);
    Ipv4Addr::new(127, 1, third, fourth)
}

/// How many source addresses `clients` clients use.
pub fn addresses(clients: usize) -> usize {
    clients.div_ceil(PER_ADDRESS)
}

/// A TCP connection to `server` from client `index`'s source address (any port).
pub async fn dial(server: SocketAddr, index: usize) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((address(index), 0)))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_hold_at_most_per_address_clients() {
        assert_eq!(address(0), Ipv4Addr::new(127, 1, 0, 1));
        assert_eq!(address(PER_ADDRESS - 1), address(0));
        assert_eq!(address(PER_ADDRESS), Ipv4Addr::new(127, 1, 0, 2));
        assert_eq!(address(PER_ADDRESS * HOSTS), Ipv4Addr::new(127, 1, 1, 1));
        let spread: std::collections::HashSet<_> = (0..19_000).map(address).collect();
        assert_eq!(spread.len(), addresses(19_000));
        assert!(spread.iter().all(|ip| ip.octets()[3] != 0 && ip.octets()[3] != 255));
    }

    #[tokio::test]
    async fn a_dialled_connection_comes_from_its_address() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let index = 5 * PER_ADDRESS;
        let stream = dial(listener.local_addr().unwrap(), index).await.unwrap();
        let (_, peer) = listener.accept().await.unwrap();
        assert_eq!(peer.ip(), std::net::IpAddr::V4(address(index)));
        assert_eq!(stream.local_addr().unwrap().ip(), peer.ip());
    }
}
