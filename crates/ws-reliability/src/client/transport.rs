//! How a [`ReliableClient`](super::ReliableClient) reaches its URL: [`Target`] (the host and
//! port to dial, and whether `wss://` asks for TLS), plain TCP, and TLS over it (feature
//! `tls`, with the roots of [`ClientTls`](super::ClientTls)).

use crate::Error;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Where a URL points.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The host, without an IPv6 address's brackets.
    host: String,
    /// The URL's port, or the scheme's (80, 443).
    port: u16,
    /// Whether the scheme is `wss`.
    pub(crate) secure: bool,
}

impl Target {
    /// The target of a `ws://` or `wss://` URL.
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let request = url.into_client_request().map_err(|e| Error::Handshake(e.to_string()))?;
        let uri = request.uri();
        let secure = uri.scheme_str() == Some("wss");
        let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        Ok(Target { host: host.to_owned(), port, secure })
    }

    /// Opens a TCP connection with Nagle's algorithm off, so small acks are not held back.
    pub(crate) async fn dial_tcp(self) -> std::io::Result<TcpStream> {
        let stream = TcpStream::connect((self.host.as_str(), self.port)).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

#[cfg(feature = "tls")]
pub(crate) use tls::TlsDialer;

#[cfg(feature = "tls")]
mod tls {
    use super::Target;
    use crate::client::ClientTls;
    use crate::tls::TlsConfigError;
    use rustls::pki_types::ServerName;
    use tokio::net::TcpStream;
    use tokio_rustls::client::TlsStream;
    use tokio_rustls::TlsConnector;

    /// Dials TCP, then TLS, checking the certificate against the client's roots and the
    /// URL's host.
    #[derive(Clone)]
    pub(crate) struct TlsDialer {
        target: Target,
        name: ServerName<'static>,
        connector: TlsConnector,
    }

    impl TlsDialer {
        /// A dialer to `target` trusting `tls`'s roots (the native roots load here).
        pub(crate) fn new(target: Target, tls: &ClientTls) -> Result<Self, TlsConfigError> {
            let name = server_name(&target.host)?;
            let connector = tls.roots().connector()?;
            Ok(TlsDialer { target, name, connector })
        }

        /// One connection: its TLS failure stays inside the I/O error, typed again by
        /// [`Error::dialed`](crate::Error).
        pub(crate) async fn dial(self) -> std::io::Result<TlsStream<TcpStream>> {
            let tcp = self.target.dial_tcp().await?;
            self.connector.connect(self.name, tcp).await
        }
    }

    /// The name the server's certificate must carry: the URL's host, a DNS name or an IP
    /// address.
    fn server_name(host: &str) -> Result<ServerName<'static>, TlsConfigError> {
        let name = ServerName::try_from(host.to_owned());
        name.map_err(|_| TlsConfigError::InvalidServerName(host.to_owned()))
    }
}
