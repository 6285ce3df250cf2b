//! TLS with rustls and its ring provider (feature `tls`): the roots a
//! [`ReliableClient`](crate::client::ReliableClient) trusts for `wss://` URLs ([`TlsRoots`]),
//! the certificate and key a [`ReliableServer`](crate::server::ReliableServer) serves
//! ([`TlsConfig`], for `listen_tls`), and their typed errors ([`TlsError`] for a handshake
//! that failed, [`TlsConfigError`] for a setup that failed).
//!
//! ```no_run
//! # #[cfg(all(feature = "batch", feature = "conn", feature = "reconnect"))]
//! # async fn example() -> Result<(), ws_reliability::Error> {
//! use ws_reliability::client::{ClientConfig, ReliableClient};
//! use ws_reliability::server::{ReliableServer, ServerConfig};
//! use ws_reliability::tls::{TlsConfig, TlsRoots};
//!
//! let server = ReliableServer::new(ServerConfig::default());
//! let tls = TlsConfig::from_pem_files("cert.pem", "key.pem")?;
//! let listener = server.listen_tls("0.0.0.0:443", tls).await?;
//!
//! let mut config = ClientConfig::default();
//! config.tls = TlsRoots::Webpki.into(); // or Native (the default), or from_pem_file
//! let client = ReliableClient::connect("wss://example.com/", config).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Only the ring provider is compiled in (no aws-lc: it needs cmake and a C build), so
//! key exchange is classical (X25519, P-256, P-384): no post-quantum hybrid.

mod error;
mod roots;
mod server;

pub use error::{TlsConfigError, TlsError};
pub use roots::TlsRoots;
pub use rustls;
pub use server::{TlsConfig, DEFAULT_TLS_HANDSHAKE_TIMEOUT};
pub use tokio_rustls;

use std::sync::Arc;

/// The ring crypto provider, the only one compiled in: named explicitly, so another crate
/// of the build turning on aws-lc cannot make rustls's process default ambiguous.
/// rustls 0.23.48 deprecates it for its lack of post-quantum key exchange, which only
/// aws-lc offers; aws-lc needs cmake and a C build, so ring stays the choice.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
