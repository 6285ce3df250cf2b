//! [`TlsRoots`]: the certificate roots a client trusts, and the rustls connector built on
//! them.

use super::{provider, server::certificates, TlsConfigError};
use rustls::RootCertStore;
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsConnector;

/// The certificate roots a client (`ws-reliability`'s `ReliableClient`) trusts for
/// `wss://` URLs, chosen in its `ClientConfig::server.tls`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum TlsRoots {
    /// The platform's roots (rustls-native-certs), loaded when the client is created; the
    /// files named by `SSL_CERT_FILE` or `SSL_CERT_DIR` replace them when set. The default.
    #[default]
    Native,
    /// Mozilla's roots compiled into the binary (webpki-roots): the same on every machine,
    /// blind to a private CA.
    Webpki,
    /// Exactly these roots (a private CA, a test CA).
    Custom(Arc<RootCertStore>),
}

impl TlsRoots {
    /// Exactly the certificates of a PEM file: a [`TlsRoots::Custom`].
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, TlsConfigError> {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(certificates(path.as_ref())?);
        Ok(TlsRoots::Custom(Arc::new(store)))
    }

    /// The root store these roots stand for.
    fn store(&self) -> Result<Arc<RootCertStore>, TlsConfigError> {
        match self {
            TlsRoots::Native => native_roots().map(Arc::new),
            TlsRoots::Webpki => {
                Ok(Arc::new(webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect()))
            }
            TlsRoots::Custom(store) => Ok(Arc::clone(store)),
        }
    }

    /// A tokio-rustls connector trusting these roots, over the ring provider: what a
    /// `ReliableClient` dials `wss://` with, for a
    /// client's own dialer (`ReliableClient::with_dialer`) or tokio-tungstenite directly.
    /// The native roots load here.
    pub fn connector(&self) -> Result<TlsConnector, TlsConfigError> {
        let builder = rustls::ClientConfig::builder_with_provider(provider());
        let versions = builder.with_safe_default_protocol_versions();
        let builder = versions.map_err(TlsConfigError::Rejected)?;
        let config = builder.with_root_certificates(self.store()?).with_no_client_auth();
        Ok(TlsConnector::from(Arc::new(config)))
    }
}

/// The platform's roots; none at all is an error (every `wss://` connection would fail).
fn native_roots() -> Result<RootCertStore, TlsConfigError> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(found.certs);
    if store.is_empty() {
        return Err(TlsConfigError::NoNativeRoots(joined(&found.errors)));
    }
    Ok(store)
}

fn joined(errors: &[rustls_native_certs::Error]) -> String {
    let each: Vec<String> = errors.iter().map(ToString::to_string).collect();
    each.join("; ")
}
