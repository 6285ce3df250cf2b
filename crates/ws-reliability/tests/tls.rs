//! TLS both ways (feature `tls`), offline over real loopback sockets: a CA and a server
//! certificate made here with rcgen and written as PEM to a temporary directory; a
//! `ReliableServer` serving them with `listen_tls`; a `ReliableClient` dialing `wss://`.
//!
//! - through the native roots, with `SSL_CERT_FILE` naming the test CA, a wsr.v1 session
//!   (WELCOME, a message each way);
//! - through webpki roots (Mozilla's, without the test CA), the typed `UnknownIssuer`, as a
//!   client event and as the reconnector's `ConnectFailed` cause;
//! - a socket that speaks plain HTTP to the TLS port dropped by the server and counted;
//! - invalid or missing PEM files, and a key that is not the certificate's, typed errors.
//!
//! `SSL_CERT_FILE` is set only by the native-roots test, and read only by it (when its
//! client loads the native roots). nextest runs every test in its own process; under
//! `cargo test` the tests share one, which is still sound: std serializes `set_var` with
//! every std reader of the environment, and no other test here reads that variable.
#![cfg(all(feature = "tls", feature = "batch", feature = "conn", feature = "reconnect"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ws_reliability::client::{ClientConfig, ClientEvent, ReliableClient};
use ws_reliability::reconnect::{AttemptError, Event};
use ws_reliability::server::Listen;
use ws_reliability::server::{Listener, ReliableServer, ServerConfig};
use ws_reliability::tls::{TlsConfig, TlsConfigError, TlsError, TlsRoots};
use ws_reliability::{Error, Message};

/// The longest any test waits for an event.
const WAIT: Duration = Duration::from_secs(10);

/// A test CA and a server certificate it signed (for `localhost` and `127.0.0.1`), as PEM
/// files in a temporary directory.
struct Pki {
    dir: TempDir,
    ca: PathBuf,
    chain: PathBuf,
    key: PathBuf,
}

impl Pki {
    fn new() -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "ws-reliability test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let server_key = KeyPair::generate().unwrap();
        let server = CertificateParams::new(names).unwrap().signed_by(&server_key, &ca).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki {
            ca: dir.path().join("ca.pem"),
            chain: dir.path().join("chain.pem"),
            key: dir.path().join("key.pem"),
            dir,
        };
        std::fs::write(&pki.ca, ca.pem()).unwrap();
        std::fs::write(&pki.chain, server.pem()).unwrap();
        std::fs::write(&pki.key, server_key.serialize_pem()).unwrap();
        pki
    }

    /// A file of the directory holding `text`.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// A default server serving `pki`'s certificate over TLS on a loopback port.
async fn tls_server(pki: &Pki) -> (ReliableServer, Listener, String) {
    let mut config = ServerConfig::default();
    config.incoming.mode = ws_reliability::server::IncomingMode::Shared;
    let server = ReliableServer::new(config);
    let tls = TlsConfig::from_pem_files(&pki.chain, &pki.key).unwrap();
    let listener = server.listen_tls("127.0.0.1:0", tls).await.unwrap();
    let url = format!("wss://127.0.0.1:{}/", listener.local_addr().port());
    (server, listener, url)
}

/// The next client event that `pick` keeps, within [`WAIT`].
async fn next_event<T>(
    events: &mut ws_reliability::events::Events<ClientEvent>,
    pick: impl Fn(ClientEvent) -> Option<T>,
) -> T {
    let picked = async {
        loop {
            if let Some(found) = pick(events.recv().await.unwrap()) {
                return found;
            }
        }
    };
    tokio::time::timeout(WAIT, picked).await.expect("no such event in time")
}

/// `ws_reliability_tls_failures_total{side, kind}` in what `recorder` counted.
fn tls_failures(recorder: &DebuggingRecorder, side: &str, kind: &str) -> u64 {
    let snapshot = recorder.snapshotter().snapshot().into_vec();
    let found = snapshot.into_iter().find(|(key, ..)| {
        let key = key.key();
        let labels: Vec<_> = key.labels().map(|l| (l.key(), l.value())).collect();
        key.name() == "ws_reliability_tls_failures_total"
            && labels.contains(&("side", side))
            && labels.contains(&("kind", kind))
    });
    match found {
        Some((_, _, _, DebugValue::Counter(count))) => count,
        _ => 0,
    }
}

#[tokio::test]
async fn a_session_over_tls_through_native_roots_and_ssl_cert_file() {
    let pki = Pki::new();
    std::env::set_var("SSL_CERT_FILE", &pki.ca);
    let (server, _listener, url) = tls_server(&pki).await;
    let mut from_clients = server.incoming().unwrap();

    let client = ReliableClient::start(&url, ClientConfig::default()).unwrap();
    let mut from_server = client.incoming().unwrap();
    let mut events = client.events();
    let session = next_event(&mut events, |event| match event {
        ClientEvent::Connected { session, resumed: false } => Some(session),
        _ => None,
    })
    .await;

    server.send(session, Message::text("to the client")).unwrap();
    let received = tokio::time::timeout(WAIT, from_server.next()).await.unwrap();
    assert_eq!(received, Some(Message::text("to the client")));
    client.send(Message::text("to the server")).unwrap();
    let received = tokio::time::timeout(WAIT, from_clients.next()).await.unwrap();
    assert_eq!(received, Some((session, Message::text("to the server"))));
    client.shutdown().await;
}

