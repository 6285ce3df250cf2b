//! Real tokio-tungstenite sockets on loopback for the socket tests.

use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;

/// One end of a loopback WebSocket.
pub type Socket = WebSocketStream<TcpStream>;

/// A server socket and its peer over 127.0.0.1, both past the handshake.
pub async fn pair() -> (Socket, Socket) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = tokio::spawn(async move {
        let tcp = TcpStream::connect(addr).await.unwrap();
        tokio_tungstenite::client_async(format!("ws://{addr}/"), tcp).await.unwrap().0
    });
    let server = tokio_tungstenite::accept_async(listener.accept().await.unwrap().0).await.unwrap();
    (server, peer.await.unwrap())
}
