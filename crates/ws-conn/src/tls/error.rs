//! [`TlsError`]: why a TLS handshake failed; [`TlsConfigError`]: why TLS could not be set up.

use rustls::CertificateError;
use std::path::PathBuf;

/// A TLS handshake that failed. Cloneable and comparable: it travels in
/// `ws-reliability`'s `ClientEvent::TlsFailed` and, inside its `Error::Tls`, in the
/// reconnector's `ConnectFailed` events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The server's certificate chain leads to no root the client trusts: a private CA
    /// missing from the roots, or a self-signed certificate.
    #[error("TLS: the server's certificate has an unknown issuer")]
    UnknownIssuer,
    /// The certificate does not name the host connected to.
    #[error("TLS: the server's certificate is not valid for this host")]
    NotValidForName,
    /// The certificate was refused for another reason (expired, not yet valid, revoked,
    /// badly encoded).
    #[error("TLS: invalid certificate: {0}")]
    InvalidCertificate(String),
    /// The handshake did not finish within its timeout.
    #[error("TLS: handshake timed out")]
    Timeout,
    /// Any other failure of the handshake: an alert from the peer, a protocol error, the
    /// connection closed midway.
    #[error("TLS: handshake failed: {0}")]
    Handshake(String),
}

impl TlsError {
    /// The TLS failure inside an I/O error from tokio-rustls, or the I/O error back.
    pub fn from_io(error: std::io::Error) -> Result<TlsError, std::io::Error> {
        match error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            Some(tls) => Ok(TlsError::from(tls)),
            None => Err(error),
        }
    }

    /// A short label, as used in metrics.
    pub fn label(&self) -> &'static str {
        match self {
            TlsError::UnknownIssuer => "unknown_issuer",
            TlsError::NotValidForName => "not_valid_for_name",
            TlsError::InvalidCertificate(_) => "invalid_certificate",
            TlsError::Timeout => "timeout",
            TlsError::Handshake(_) => "handshake",
        }
    }
}

impl From<&rustls::Error> for TlsError {
    fn from(error: &rustls::Error) -> Self {
        match error {
            rustls::Error::InvalidCertificate(certificate) => certificate_refused(certificate),
            other => TlsError::Handshake(other.to_string()),
        }
    }
}

fn certificate_refused(error: &CertificateError) -> TlsError {
    match error {
        CertificateError::UnknownIssuer => TlsError::UnknownIssuer,
        CertificateError::NotValidForName => TlsError::NotValidForName,
        CertificateError::NotValidForNameContext { .. } => TlsError::NotValidForName,
        other => TlsError::InvalidCertificate(other.to_string()),
    }
}

/// TLS could not be set up: a PEM file, the certificate and key, or the roots.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// A PEM file could not be read, or holds no valid PEM item of the kind asked for (a
    /// private key file with no key gets `NoItemsFound`).
    #[error("TLS: cannot read PEM file {}: {source}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    /// A certificate PEM file holds no certificate.
    #[error("TLS: no certificate in {}", path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// rustls refused the certificates or the key (a key that does not match the
    /// certificate, an unsupported key type).
    #[error("TLS: certificate or key refused: {0}")]
    Rejected(#[source] rustls::Error),
    /// No root certificate could be loaded from the platform, nor from `SSL_CERT_FILE` or
    /// `SSL_CERT_DIR` when set.
    #[error("TLS: no native root certificates: {0}")]
    NoNativeRoots(String),
    /// The URL's host is not a DNS name or an IP address a certificate can name.
    #[error("TLS: invalid server name {0:?}")]
    InvalidServerName(String),
}