#[tokio::test]
async fn webpki_roots_meet_the_test_ca_as_an_unknown_issuer() {
    let recorder = DebuggingRecorder::new();
    let _local = metrics::set_default_local_recorder(&recorder); // one thread: every task
    let pki = Pki::new();
    let (server, _listener, url) = tls_server(&pki).await;
    let mut config = ClientConfig::default();
    config.server.tls = TlsRoots::Webpki.into();

    let client = ReliableClient::start(&url, config).unwrap();
    let mut events = client.events();
    let mut attempts = client.reconnect_events();
    let failed = next_event(&mut events, |event| match event {
        ClientEvent::TlsFailed(error) => Some(error),
        _ => None,
    })
    .await;
    assert_eq!(failed, TlsError::UnknownIssuer);
    assert!(tls_failures(&recorder, "client", "unknown_issuer") >= 1);

    let cause = tokio::time::timeout(WAIT, async {
        loop {
            if let Some(Event::ConnectFailed { error: AttemptError::Connect(cause), .. }) =
                attempts.next().await
            {
                return cause;
            }
        }
    });
    let expected = Error::Tls(TlsError::UnknownIssuer).to_string();
    assert_eq!(&*cause.await.unwrap(), expected.as_str());
    assert!(server.sessions().is_empty(), "no session opened without TLS");
    client.shutdown().await;
}

#[tokio::test]
async fn a_socket_failing_the_tls_handshake_is_dropped_and_counted() {
    let recorder = DebuggingRecorder::new();
    let _local = metrics::set_default_local_recorder(&recorder); // one thread: every task
    let pki = Pki::new();
    let (server, listener, _url) = tls_server(&pki).await;
    let mut plain = tokio::net::TcpStream::connect(listener.local_addr()).await.unwrap();
    plain.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();

    let closed = async {
        let mut buffer = [0; 1024];
        while let Ok(1..) = plain.read(&mut buffer).await {}
    };
    tokio::time::timeout(WAIT, closed).await.expect("the server kept the socket");
    assert_eq!(tls_failures(&recorder, "server", "handshake"), 1);
    assert!(server.sessions().is_empty());
}

#[tokio::test]
async fn custom_roots_from_the_ca_file_reach_the_server() {
    let pki = Pki::new();
    let (_server, _listener, url) = tls_server(&pki).await;
    let mut config = ClientConfig::default();
    config.server.tls = TlsRoots::from_pem_file(&pki.ca).unwrap().into();

    let client = ReliableClient::start(&url, config).unwrap();
    let mut events = client.events();
    next_event(&mut events, |event| match event {
        ClientEvent::Connected { .. } => Some(()),
        _ => None,
    })
    .await;
    client.shutdown().await;
}

#[test]
fn invalid_pem_files_are_typed_errors() {
    let pki = Pki::new();
    let garbage = pki.file("garbage.pem", "not a PEM file\n");
    let broken =
        pki.file("broken.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
    let missing = pki.dir.path().join("missing.pem");

    let no_certificate = TlsConfig::from_pem_files(&garbage, &pki.key).unwrap_err();
    assert!(
        matches!(no_certificate, TlsConfigError::NoCertificate { ref path } if *path == garbage)
    );
    let bad_base64 = TlsConfig::from_pem_files(&broken, &pki.key).unwrap_err();
    assert!(matches!(bad_base64, TlsConfigError::Pem { ref path, .. } if *path == broken));
    let no_key = TlsConfig::from_pem_files(&pki.chain, &garbage).unwrap_err();
    assert!(matches!(no_key, TlsConfigError::Pem { ref path, .. } if *path == garbage));
    let unreadable = TlsConfig::from_pem_files(&missing, &pki.key).unwrap_err();
    assert!(matches!(unreadable, TlsConfigError::Pem { ref path, .. } if *path == missing));
    let no_roots = TlsRoots::from_pem_file(&garbage).unwrap_err();
    assert!(matches!(no_roots, TlsConfigError::NoCertificate { .. }));
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused() {
    let pki = Pki::new();
    let other = pki.file("other-key.pem", &KeyPair::generate().unwrap().serialize_pem());
    let refused = TlsConfig::from_pem_files(&pki.chain, &other).unwrap_err();
    assert!(matches!(refused, TlsConfigError::Rejected(_)), "{refused:?}");
    let as_error: Error = refused.into();
    assert_eq!(as_error.label(), "tls_config");
}
