//! [`ProtocolConnector`]: the ws-reconnect `Connector` of a [`ReliableClient`](super::ReliableClient).
//! Each attempt dials a byte stream, upgrades with `wsr.v1`, exchanges HELLO and WELCOME
//! (or meets SESSION_LOST), and starts the connection's link.

use super::link::ClientLink;
use crate::protocol::{connect, from_message, to_message, Frame, Mode, Welcome};
use crate::Error;
use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::{SinkExt, StreamExt};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use ws_session::client::ClientState;
use ws_session::link::{spawn_writer, Framing, Link, LinkEnd, Outgoing, SessionParts, Side, Stop};
use ws_session::rollout::{Fix, Rollout};

/// Dials, upgrades and greets, for every attempt of the reconnector.
pub struct ProtocolConnector<D> {
    pub(crate) route: Arc<super::route::Route>,
    pub(crate) dial: D,
    pub(crate) state: Arc<ClientState>,
    pub(crate) hello_timeout: Duration,
}

impl<D> std::fmt::Debug for ProtocolConnector<D> {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = self.route.current();
        out.debug_struct("ProtocolConnector").field("url", &url).finish_non_exhaustive()
    }
}

type Ended = UnboundedSender<Result<Message, WsError>>;

impl<D, F, S> ws_reconnect::Connector for ProtocolConnector<D>
where
    D: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = std::io::Result<S>> + Send,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Connection = ClientLink;
    type Error = Error;

    /// Dials, upgrades and greets, all within the hello timeout (a dial into a partition
    /// fails instead of hanging).
    async fn connect(&self) -> Result<ClientLink, Error> {
        let attempt = tokio::time::timeout(self.hello_timeout, self.attempt()).await;
        let outcome = attempt.map_err(|_| Error::Handshake("no welcome in time".into()))?;
        outcome.inspect_err(|error| {
            self.state.attempt_failed(error);
            self.route.advance();
        })
    }
}

impl<D> ProtocolConnector<D> {
    async fn attempt<F, S>(&self) -> Result<ClientLink, Error>
    where
        D: Fn() -> F,
        F: Future<Output = std::io::Result<S>>,
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let stream = (self.dial)().await.map_err(Error::dialed)?;
        let config = Some(self.state.limits().client_websocket_config());
        let url = self.route.current();
        let (mut ws, mode) = connect(url, stream, config).await.map_err(handshake)?;
        selected_v1(mode)?;
        let batch = self.greet(&mut ws).await?;
        Ok(self.start(ws, batch))
    }
}

impl<D> ProtocolConnector<D> {
    pub(crate) fn new(
        route: Arc<super::route::Route>,
        dial: D,
        state: Arc<ClientState>,
        hello_timeout: Duration,
    ) -> Self {
        ProtocolConnector { route, dial, state, hello_timeout }
    }

    /// HELLO, then WELCOME (applied; whether the server accepts BATCH frames) or
    /// SESSION_LOST (reported, an error for this attempt).
    async fn greet<S>(&self, ws: &mut WebSocketStream<S>) -> Result<bool, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        ws.send(to_message(&Frame::Hello(self.state.hello()))).await.map_err(handshake)?;
        let message = self.answer(ws).await?;
        match from_message(&message, &self.state.limits()) {
            Ok(Some(Frame::Welcome(welcome))) => self.welcomed(&welcome).await,
            Ok(Some(Frame::SessionLost(reason))) => Err(self.lost(reason)),
            _ => Err(refused_or_unexpected(message)),
        }
    }

    /// The server's answer to HELLO, within the hello timeout.
    async fn answer<S>(&self, ws: &mut WebSocketStream<S>) -> Result<Message, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let answer = tokio::time::timeout(self.hello_timeout, past_notices(ws)).await;
        let message = answer.map_err(|_| Error::Handshake("no welcome in time".into()))?;
        message.ok_or(Error::Stopped)?.map_err(handshake)
    }
}

/// The next message that is not an ERROR frame: ERROR is informative (§ 3.6), the close
/// that follows it is the answer.
async fn past_notices<S>(ws: &mut WebSocketStream<S>) -> Option<Result<Message, WsError>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let next = ws.next().await;
        if !matches!(&next, Some(Ok(message)) if is_notice(message)) {
            return next;
        }
    }
}

fn is_notice(message: &Message) -> bool {
    matches!(message, Message::Binary(bytes) if bytes.first() == Some(&0x07))
}

