//! [`ClientTls`]: the roots a client's `wss://` connections trust (feature `tls`).

/// The TLS settings of a client's `wss://` connections. With the feature `tls`,
/// `ClientTls::new` (or `TlsRoots::into()`) chooses the roots; the default trusts the
/// platform's (`TlsRoots::Native`). Without the feature it
/// holds nothing and a `wss://` URL is refused.
#[derive(Debug, Clone, Default)]
pub struct ClientTls {
    #[cfg(feature = "tls")]
    roots: ws_conn::tls::TlsRoots,
}

#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
impl ClientTls {
    /// `wss://` connections trusting `roots`.
    pub fn new(roots: ws_conn::tls::TlsRoots) -> Self {
        ClientTls { roots }
    }

    /// The roots `wss://` connections trust.
    pub fn roots(&self) -> &ws_conn::tls::TlsRoots {
        &self.roots
    }
}

#[cfg(feature = "tls")]
impl From<ws_conn::tls::TlsRoots> for ClientTls {
    fn from(roots: ws_conn::tls::TlsRoots) -> Self {
        ClientTls::new(roots)
    }
}
