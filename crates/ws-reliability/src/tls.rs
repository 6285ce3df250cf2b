//! TLS with rustls and its ring provider (feature `tls`), from ws-conn's `tls` module: the
//! roots a [`ReliableClient`](crate::client::ReliableClient) trusts for `wss://` URLs
//! ([`TlsRoots`]), the certificate and key a [`ReliableServer`](crate::server::ReliableServer)
//! serves ([`TlsConfig`], for `listen_tls`), and their typed errors ([`TlsError`] for a
//! handshake that failed, [`TlsConfigError`] for a setup that failed).
//!
//! ```no_run
//! # #[cfg(all(feature = "batch", feature = "conn", feature = "reconnect"))]
//! # async fn example() -> Result<(), ws_reliability::Error> {
//! use ws_reliability::client::{ClientConfig, ReliableClient};
//! use ws_reliability::server::{Listen, ReliableServer, ServerConfig};
//! use ws_reliability::tls::{TlsConfig, TlsRoots};
//!
//! let server = ReliableServer::new(ServerConfig::default());
//! let tls = TlsConfig::from_pem_files("cert.pem", "key.pem")?;
//! let listener = server.listen_tls("0.0.0.0:443", tls).await?;
//!
//! let mut config = ClientConfig::default();
//! config.server.tls = TlsRoots::Webpki.into(); // or Native (the default), or from_pem_file
//! let client = ReliableClient::connect("wss://example.com/", config).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Only the ring provider is compiled in (no aws-lc: it needs cmake and a C build), so
//! key exchange is classical (X25519, P-256, P-384): no post-quantum hybrid.

#[doc(inline)]
pub use ws_conn::tls::{
    rustls, tokio_rustls, TlsConfig, TlsConfigError, TlsError, TlsRoots,
    DEFAULT_TLS_HANDSHAKE_TIMEOUT,
};
