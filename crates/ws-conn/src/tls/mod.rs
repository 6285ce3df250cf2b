//! TLS with rustls and its ring provider (feature `tls`): the roots a client trusts for
//! `wss://` URLs ([`TlsRoots`]), the certificate and key a server serves ([`TlsConfig`]),
//! and their typed errors ([`TlsError`] for a handshake that failed, [`TlsConfigError`] for
//! a setup that failed). `ws-reliability` re-exports it as `ws_reliability::tls`: its
//! `ReliableClient` dials with the roots, its `Listen::listen_tls` serves the
//! config.
//!
//! ```no_run
//! use ws_conn::tls::{TlsConfig, TlsRoots};
//!
//! let served = TlsConfig::from_pem_files("cert.pem", "key.pem")?;
//! let trusted = TlsRoots::Webpki; // or Native (the default), or from_pem_file
//! # Ok::<(), ws_conn::tls::TlsConfigError>(())
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
