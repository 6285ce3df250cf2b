//! A flood from one loopback address (127.0.0.2) beside a bystander (127.0.0.3), over real
//! TCP sockets: the server admits each accepted socket by its peer's address and holds the
//! admission until the client hangs up. The bystander is never refused; the flooder is
//! refused past its connection limit, then past its rate. Counts, not timing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::mpsc;
use ws_conn::{ConnConfig, ConnError, Refusal, Registry};

const FLOODER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const BYSTANDER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);

/// What the server made of one accepted socket.
type Verdict = (IpAddr, Result<(), Refusal>);

/// Accepts forever: each socket admitted by its peer's address, the verdict reported, an
/// admitted socket held until EOF (then `released` hears of it).
async fn serve(
    listener: TcpListener,
    registry: Registry,
    verdicts: mpsc::UnboundedSender<Verdict>,
    released: mpsc::UnboundedSender<IpAddr>,
) {
    loop {
        let (mut socket, peer) = listener.accept().await.unwrap();
        let admitted = registry.admit_from(peer.ip());
        verdicts.send((peer.ip(), admitted.as_ref().map(drop).map_err(refusal))).unwrap();
        let released = released.clone();
        tokio::spawn(async move {
            let _ = socket.read(&mut [0; 1]).await;
            if admitted.is_ok() {
                drop(admitted);
                released.send(peer.ip()).unwrap();
            }
        });
    }
}

fn refusal(error: &ConnError) -> Refusal {
    match error {
        ConnError::Refused { reason, .. } => *reason,
        other => panic!("not a refusal: {other}"),
    }
}

async fn connect_from(source: Ipv4Addr, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(source.into(), 0)).unwrap();
    socket.connect(server).await.unwrap()
}

#[tokio::test]
async fn a_flood_from_one_address_does_not_refuse_a_bystander() {
    let mut config = ConnConfig::default();
    config.limits.per_address.max_connections = 10;
    config.limits.per_address.accept_burst = 30;
    config.limits.per_address.accept_per_second = 1;
    let registry = Registry::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = listener.local_addr().unwrap();
    let (verdict_tx, mut verdicts) = mpsc::unbounded_channel();
    let (released_tx, mut released) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, registry.clone(), verdict_tx, released_tx));

    // The flooder holds every connection it gets; the bystander connects in between.
    let mut held = Vec::new();
    let mut flooder = Tally::default();
    for round in 0..40 {
        held.push(connect_from(FLOODER, server).await);
        flooder.count(verdicts.recv().await.unwrap(), FLOODER);
        if round % 4 == 0 {
            let bystander = connect_from(BYSTANDER, server).await;
            assert_eq!(verdicts.recv().await.unwrap(), (BYSTANDER.into(), Ok(())));
            drop(bystander);
            assert_eq!(released.recv().await.unwrap(), IpAddr::from(BYSTANDER));
        }
    }
    assert_eq!(flooder.admitted, 10, "the connection limit");
    assert_eq!(flooder.refused(Refusal::AddressLimit), 30);

    // It hangs up and floods with short connections: its burst runs out.
    let admitted = flooder.admitted;
    drop(held);
    for _ in 0..admitted {
        assert_eq!(released.recv().await.unwrap(), IpAddr::from(FLOODER));
    }
    let started = tokio::time::Instant::now();
    let mut again = Tally::default();
    for _ in 0..60 {
        let short = connect_from(FLOODER, server).await;
        again.count(verdicts.recv().await.unwrap(), FLOODER);
        drop(short);
    }
    let refills = started.elapsed().as_secs() as usize + 1;
    assert!(again.admitted >= 20 && again.admitted <= 20 + refills, "{again:?}: 30 - 10 left");
    assert_eq!(again.refused(Refusal::AddressRate), 60 - again.admitted);
    let bystander = connect_from(BYSTANDER, server).await;
    assert_eq!(verdicts.recv().await.unwrap(), (BYSTANDER.into(), Ok(())), "still admitted");
    drop(bystander);
}

#[derive(Debug, Default)]
struct Tally {
    admitted: usize,
    refused: Vec<Refusal>,
}

impl Tally {
    fn count(&mut self, verdict: Verdict, from: Ipv4Addr) {
        assert_eq!(verdict.0, IpAddr::from(from));
        match verdict.1 {
            Ok(()) => self.admitted += 1,
            Err(reason) => self.refused.push(reason),
        }
    }

    fn refused(&self, reason: Refusal) -> usize {
        self.refused.iter().filter(|refused| **refused == reason).count()
    }
}