/// A close instead of WELCOME: the server refused the HELLO (1008: the authentication
/// hook, with its reason); anything else is a broken handshake.
fn refused_or_unexpected(message: Message) -> Error {
    match message {
        Message::Close(Some(frame)) => {
            Error::Refused { code: u16::from(frame.code), reason: frame.reason.to_string() }
        }
        _ => Error::Handshake("expected welcome or session lost".into()),
    }
}

impl<D> ProtocolConnector<D> {
    /// Applies the WELCOME; a resume's outcome feeds the `reconnect` guard.
    async fn welcomed(&self, welcome: &Welcome) -> Result<bool, Error> {
        if welcome.resumed {
            self.state.rollout().record(Fix::Reconnect, true);
        }
        self.state.welcomed(welcome).await;
        Ok(welcome.batch)
    }

    /// Reports SESSION_LOST: a refused resume is the `reconnect` fix's failure.
    fn lost(&self, reason: crate::protocol::SessionLostReason) -> Error {
        self.state.rollout().record(Fix::Reconnect, false);
        self.state.lost(reason);
        Error::SessionLost(reason)
    }

    /// Starts the writer, the flusher and the reader of a greeted connection.
    fn start<S>(&self, ws: WebSocketStream<S>, batch: bool) -> ClientLink
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (sink, stream) = ws.split();
        let link = self.link(batch);
        let (out, _writer) = spawn_writer(sink, None, link.stop.writer_breaks(Side::Client));
        let (ended, ended_rx) = unbounded();
        let reconnect = self.state.rollout().clone();
        tokio::spawn(run(link, stream, out.clone(), EndReport { ended, rollout: reconnect }));
        ClientLink { out, ended: ended_rx }
    }

    fn link(&self, batch: bool) -> Link {
        let state = &self.state;
        let session = state.session().unwrap_or(crate::protocol::SessionId::from_bytes([0; 16]));
        let parts =
            SessionParts::new(session, state.outbox(), state.inbound(), state.deliver.clone());
        let stop = Stop { idle_timeout: state.idle_timeout(), ..Stop::default() };
        let framing = Framing { mode: Mode::V1, batch };
        Link { framing, parts, limits: std::sync::Arc::new(state.limits()), stop }
    }
}

/// Runs one connection's link and tells the reconnector how it ended; with the
/// `reconnect` switch off for the session, that it must not reconnect.
async fn run<St>(link: Link, mut stream: St, out: Outgoing, report_to: EndReport)
where
    St: futures::Stream<Item = Result<Message, WsError>> + Unpin,
{
    let end = link.pump_kept(&mut stream, &out).await;
    report_to.send(&link, &end, &out);
}

/// Where a connection's end goes: the reconnector, told not to reconnect while the
/// `reconnect` switch is off for the session.
struct EndReport {
    ended: Ended,
    rollout: Rollout,
}

impl EndReport {
    fn send(self, link: &Link, end: &LinkEnd, out: &Outgoing) {
        let report = if self.rollout.enabled_for(Fix::Reconnect, &link.parts.session) {
            report(end, out)
        } else {
            Ok(Message::Close(Some(switched_off())))
        };
        let _reconnector_gone = self.ended.unbounded_send(report);
    }
}

/// The close the reconnector gives up on: the `reconnect` switch is off.
fn switched_off() -> CloseFrame {
    let code = ws_session::client::RECONNECT_SWITCHED_OFF.into();
    CloseFrame { code, reason: "the reconnect fix is switched off".into() }
}

/// What the reconnector sees: the peer's close, our close for a violation, or an error.
fn report(end: &LinkEnd, out: &Outgoing) -> Result<Message, WsError> {
    match end {
        LinkEnd::PeerClosed(frame) => Ok(Message::Close(frame.clone())),
        LinkEnd::Violation(code) => Ok(sent_close(out, code.frame("protocol violation"))),
        LinkEnd::Lost | LinkEnd::Cancelled | LinkEnd::WriteFailed => Err(lost()),
    }
}

fn sent_close(out: &Outgoing, frame: CloseFrame) -> Message {
    let _writer_gone = out.unbounded_send(Message::Close(Some(frame.clone())));
    Message::Close(Some(frame))
}

fn lost() -> WsError {
    WsError::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection lost"))
}

fn handshake(error: WsError) -> Error {
    Error::Handshake(error.to_string())
}

/// A server that did not select `wsr.v1` cannot resume anything: the attempt fails.
fn selected_v1(mode: Mode) -> Result<(), Error> {
    if mode != Mode::V1 {
        return Err(Error::Handshake("the server did not select wsr.v1".into()));
    }
    Ok(())
}
