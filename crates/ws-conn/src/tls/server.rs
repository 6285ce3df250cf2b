//! [`TlsConfig`]: a server's certificate chain and private key, and the handshake that
//! serves them.

use super::{provider, TlsConfigError, TlsError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long a server waits for a TLS handshake to finish: 10 s.
pub const DEFAULT_TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What a TLS server serves: rustls's server configuration (a certificate chain and its
/// private key, over the ring provider) and how long a handshake may take. Give it to
/// `ws-reliability`'s `Listen::listen_tls`.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    config: Arc<rustls::ServerConfig>,
    handshake_timeout: Duration,
}

impl TlsConfig {
    /// The certificate chain of a PEM file (the server's certificate first, then its
    /// intermediates) and the private key of another (PKCS#8, PKCS#1 or SEC1). An
    /// unreadable file, a file with nothing valid in it, or a key that does not fit the
    /// certificate is a [`TlsConfigError`].
    pub fn from_pem_files(
        certificate_chain: impl AsRef<Path>,
        private_key: impl AsRef<Path>,
    ) -> Result<Self, TlsConfigError> {
        let chain = certificates(certificate_chain.as_ref())?;
        let key = key(private_key.as_ref())?;
        let builder = rustls::ServerConfig::builder_with_provider(provider());
        let builder = builder.with_safe_default_protocol_versions();
        let builder = builder.map_err(TlsConfigError::Rejected)?.with_no_client_auth();
        let config = builder.with_single_cert(chain, key).map_err(TlsConfigError::Rejected)?;
        Ok(Self::from_rustls(Arc::new(config)))
    }

    /// A rustls server configuration built by the application (client certificates,
    /// certificate resolvers, ALPN).
    pub fn from_rustls(config: Arc<rustls::ServerConfig>) -> Self {
        TlsConfig { config, handshake_timeout: DEFAULT_TLS_HANDSHAKE_TIMEOUT }
    }

    /// The same, with handshakes bounded by `timeout` (a socket that does not finish its
    /// TLS handshake in time is dropped and counted).
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// How long a handshake may take. Default [`DEFAULT_TLS_HANDSHAKE_TIMEOUT`].
    pub fn handshake_timeout(&self) -> Duration {
        self.handshake_timeout
    }

    /// The server's side of the TLS handshake on `stream`, within the handshake timeout:
    /// what `listen_tls` does with every
    /// socket; for an application's own listener, before `ReliableServer::serve_stream`.
    pub async fn accept<S>(&self, stream: S) -> Result<TlsStream<S>, TlsError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let acceptor = TlsAcceptor::from(Arc::clone(&self.config));
        let handshake = tokio::time::timeout(self.handshake_timeout, acceptor.accept(stream));
        let accepted = handshake.await.map_err(|_| TlsError::Timeout)?;
        accepted.map_err(handshake_failed)
    }
}

/// A failed handshake's I/O error, typed.
fn handshake_failed(error: std::io::Error) -> TlsError {
    TlsError::from_io(error).unwrap_or_else(|error| TlsError::Handshake(error.to_string()))
}

/// Every certificate of a PEM file; none is an error.
pub(super) fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let unreadable = |source| TlsConfigError::Pem { path: path.to_path_buf(), source };
    let items = CertificateDer::pem_file_iter(path).map_err(unreadable)?;
    let chain = items.collect::<Result<Vec<_>, _>>().map_err(unreadable)?;
    if chain.is_empty() {
        return Err(TlsConfigError::NoCertificate { path: path.to_path_buf() });
    }
    Ok(chain)
}

/// The first private key of a PEM file.
fn key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    let key = PrivateKeyDer::from_pem_file(path);
    key.map_err(|source| TlsConfigError::Pem { path: path.to_path_buf(), source })
}
