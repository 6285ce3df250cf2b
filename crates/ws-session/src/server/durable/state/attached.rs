//! What a stored session reaches of its attached connection: the writer for the journal's
//! ACKs, and the session's links, stopped when another node takes the session.

use super::DurableSession;
use crate::link::EveryLink;
use crate::protocol::{to_message, Frame};
use crate::session_link::{lock, LinkToken, Outgoing};

/// What a stored session reaches of its attached connection.
#[derive(Debug, Default)]
pub(super) struct Attached {
    /// Its writer, for the ACKs the journal sends.
    out: Option<Outgoing>,
    /// The session's links, stopped when the session is lost (weak: no cycle through the
    /// session, which holds this).
    links: Option<EveryLink>,
}

impl DurableSession {
    /// The writer of the connection now attached, for the journal's ACKs, and its link's
    /// token, stopped at once when the session is lost already.
    pub(crate) fn attach_out(&self, out: Outgoing, link: &LinkToken) {
        *lock(&self.link) = Attached { out: Some(out), links: Some(link.every_link()) };
        if self.is_lost() {
            link.cancel();
        }
    }

    /// The connection ended: its writer must not wait for the journal's sender.
    pub(crate) fn detach_out(&self) {
        lock(&self.link).out.take();
    }

    pub(super) fn send_ack(&self, seq: u64) {
        if let Some(out) = lock(&self.link).out.as_ref() {
            let _detached_is_fine = out.unbounded_send(to_message(&Frame::Ack(seq)));
        }
    }

    /// Stops the session's links, now and to come (outside this state's lock).
    pub(super) fn stop_links(&self) {
        let links = lock(&self.link).links.clone();
        links.iter().for_each(EveryLink::stop);
    }
}
