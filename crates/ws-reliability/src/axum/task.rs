//! The task of an answered upgrade: it waits for hyper to hand the connection over (after
//! the 101 is written), within the handshake timeout and holding a place among the
//! handshakes in progress, then serves the socket as the server's own handshakes are.

use crate::protocol::Mode;
use crate::server::{ReliableServer, Upgrade};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_conn::HandshakePermit;
use ws_session::read_ahead::ReadAhead;

/// An upgrade answered with 101, not yet handed over by hyper.
pub(super) struct Pending {
    pub(super) server: ReliableServer,
    pub(super) on_upgrade: OnUpgrade,
    pub(super) mode: Mode,
    pub(super) upgrade: Upgrade,
    /// Its place among the handshakes in progress, until the connection is handed over.
    pub(super) permit: HandshakePermit,
}

impl Pending {
    /// Waits for the upgraded connection, then admits it and opens its session (origin,
    /// admission, HELLO within the hello timeout, the authentication hook).
    pub(super) async fn serve(self) {
        let Pending { server, on_upgrade, mode, upgrade, permit } = self;
        let Some(io) = upgraded(&server, on_upgrade).await else { return };
        drop(permit);
        let config = Some(server.config().limits.server_websocket_config());
        let io = ReadAhead::new(io); // large reads while busy, as the server's own sockets
        let ws = WebSocketStream::from_raw_socket(io, Role::Server, config).await;
        server.serve_foreign(ws, mode, upgrade).await;
    }
}

/// The connection hyper hands over, within the handshake timeout; `None` (counted) when
/// it failed or took too long.
async fn upgraded(server: &ReliableServer, on_upgrade: OnUpgrade) -> Option<TokioIo<Upgraded>> {
    let timeout = server.registry().handshakes().limits().timeout;
    match tokio::time::timeout(timeout, on_upgrade).await {
        Ok(Ok(upgraded)) => Some(TokioIo::new(upgraded)),
        Ok(Err(_)) => failed("failed"),
        Err(_) => failed("timed_out"),
    }
}

fn failed<T>(reason: &'static str) -> Option<T> {
    crate::metrics::upgrade_failed(reason);
    None
}
